package legajo

import (
	"fmt"
	"strings"
)

// Accesos por persona (procedure 13): one row per access a person holds —
// a system, an account, a service — so that when Recursos Humanos
// notifies a baja, step 2 («revisa los permisos y accesos asignados») is
// a look-up, the informe de baja de accesos starts filled with the
// person's open accesses, and issuing it closes each access it lists. An
// acuse de cuenta de correo adds the account as an access of its user.

const AccesosID = "accesos"

// CorreoSistema is how the accesos registry names the e-mail service.
const CorreoSistema = "Correo electrónico institucional"

// Accesos defines the registry of accesses by person.
func Accesos() *RegistroDef {
	return &RegistroDef{
		ID:    AccesosID,
		Title: "Accesos por persona",
		Description: "Los sistemas, cuentas y servicios de red que tiene cada persona, con su fecha de alta y de cancelación: " +
			"lo que debe cancelarse cuando causa baja.",
		Procedures: []string{"13"},
		Number:     3,
		Columns: []RegistroColumn{
			{Name: "persona", Label: "Nombre de la persona", Kind: ColTexto, Required: true, Max: 120, List: true},
			{Name: "numero_empleado", Label: "Número de empleado", Kind: ColTexto, Max: 20},
			{Name: "area", Label: "Área de adscripción", Kind: ColTexto, Max: 150, List: true},
			{Name: "sistema", Label: "Sistema o servicio", Kind: ColTexto, Required: true, Max: 120, List: true},
			{Name: "cuenta", Label: "Cuenta o usuario", Kind: ColTexto, Max: 100, List: true},
			{Name: "tipo_acceso", Label: "Tipo de acceso", Kind: ColTexto, Max: 100, List: true},
			{Name: "fecha_alta", Label: "Fecha de alta", Kind: ColFecha, List: true},
			{Name: "fecha_cancelacion", Label: "Fecha de cancelación", Kind: ColFecha, List: true},
		},
		Key:          []string{"persona", "sistema", "cuenta"},
		Kinds:        []RegistroKind{RegAlta, RegModificacion, RegBaja, RegReactivacion, RegAnotacion},
		Types:        []string{"acuse-cuenta-correo", "informe-baja-accesos"},
		FromDocument: accesosFromDocument,
	}
}

// AccesoKey is the key of the access of persona to sistema with cuenta.
// The person's name is taken without its title, so that «C. Ricardo
// Hernández» of an informe and «Ricardo Hernández» of an acuse are one.
func AccesoKey(persona, sistema, cuenta string) string {
	return Accesos().KeyOf(map[string]string{"persona": PersonName(persona), "sistema": sistema, "cuenta": cuenta})
}

// PersonName is a name without the titles before it (C., Lic., Ing.,
// Q.F.B., Téc. …): every leading word that ends in a period.
func PersonName(s string) string {
	words := strings.Fields(s)
	for len(words) > 1 && strings.HasSuffix(words[0], ".") {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

// OpenAccesses returns the accesses of persona not cancelled (the name
// compared without case or accents).
func (rs *Registros) OpenAccesses(persona string) []*RegistroRow {
	rows, err := rs.Rows(AccesosID, RegistroQuery{Active: true})
	if err != nil {
		return nil
	}
	p := NormalizeKey(PersonName(persona))
	var out []*RegistroRow
	for _, r := range rows {
		if p != "" && NormalizeKey(PersonName(r.Fields["persona"])) == p {
			out = append(out, r)
		}
	}
	return out
}

func accesosFromDocument(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) {
	switch d.Type {
	case "acuse-cuenta-correo":
		f := map[string]string{"persona": PersonName(d.Field("usuario_nombre")), "numero_empleado": d.Field("usuario_empleado"),
			"area": d.Field("area"), "sistema": CorreoSistema, "cuenta": d.Field("cuenta"), "tipo_acceso": "Cuenta de correo",
			"fecha_alta": d.Field("fecha_alta")}
		key := AccesoKey(f["persona"], f["sistema"], f["cuenta"])
		switch row := rows.Row(key); {
		case row == nil:
			return []RegistroChange{{Row: key, Kind: RegAlta, Fields: f}}, nil
		case !row.Active:
			f["fecha_cancelacion"] = ""
			return []RegistroChange{{Row: row.Key, Kind: RegReactivacion, Fields: f}}, nil
		}
		return nil, nil
	case "informe-baja-accesos":
		persona := PersonName(d.Field("empleado_nombre"))
		if persona == "" {
			return nil, fmt.Errorf("el informe %s no nombra a la persona", d.Folio)
		}
		var out []RegistroChange
		seen := map[string]bool{}
		for _, r := range d.Values["accesos"].Rows {
			sistema, cuenta := strings.TrimSpace(r["sistema"]), strings.TrimSpace(r["cuenta"])
			fecha := strings.TrimSpace(r["fecha_cancelacion"])
			if fecha == "" {
				fecha = d.Field("fecha_baja")
			}
			key := AccesoKey(persona, sistema, cuenta)
			if sistema == "" || seen[NormalizeKey(key)] {
				continue
			}
			seen[NormalizeKey(key)] = true
			note := "Cancelado por la baja de la persona (informe " + d.Folio + ")"
			switch row := rows.Row(key); {
			case row == nil:
				// An access nobody had registered: it enters the
				// registry as the informe found it, already cancelled.
				out = append(out,
					RegistroChange{Row: key, Kind: RegAlta, Fields: map[string]string{"persona": persona,
						"numero_empleado": d.Field("numero_empleado"), "area": d.Field("area"), "sistema": sistema, "cuenta": cuenta,
						"tipo_acceso": strings.TrimSpace(r["tipo_acceso"])}, Note: "Registrado al cancelarse"},
					RegistroChange{Row: key, Kind: RegBaja, Fields: map[string]string{"fecha_cancelacion": fecha}, Note: note})
			case row.Active:
				out = append(out, RegistroChange{Row: row.Key, Kind: RegBaja, Fields: map[string]string{"fecha_cancelacion": fecha}, Note: note})
			}
		}
		return out, nil
	}
	return nil, nil
}
