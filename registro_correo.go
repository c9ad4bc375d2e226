package legajo

import (
	"fmt"
	"strings"
)

// The padrón de cuentas de correo electrónico (procedures 6, 7 and 13):
// one row per account, keyed by the address. An acuse de cuenta de correo
// adds the account (branch 3 of procedure 6: it did not exist); a
// restablecimiento de contraseña records itself on the account
// (procedure 7), and adds it when it predates the padrón; an informe de baja de accesos that lists the account
// gives it de baja (procedure 13). When a solicitud finds the account
// already there (branch 2A), the clerk records whether the user still had
// the password (2B: the solicitud is discarded) or was told to ask for a
// restablecimiento (2C). Accounts that existed before Legajo are imported.
// There is no password column, and none can be added: CheckDef refuses it.

// Branches of procedure 6, as the padrón records them.
const (
	RamaNueva          = "3"     // the account did not exist: created (activities 3 to 5)
	RamaConservaClave  = "2A/2B" // existed; the user has the password: solicitud discarded
	RamaRestablecer    = "2A/2C" // existed; the user lacks it: told to ask for a restablecimiento
	RamaImportada      = "anterior"
	PadronCorreoID     = "padron-correo"
	padronCorreoNumber = 1
)

// RamaLabel words a branch of procedure 6 for people.
func RamaLabel(r string) string {
	switch r {
	case RamaNueva:
		return "3 · No existía: se generó la cuenta y se entregó el acuse"
	case RamaConservaClave:
		return "2A y 2B · Existía y el usuario conserva la contraseña: se desechó la solicitud"
	case RamaRestablecer:
		return "2A y 2C · Existía y el usuario no tiene la contraseña: se le indicó solicitar el restablecimiento"
	case RamaImportada:
		return "Cuenta anterior a Legajo (importada)"
	}
	return r
}

// RamaShort is a branch as a table's cell says it.
func RamaShort(r string) string {
	switch r {
	case RamaNueva:
		return "3 (cuenta nueva)"
	case RamaConservaClave:
		return "2A y 2B"
	case RamaRestablecer:
		return "2A y 2C"
	case RamaImportada:
		return "Anterior a Legajo"
	}
	return r
}

// PadronCorreo defines the padrón de cuentas de correo electrónico.
func PadronCorreo() *RegistroDef {
	return &RegistroDef{
		ID:    PadronCorreoID,
		Title: "Padrón de cuentas de correo electrónico",
		Description: "Las cuentas de correo institucional: quién la tiene, su área, quién la autorizó, cuándo se creó, " +
			"sus restablecimientos de contraseña y su baja. Nunca incluye contraseñas.",
		Procedures: []string{"6", "7", "13"},
		Number:     padronCorreoNumber,
		Columns: []RegistroColumn{
			{Name: "cuenta", Label: "Cuenta de correo", Kind: ColCorreo, Required: true, Max: 120, List: true},
			{Name: "usuario_nombre", Label: "Nombre del usuario", Kind: ColTexto, Required: true, Max: 120, List: true},
			{Name: "usuario_cargo", Label: "Cargo o puesto", Kind: ColTexto, Max: 150},
			{Name: "area", Label: "Área de adscripción", Kind: ColTexto, Max: 150, List: true},
			{Name: "usuario_empleado", Label: "Número de empleado", Kind: ColTexto, Max: 20},
			{Name: "usuario_telefono", Label: "Teléfono y extensión", Kind: ColTexto, Max: 60},
			{Name: "jefe_autoriza", Label: "Autorizó (jefe inmediato)", Kind: ColTexto, Max: 200},
			{Name: "fecha_solicitud", Label: "Fecha de la solicitud", Kind: ColFecha},
			{Name: "fecha_alta", Label: "Fecha de creación", Kind: ColFecha, List: true},
			{Name: "rama", Label: "Rama del procedimiento 6", Kind: ColOpcion,
				Options: []string{RamaNueva, RamaConservaClave, RamaRestablecer, RamaImportada}, List: true},
			{Name: "motivo", Label: "Motivo del último restablecimiento", Kind: ColTexto, Max: 120},
			{Name: "fecha_restablecimiento", Label: "Fecha del último restablecimiento", Kind: ColFecha},
			{Name: "fecha_baja", Label: "Fecha de baja", Kind: ColFecha},
		},
		Key:          []string{"cuenta"},
		Kinds:        []RegistroKind{RegAlta, RegModificacion, RegBaja, RegReactivacion, RegRestablecimiento, RegAnotacion},
		Types:        []string{"acuse-cuenta-correo", "restablecimiento-contrasena", "informe-baja-accesos"},
		FromDocument: padronFromDocument,
		Check:        padronCheck,
	}
}

var padronPerson = []string{"usuario_nombre", "usuario_cargo", "area", "usuario_empleado", "usuario_telefono"}

func padronFromDocument(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) {
	switch d.Type {
	case "acuse-cuenta-correo":
		cuenta := d.Field("cuenta")
		fields := map[string]string{"rama": RamaNueva}
		for _, f := range append(padronPerson, "jefe_autoriza", "fecha_solicitud", "fecha_alta") {
			fields[f] = d.Field(f)
		}
		row := rows.Row(cuenta)
		switch {
		case row == nil:
			fields["cuenta"] = cuenta
			return []RegistroChange{{Row: cuenta, Kind: RegAlta, Fields: fields}}, nil
		case !row.Active:
			// An account given de baja and created again for someone.
			fields["fecha_baja"] = ""
			return []RegistroChange{{Row: row.Key, Kind: RegReactivacion, Fields: fields,
				Note: "Cuenta generada de nuevo con el acuse " + d.Folio}}, nil
		default:
			return nil, fmt.Errorf("la cuenta %s ya estaba en el padrón; el acuse %s no la vuelve a dar de alta", cuenta, d.Folio)
		}
	case "restablecimiento-contrasena":
		cuenta := d.Field("cuenta")
		fields := map[string]string{"motivo": d.Field("motivo"), "fecha_restablecimiento": d.Field("fecha_restablecimiento")}
		for _, f := range padronPerson {
			if v := d.Field(f); v != "" {
				fields[f] = v // the latest document knows the person best
			}
		}
		row := rows.Row(cuenta)
		switch {
		case row == nil:
			// The account exists (its password was reset) but predates
			// the padrón: it enters it, as an account from before Legajo.
			alta := map[string]string{"cuenta": cuenta, "rama": RamaImportada}
			for _, f := range padronPerson {
				alta[f] = d.Field(f)
			}
			return []RegistroChange{{Row: cuenta, Kind: RegAlta, Fields: alta, Note: "Cuenta anterior al padrón, registrada por su restablecimiento"},
				{Row: cuenta, Kind: RegRestablecimiento, Fields: fields}}, nil
		case !row.Active:
			return nil, fmt.Errorf("la cuenta %s fue dada de baja del padrón; el restablecimiento %s no se registró en él", cuenta, d.Folio)
		}
		return []RegistroChange{{Row: row.Key, Kind: RegRestablecimiento, Fields: fields}}, nil
	case "informe-baja-accesos":
		// Every account the informe lists as cancelled that is an address
		// of the padrón.
		var out []RegistroChange
		for _, r := range d.Values["accesos"].Rows {
			row := rows.Row(strings.TrimSpace(r["cuenta"]))
			if row == nil || !row.Active {
				continue
			}
			fecha := strings.TrimSpace(r["fecha_cancelacion"])
			if fecha == "" {
				fecha = d.Field("fecha_baja")
			}
			out = append(out, RegistroChange{Row: row.Key, Kind: RegBaja, Fields: map[string]string{"fecha_baja": fecha},
				Note: "Baja del personal: " + d.Field("empleado_nombre")})
		}
		return out, nil
	}
	return nil, nil
}

func padronCheck(c RegistroChange, row *RegistroRow) []Problem {
	if c.Kind == RegAlta && c.Fields["rama"] != "" && c.Fields["rama"] != RamaNueva && c.Fields["rama"] != RamaImportada {
		return []Problem{{Field: "rama", Message: "Una cuenta nueva sólo puede tomar la rama 3 (se generó) o ser anterior a Legajo."}}
	}
	return nil
}
