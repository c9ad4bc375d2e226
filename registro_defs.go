package legajo

// RegistroDefs lists the registries Legajo keeps, in the order the
// Registros page shows them. Numbers in use (never reuse one): 1 padrón de
// correo, 2 medidas de seguridad, 3 accesos por persona, 4 equipo en
// reparación y de baja, 5 componentes reutilizables, 6 respaldos,
// 7 líneas telefónicas y servicios.
func RegistroDefs() []*RegistroDef {
	return []*RegistroDef{PadronCorreo(), MedidasSeguridad(), Accesos(), Equipo(), Componentes(), Respaldos(), LineasTelefonicas()}
}
