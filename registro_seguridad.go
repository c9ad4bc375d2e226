package legajo

// The bitácora de medidas de seguridad de la red de voz y datos
// (procedure 9): one row per medida. Step 3 asks whether the medida
// exists — the search of this page; a new one is an alta once analysed,
// established and tested (steps 4 to 6); an existing one whose
// effectiveness was verified and whose parameters changed is a
// modificación (3A to 3A.2). No document feeds it: the manual's requests
// come by e-mail.

const MedidasSeguridadID = "medidas-seguridad"

// MedidasSeguridad defines the bitácora de medidas de seguridad.
func MedidasSeguridad() *RegistroDef {
	return &RegistroDef{
		ID:    MedidasSeguridadID,
		Title: "Bitácora de medidas de seguridad de la red de voz y datos",
		Description: "Las medidas de seguridad establecidas en la red: la vulnerabilidad que atienden, quién las pidió, " +
			"sus parámetros, las pruebas de efectividad y cada modificación.",
		Procedures: []string{"9"},
		Number:     2,
		Columns: []RegistroColumn{
			{Name: "medida", Label: "Medida de seguridad", Kind: ColTexto, Required: true, Max: 150, List: true},
			{Name: "vulnerabilidad", Label: "Vulnerabilidad que atiende", Kind: ColTexto, Required: true, Max: 300, List: true},
			{Name: "seccion_solicitante", Label: "Sección solicitante", Kind: ColTexto, Required: true, Max: 150, List: true},
			{Name: "parametros", Label: "Parámetros de seguridad", Kind: ColTexto, Required: true, Max: 500},
			{Name: "equipos", Label: "Equipos o segmentos donde aplica", Kind: ColTexto, Max: 300},
			{Name: "fecha_establecida", Label: "Fecha en que se estableció", Kind: ColFecha, Required: true, List: true},
			{Name: "pruebas", Label: "Pruebas de efectividad y resultado", Kind: ColTexto, Required: true, Max: 500},
			{Name: "fecha_verificacion", Label: "Última verificación de efectividad", Kind: ColFecha, List: true},
			{Name: "aviso", Label: "Aviso a la sección (correo)", Kind: ColTexto, Max: 200},
		},
		Key:   []string{"medida"},
		Kinds: []RegistroKind{RegAlta, RegModificacion, RegAnotacion, RegBaja, RegReactivacion},
	}
}
