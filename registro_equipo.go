package legajo

import (
	"strings"
)

// Equipo en reparación and Equipo de Baja (procedures 17 and 18): one row
// per piece of equipment by its número de inventario, its estado moved by
// the formatos de servicio and the dictámenes técnicos as they are
// issued. The reusable parts extracted from equipment given de baja are a
// stock of their own (componentes reutilizables): a dictamen or a formato
// de servicio that lists piezas extraídas brings them in; a part used in a
// repair goes out by hand, with the reason.

const (
	EquipoID      = "equipo"
	ComponentesID = "componentes"
)

// Estados of equipment in the registry.
const (
	EquipoEnReparacion = "en reparación"
	EquipoRefacciones  = "en espera de refacciones"
	EquipoReparado     = "reparado y entregado"
	EquipoPropuesto    = "propuesto para baja"
	EquipoDeBaja       = "dado de baja"
)

// Equipo defines the registry of equipment in repair and given de baja.
func Equipo() *RegistroDef {
	return &RegistroDef{
		ID:    EquipoID,
		Title: "Equipo en reparación y Equipo de Baja",
		Description: "El equipo de cómputo que recibe el Departamento para mantenimiento o revisión: su estado, " +
			"el formato de servicio y el dictamen técnico que lo sustentan, y el que se da de baja.",
		Procedures: []string{"17", "18"},
		Number:     4,
		Columns: []RegistroColumn{
			{Name: "numero_inventario", Label: "Número de inventario", Kind: ColTexto, Required: true, Max: 40, List: true},
			{Name: "tipo_equipo", Label: "Tipo de equipo", Kind: ColTexto, Max: 100, List: true},
			{Name: "marca", Label: "Marca", Kind: ColTexto, Max: 60},
			{Name: "modelo", Label: "Modelo", Kind: ColTexto, Max: 60},
			{Name: "serie", Label: "Número de serie", Kind: ColTexto, Max: 60},
			{Name: "area", Label: "Área", Kind: ColTexto, Max: 150, List: true},
			{Name: "estado", Label: "Estado", Kind: ColOpcion, Required: true, List: true,
				Options: []string{EquipoEnReparacion, EquipoRefacciones, EquipoReparado, EquipoPropuesto, EquipoDeBaja}},
			{Name: "fecha_recepcion", Label: "Fecha de recepción", Kind: ColFecha, List: true},
			{Name: "falla", Label: "Falla reportada", Kind: ColTexto, Max: 500},
			{Name: "folio_servicio", Label: "Folio del formato de servicio", Kind: ColTexto, Max: 60},
			{Name: "folio_dictamen", Label: "Folio del dictamen técnico", Kind: ColTexto, Max: 60, List: true},
			{Name: "motivo_baja", Label: "Motivo de la baja", Kind: ColTexto, Max: 200},
		},
		Key:          []string{"numero_inventario"},
		Kinds:        []RegistroKind{RegAlta, RegModificacion, RegAnotacion, RegBaja, RegReactivacion},
		Types:        []string{"servicio-equipo", "dictamen-tecnico"},
		FromDocument: equipoFromDocument,
	}
}

// equipoEstado maps the estatus of a formato de servicio.
func equipoEstado(estatus string) string {
	switch estatus {
	case "reparado y en funcionamiento":
		return EquipoReparado
	case "en espera de refacciones":
		return EquipoRefacciones
	case "no reparable, se propone su baja":
		return EquipoPropuesto
	case "dado de baja":
		return EquipoDeBaja
	}
	return EquipoEnReparacion
}

func equipoFromDocument(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) {
	inv := d.Field("numero_inventario")
	if inv == "" {
		return nil, nil // equipment without inventory number: nothing to key it by
	}
	f := map[string]string{"numero_inventario": inv, "marca": d.Field("marca"), "modelo": d.Field("modelo"),
		"serie": d.Field("serie"), "area": d.Field("area")}
	switch d.Type {
	case "servicio-equipo":
		f["tipo_equipo"] = d.Field("tipo_equipo")
		f["estado"] = equipoEstado(d.Field("estatus"))
		f["fecha_recepcion"] = d.Field("fecha_recepcion")
		f["falla"] = d.Field("falla_reportada")
		f["folio_servicio"] = d.Folio
	case "dictamen-tecnico":
		f["tipo_equipo"] = d.Field("descripcion")
		f["folio_dictamen"] = d.Folio
		if d.Field("variante") == "baja de equipo" {
			f["estado"] = EquipoDeBaja
			f["motivo_baja"] = d.Field("motivo_baja")
		} else {
			f["estado"] = EquipoRefacciones
		}
	default:
		return nil, nil
	}
	for k, v := range f {
		if v == "" {
			delete(f, k) // what the document does not say stays as it was
		}
	}
	if row := rows.Row(inv); row != nil {
		kind := RegModificacion
		if !row.Active {
			kind = RegReactivacion
		}
		return []RegistroChange{{Row: row.Key, Kind: kind, Fields: f}}, nil
	}
	return []RegistroChange{{Row: inv, Kind: RegAlta, Fields: f}}, nil
}

// Componentes defines the stock of reusable parts.
func Componentes() *RegistroDef {
	return &RegistroDef{
		ID:    ComponentesID,
		Title: "Componentes informáticos reutilizables",
		Description: "Las piezas reutilizables extraídas del equipo dado de baja: cuántas hay de cada una, de qué equipo " +
			"salieron y en qué se usaron.",
		Procedures: []string{"17", "18"},
		Number:     5,
		Columns: []RegistroColumn{
			{Name: "componente", Label: "Componente", Kind: ColTexto, Required: true, Max: 100, List: true},
			{Name: "marca_modelo", Label: "Marca y modelo", Kind: ColTexto, Max: 80, List: true},
			{Name: "estado", Label: "Estado", Kind: ColTexto, Max: 60, List: true},
			{Name: "series", Label: "Números de serie", Kind: ColTexto, Max: 500},
			{Name: "origen", Label: "Último equipo de origen (inventario)", Kind: ColTexto, Max: 200, List: true},
		},
		Key:          []string{"componente", "marca_modelo"},
		Kinds:        []RegistroKind{RegAlta, RegModificacion, RegEntrada, RegSalida, RegAnotacion, RegBaja, RegReactivacion},
		Stock:        true,
		Types:        []string{"dictamen-tecnico", "servicio-equipo"},
		FromDocument: componentesFromDocument,
	}
}

func componentesFromDocument(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) {
	var extracted bool
	switch d.Type {
	case "dictamen-tecnico":
		extracted = d.Field("piezas_extraidas") == "Sí"
	case "servicio-equipo":
		extracted = d.Field("piezas_reutilizables") == "Sí"
	}
	if !extracted {
		return nil, nil
	}
	def := Componentes()
	origen := strings.TrimSpace(d.Field("numero_inventario") + " " + d.Field("descripcion"))
	type part struct {
		key    string
		fields map[string]string
		qty    int
		series []string
	}
	var order []*part
	byKey := map[string]*part{}
	for _, r := range d.Values["piezas"].Rows {
		f := map[string]string{"componente": strings.TrimSpace(r["componente"]), "marca_modelo": strings.TrimSpace(r["marca_modelo"]),
			"estado": strings.TrimSpace(r["estado"]), "origen": origen}
		key := def.KeyOf(f)
		if key == "" {
			continue
		}
		p := byKey[NormalizeKey(key)]
		if p == nil {
			p = &part{key: key, fields: f}
			byKey[NormalizeKey(key)] = p
			order = append(order, p)
		}
		p.qty++
		if s := strings.TrimSpace(r["serie"]); s != "" {
			p.series = append(p.series, s)
		}
	}
	var out []RegistroChange
	note := "Extraída del equipo " + origen
	for _, p := range order {
		row := rows.Row(p.key)
		series := strings.Join(p.series, ", ")
		if row != nil && row.Fields["series"] != "" && series != "" {
			series = row.Fields["series"] + ", " + series
		}
		if len([]rune(series)) > 500 {
			series = string([]rune(series)[len([]rune(series))-500:])
		}
		p.fields["series"] = series
		for k, v := range p.fields {
			if v == "" {
				delete(p.fields, k)
			}
		}
		switch {
		case row == nil:
			out = append(out, RegistroChange{Row: p.key, Kind: RegAlta, Fields: p.fields, Note: note})
		case !row.Active:
			out = append(out, RegistroChange{Row: row.Key, Kind: RegReactivacion, Fields: p.fields, Note: note})
		default:
			fields := map[string]string{"origen": origen}
			if series != "" {
				fields["series"] = series
			}
			out = append(out, RegistroChange{Row: row.Key, Kind: RegModificacion, Fields: fields, Note: note})
		}
		out = append(out, RegistroChange{Row: p.key, Kind: RegEntrada, Qty: p.qty, Note: note})
	}
	return out, nil
}
