package legajo

import (
	"fmt"
	"unicode/utf8"
)

// Expediente is an archive file: documents are filed into it in date order
// and it is bound to one serie of the Cuadro General de Clasificación
// Archivística. Its retention comes from the Catálogo de Disposición
// Documental (CADIDO). Expedientes are configuration.
type Expediente struct {
	ID   string `json:"id"`   // e.g. dti
	Name string `json:"name"` // e.g. Expediente del Departamento de Tecnologías de la Información
	// Description is the asunto of its carátula (alcance y contenido): the
	// matter its documents serve, as an archivist writes it.
	Description string `json:"description,omitempty"`
	// Code is the classification code fondo.sección.serie, e.g. SESVER.08C.11.
	Code  string `json:"code"`
	Order string `json:"order"` // filing order: cronológico
	// YearsTramite and YearsConcentracion are the vigencias in the archivo
	// de trámite and the archivo de concentración.
	YearsTramite       int      `json:"years_tramite"`
	YearsConcentracion int      `json:"years_concentracion"`
	Destino            string   `json:"destino"` // destino final: Conservación, Baja, Muestreo
	Valores            []string `json:"valores"` // valores documentales: Administrativo, Legal, Fiscal, Contable
	Acceso             string   `json:"acceso"`  // pública, reservada, confidencial
}

// MaxDescription bounds an expediente's description, in characters.
const MaxDescription = 600

// Restricted tells whether the expediente's documents are classified
// (reservada or confidencial): only their issuers and authorised officials
// may read them (LGTAIP arts. 112 and 115).
func (e Expediente) Restricted() bool { return e.Acceso == "reservada" || e.Acceso == "confidencial" }

// RetentionYears is how long filed objects must be kept before any
// disposition can even be proposed: trámite plus concentración.
func (e Expediente) RetentionYears() int { return e.YearsTramite + e.YearsConcentracion }

// Validate checks an expediente from configuration.
func (e Expediente) Validate() error {
	switch {
	case e.ID == "" || !validName(e.ID):
		return fmt.Errorf("expediente %q: id must be lower-case letters, digits and '-'", e.ID)
	case e.Name == "":
		return fmt.Errorf("expediente %s: name is missing", e.ID)
	case e.Code == "":
		return fmt.Errorf("expediente %s: classification code is missing", e.ID)
	case e.YearsTramite < 1 || e.YearsConcentracion < 0:
		return fmt.Errorf("expediente %s: years in trámite must be 1 or more", e.ID)
	case utf8.RuneCountInString(e.Description) > MaxDescription:
		// the carátula prints it whole, and each inventory row
		return fmt.Errorf("expediente %s: description is longer than %d characters", e.ID, MaxDescription)
	}
	for _, r := range e.Description {
		if _, ok := CP1252(r); !ok {
			return fmt.Errorf("expediente %s: the description's character %q cannot be printed", e.ID, r)
		}
	}
	switch e.Destino {
	case "Conservación", "Baja", "Muestreo":
	default:
		return fmt.Errorf("expediente %s: destino must be Conservación, Baja or Muestreo", e.ID)
	}
	switch e.Acceso {
	case "pública", "reservada", "confidencial":
	default:
		return fmt.Errorf("expediente %s: acceso must be pública, reservada or confidencial", e.ID)
	}
	return nil
}

// DefaultExpedientes are the expedientes the manual names, each filed
// cronológico. The codes follow the common series of the federal CGCA
// (08C Tecnologías y servicios de la información, 06C.17 bienes muebles) until
// SESVER's own approved CGCA is configured.
func DefaultExpedientes() []Expediente {
	adm := []string{"Administrativo"}
	return []Expediente{
		{ID: "oficios-recibidos", Name: "Expediente de Oficios y Tarjetas recibidas del Departamento de Tecnologías de la Información", Description: "Oficios, tarjetas y formatos de solicitud que las áreas y dependencias dirigen al Departamento de Tecnologías de la Información, registrados al recibirse con su fecha y hora, remitente y turno.", Code: "SESVER.08C.01", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "pública"},
		{ID: "dti", Name: "Expediente del Departamento de Tecnologías de la Información", Description: "Documentos que emite el Departamento en sus procedimientos de sistemas, micrositios, redes de voz y datos, líneas telefónicas e internet, respaldos de bases de datos y mantenimiento de equipo, con sus acuses.", Code: "SESVER.08C.09", YearsTramite: 2, YearsConcentracion: 5, Destino: "Conservación", Valores: []string{"Administrativo", "Legal"}, Acceso: "pública"},
		{ID: "correos", Name: "Expediente de correos electrónicos", Description: "Solicitudes de cuentas de correo electrónico institucional y de restablecimiento de contraseña, con los acuses de recibido firmados por los usuarios.", Code: "SESVER.08C.10", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "confidencial"},
		{ID: "personal-baja", Name: "Expediente Personal que causa baja", Description: "Notificaciones de baja de personal de Recursos Humanos e informes de los permisos y accesos cancelados a los servicios de internet y red.", Code: "SESVER.08C.10", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: []string{"Administrativo", "Legal"}, Acceso: "confidencial"},
		{ID: "personal-baja-sin-cuentas", Name: "Expediente Personal que causa baja/Sin Cuentas", Description: "Notificaciones de baja de personal que no tenía cuentas ni accesos a los servicios de internet y red, con el informe que lo hace constar.", Code: "SESVER.08C.10", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: []string{"Administrativo", "Legal"}, Acceso: "confidencial"},
		{ID: "radiocomunicacion", Name: "Expediente de solicitudes de mantenimiento de equipo de radiocomunicación", Description: "Solicitudes de mantenimiento básico del equipo de radiocomunicación y los documentos de su atención.", Code: "SESVER.08C.04", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "pública"},
		{ID: "servicios-dti", Name: "Expediente de servicios del Departamento de Tecnologías de la Información", Description: "Formatos de control de las actividades de servicio realizadas por el Departamento, con la conformidad de los usuarios.", Code: "SESVER.08C.04", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "pública"},
		{ID: "respaldos", Name: "Expediente de solicitudes de respaldo", Description: "Solicitudes de respaldo de bases de datos de las áreas y los formatos de respaldo realizados.", Code: "SESVER.08C.10", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "pública"},
		{ID: "baja-equipo", Name: "Expediente de baja de equipo", Description: "Formatos de servicio y dictámenes técnicos que sustentan la baja de equipo de cómputo y las piezas reutilizables extraídas.", Code: "SESVER.06C.17", YearsTramite: 3, YearsConcentracion: 7, Destino: "Conservación", Valores: []string{"Administrativo", "Legal", "Contable"}, Acceso: "pública"},
		{ID: "diseno-grafico", Name: "Carpeta electrónica de requerimientos de diseño gráfico", Description: "Requerimientos de diseño gráfico recibidos por correo electrónico y los productos entregados.", Code: "SESVER.08C.11", YearsTramite: 1, YearsConcentracion: 2, Destino: "Baja", Valores: adm, Acceso: "pública"},
		{ID: CaseExpediente, Name: "Control de gestión de trámites del Departamento de Tecnologías de la Información", Description: "Los trámites que atiende el Departamento según su manual de procedimientos: cada apertura, turno, espera, decisión y cierre, con su fecha y quien lo hizo.", Code: "SESVER.08C.02", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "pública"},
		{ID: RegistroExpediente, Name: "Registros del Departamento de Tecnologías de la Información", Description: "Los padrones, bitácoras e inventarios que llevan los procedimientos del Departamento: cada alta, modificación, baja, restablecimiento y movimiento de existencias, con su fecha, quien lo hizo y el documento que lo originó.", Code: "SESVER.08C.02", YearsTramite: 2, YearsConcentracion: 3, Destino: "Baja", Valores: adm, Acceso: "confidencial"},
	}
}
