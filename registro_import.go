package legajo

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Import of existing rows (the accounts that existed before Legajo): a
// table whose first row names the columns, by their label («Cuenta de
// correo») or their name («cuenta»), without case or accents, in any
// order. Every row is checked first; one bad cell refuses the whole file,
// and every problem is reported by row and column, so nothing is imported
// half. The rows are filed as one event: all or nothing in the archive too.

// MaxImportRows bounds an import (the padrón of the whole institution
// fits many times over).
const MaxImportRows = 20000

// ReadCSV reads a CSV file as a table: comma or semicolon separated (Excel
// in Spanish writes semicolons), UTF-8 with or without BOM, or Windows-1252
// (what Excel saves as «CSV» on a Windows in Spanish).
func ReadCSV(data []byte) ([][]string, error) {
	rows, err := csvRows(data, MaxImportRows+1)
	var bad *csvRowError
	switch {
	case err == nil:
	case errors.Is(err, errNotText):
		return nil, Errorf(ErrInvalid, "El archivo no es texto CSV ni un libro de Excel (XLSX).")
	case errors.Is(err, errTooManyRows):
		return nil, Errorf(ErrInvalid, "El archivo tiene más de %d filas; divídalo en varios.", MaxImportRows)
	case errors.As(err, &bad):
		return nil, Errorf(ErrInvalid, "El archivo CSV no se puede leer en la fila %d: %s.", bad.Row, bad.Reason)
	default:
		return nil, Errorf(ErrInvalid, "El archivo CSV no se puede leer: %v", err)
	}
	// The registries number rows from the header, and blank lines are
	// not rows.
	out := rows[:0]
	for _, r := range rows {
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// ImportChanges turns a table (header first) into altas of registry d.
// defaults fill columns the file leaves empty (the padrón's rama:
// «anterior»). Problems name the row as the spreadsheet numbers it (the
// header is row 1) and the column by its label.
func ImportChanges(d *RegistroDef, table [][]string, defaults map[string]string) ([]RegistroChange, []Problem) {
	var probs []Problem
	if len(table) == 0 {
		return nil, []Problem{{Message: "El archivo no tiene filas que importar: la primera fila lleva los nombres de las columnas y las siguientes, los datos."}}
	}
	if len(table) > MaxImportRows+1 {
		return nil, []Problem{{Message: fmt.Sprintf("El archivo tiene más de %d filas; divídalo en varios.", MaxImportRows)}}
	}
	cols := make([]string, len(table[0])) // column name of each cell; "" ignored
	seen := map[string]int{}
	var labels []string
	for _, c := range d.Columns {
		labels = append(labels, c.Label)
	}
	for i, h := range table[0] {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if secretColumn(h) {
			probs = append(probs, Problem{Field: h, Message: fmt.Sprintf("Columna «%s»: Legajo nunca guarda contraseñas. Quite esa columna del archivo y vuelva a importarlo.", printable(h))})
			continue
		}
		n := NormalizeKey(h)
		found := ""
		for _, c := range d.Columns {
			if NormalizeKey(c.Name) == n || NormalizeKey(c.Label) == n || NormalizeKey(strings.ReplaceAll(c.Name, "_", " ")) == n {
				found = c.Name
			}
		}
		if found == "" {
			probs = append(probs, Problem{Field: h, Message: fmt.Sprintf("Columna «%s»: no es una columna del registro. Use: %s.", printable(h), strings.Join(labels, ", "))})
			continue
		}
		if j, dup := seen[found]; dup {
			probs = append(probs, Problem{Field: h, Message: fmt.Sprintf("Las columnas %d y %d son la misma («%s»).", j+1, i+1, printable(h))})
			continue
		}
		seen[found] = i
		cols[i] = found
	}
	for _, c := range d.Columns {
		if _, ok := seen[c.Name]; !ok && c.Required && defaults[c.Name] == "" {
			probs = append(probs, Problem{Field: c.Name, Message: fmt.Sprintf("Falta la columna «%s», que es obligatoria.", c.Label)})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	var out []RegistroChange
	for i, rec := range table[1:] {
		line := i + 2
		fields := map[string]string{}
		empty := true
		for j, v := range rec {
			v = strings.TrimSpace(v)
			if j >= len(cols) || cols[j] == "" {
				if v != "" && j >= len(cols) {
					probs = append(probs, Problem{Message: fmt.Sprintf("Fila %d: tiene un valor en la columna %d, que no tiene nombre en la primera fila.", line, j+1)})
				}
				continue
			}
			if v != "" {
				empty = false
				fields[cols[j]] = v
			}
		}
		if empty {
			continue // blank rows at the end of a spreadsheet
		}
		for k, v := range defaults {
			if fields[k] == "" {
				fields[k] = v
			}
		}
		out = append(out, RegistroChange{Kind: RegAlta, Fields: fields, Line: line})
	}
	if len(out) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{Message: "El archivo no tiene filas con datos: sólo la de los nombres de las columnas."})
	}
	return out, probs
}

// Import files every row of table as an alta of registry id, in one event,
// or nothing: problems of the file or of any row (a bad value, an account
// already in the registry, one repeated in the file) come back together
// as a *ValidationError, row by row.
func (rs *Registros) Import(ctx context.Context, id string, table [][]string, name, author string) (RegistroEvent, error) {
	d, err := rs.Def(id)
	if err != nil {
		return RegistroEvent{}, err
	}
	var defaults map[string]string
	if id == PadronCorreoID {
		defaults = map[string]string{"rama": RamaImportada}
	}
	changes, probs := ImportChanges(d, table, defaults)
	if len(probs) > 0 {
		return RegistroEvent{}, &ValidationError{Problems: probs}
	}
	name = strings.TrimSpace(name)
	if checkLine("Archivo", name, 200) != nil {
		name = "archivo importado"
	}
	return rs.File(ctx, RegistroEvent{Registro: id, Author: author, Source: RegFromImport,
		Note: "Importado de «" + name + "»", Changes: changes})
}
