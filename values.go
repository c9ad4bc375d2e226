package legajo

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Value is a validated field value in canonical form: dates AAAA-MM-DD,
// times HH:MM, numbers without grouping, money with two decimals. Table
// fields hold Rows instead of Text.
type Value struct {
	Text string
	Rows []Row
}

// Row is one row of a table field, by column name.
type Row map[string]string

// Values are a document's validated field values by field name. Fields left
// empty are absent.
type Values map[string]Value

// MarshalJSON writes a table as an array of row objects and anything else as
// a string.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.Rows != nil {
		return json.Marshal(v.Rows)
	}
	return json.Marshal(v.Text)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (v *Value) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		v.Rows = []Row{}
		return json.Unmarshal(b, &v.Rows)
	}
	return json.Unmarshal(b, &v.Text)
}

// MaxDataBytes bounds the submitted data of one document.
const MaxDataBytes = 512 << 10

// Validate checks raw, the data a clerk submitted (decoded JSON or form
// values), against t. It reports every problem at once, in the order of the
// definition, and returns the values in canonical form.
func (t *DocType) Validate(raw map[string]any) (Values, error) {
	return t.ValidateOn(raw, time.Time{})
}

// validate checks each value on its own: it returns the valid ones and
// the problems of the rest.
func (t *DocType) validate(raw map[string]any) (Values, []Problem) {
	var probs []Problem
	out := make(Values, len(raw))
	for i := range t.Fields {
		f := &t.Fields[i]
		v, ok := raw[f.Name]
		if f.Type == FieldTable {
			rows, p := validateTable(f, v, ok)
			probs = append(probs, p...)
			if len(p) == 0 && len(rows) > 0 {
				out[f.Name] = Value{Rows: rows}
			}
			continue
		}
		s, p := validateScalar(f, f.Label, v, ok)
		if p != "" {
			probs = append(probs, Problem{Field: f.Name, Message: p})
		} else if s != "" {
			out[f.Name] = Value{Text: s}
		}
	}
	var unknown []string
	for name := range raw {
		if t.Field(name) == nil {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		msg := fmt.Sprintf("El campo «%s» no existe en «%s».", printable(name), t.Title)
		if name == "" {
			msg = fmt.Sprintf("Los datos traen un campo sin nombre, que «%s» no tiene.", t.Title)
		}
		probs = append(probs, Problem{Field: name, Message: msg})
	}
	return out, probs
}

// printable makes a name safe to echo in a message.
func printable(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}

func validateTable(f *Field, v any, present bool) ([]Row, []Problem) {
	prob := func(format string, args ...any) []Problem {
		return []Problem{{Field: f.Name, Message: fmt.Sprintf(format, args...)}}
	}
	var list []any
	if present && v != nil {
		l, ok := v.([]any)
		if !ok {
			return nil, prob("«%s» debe ser una lista de renglones.", f.Label)
		}
		list = l
	}
	if len(list) > f.RowLimit() {
		return nil, prob("«%s» admite como máximo %d renglones (se recibieron %d).", f.Label, f.RowLimit(), len(list))
	}
	var probs []Problem
	rows := make([]Row, 0, len(list))
	for i, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			probs = append(probs, prob("«%s», renglón %d: debe ser un objeto con las columnas %s.", f.Label, i+1, columnNames(f))...)
			continue
		}
		if blankRow(obj) {
			continue // forms submit empty rows; they are not data
		}
		row := make(Row, len(f.Columns))
		for j := range f.Columns {
			c := &f.Columns[j]
			cv, ok := obj[c.Name]
			label := fmt.Sprintf("«%s», renglón %d: «%s»", f.Label, i+1, c.Label)
			if c.Signature {
				if !isBlank(cv) {
					probs = append(probs, Problem{Field: f.Name, Message: label + " se firma a mano en el documento impreso: déjela en blanco."})
				}
				continue
			}
			s, p := validateScalar(c, label, cv, ok)
			if p != "" {
				probs = append(probs, Problem{Field: f.Name, Message: p})
			} else if s != "" {
				row[c.Name] = s
			}
		}
		var unknown []string
		for name := range obj {
			if columnIndex(f, name) < 0 {
				unknown = append(unknown, name)
			}
		}
		sort.Strings(unknown)
		for _, name := range unknown {
			probs = append(probs, prob("«%s», renglón %d: la columna «%s» no existe.", f.Label, i+1, printable(name))...)
		}
		rows = append(rows, row)
	}
	min := f.MinRows
	if f.Required && min < 1 {
		min = 1
	}
	if len(probs) == 0 && len(rows) < min {
		if min == 1 {
			return nil, prob("«%s» requiere al menos un renglón.", f.Label)
		}
		return nil, prob("«%s» requiere al menos %d renglones.", f.Label, min)
	}
	return rows, probs
}

// isBlank tells whether a submitted value is empty: nothing, or spaces.
func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

func blankRow(obj map[string]any) bool {
	for _, v := range obj {
		switch x := v.(type) {
		case nil:
		case string:
			if strings.TrimSpace(x) != "" {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func columnIndex(f *Field, name string) int {
	for i := range f.Columns {
		if f.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

func columnNames(f *Field) string {
	names := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		names[i] = "«" + c.Label + "»"
	}
	return strings.Join(names, ", ")
}

// validateScalar returns the canonical value, or a problem worded with
// label (which already carries the «» quotes for table cells).
func validateScalar(f *Field, label string, v any, present bool) (string, string) {
	if !strings.HasPrefix(label, "«") {
		label = "«" + label + "»"
	}
	var s string
	switch x := v.(type) {
	case nil:
	case string:
		s = x
	case json.Number:
		s = x.String()
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool, map[string]any, []any:
		return "", label + " debe ser texto, no " + jsonKind(x) + "."
	default:
		return "", label + " tiene un valor de tipo no admitido."
	}
	_ = present
	if !utf8.ValidString(s) {
		return "", label + " contiene bytes que no son texto UTF-8 válido."
	}
	if f.Type == FieldLongText {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.TrimRight(s, " \t\n")
		s = strings.TrimLeft(s, "\n")
	} else if f.Type != FieldSecret {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		if f.Required {
			if strings.HasPrefix(label, "«") && strings.Count(label, "«") == 1 {
				return "", "El campo " + label + " es obligatorio."
			}
			return "", label + " es obligatorio."
		}
		return "", ""
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(f.Type == FieldLongText && (r == '\n' || r == '\t')) {
			return "", label + " contiene caracteres de control no permitidos."
		}
	}
	for _, r := range s {
		if _, ok := CP1252(r); !ok {
			return "", fmt.Sprintf("%s contiene el carácter «%c», que no se puede imprimir; escríbalo con letras, números o signos comunes.", label, r)
		}
	}
	if n := utf8.RuneCountInString(s); n > f.Limit() {
		return "", fmt.Sprintf("%s es demasiado largo: %d caracteres; el máximo es %d.", label, n, f.Limit())
	}
	switch f.Type {
	case FieldDate:
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			return "", label + " no es una fecha válida (use AAAA-MM-DD)."
		}
		if d.Year() < 1900 || d.Year() > 2199 {
			return "", label + " tiene un año fuera de rango (1900 a 2199)."
		}
		return d.Format(DateLayout), ""
	case FieldTime:
		tm, err := time.Parse("15:04", s)
		if err != nil || len(s) != 5 {
			return "", label + " no es una hora válida (use HH:MM, de 00:00 a 23:59)."
		}
		return tm.Format("15:04"), ""
	case FieldNumber:
		n, ok := parseNumber(s)
		if !ok {
			return "", label + " no es un número válido (use dígitos, p. ej. 12 o 3.5)."
		}
		if strings.HasPrefix(n, "-") {
			// Quantities, counts and amounts of an official document are
			// never below zero.
			return "", label + " no puede ser negativo."
		}
		return n, ""
	case FieldMoney:
		if strings.HasPrefix(strings.TrimPrefix(s, "$"), "-") || strings.HasPrefix(s, "-") {
			return "", label + " no puede ser una cantidad negativa."
		}
		m, ok := parseMoney(s)
		if !ok {
			return "", label + " no es una cantidad de dinero válida (p. ej. 1250.50)."
		}
		return m, ""
	case FieldEmail:
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
			return "", label + " no es una dirección de correo válida (p. ej. nombre@dominio.gob.mx)."
		}
		at := strings.LastIndex(s, "@")
		return s[:at] + strings.ToLower(s[at:]), ""
	case FieldChoice:
		for _, o := range f.Options {
			if strings.EqualFold(o, s) {
				return o, ""
			}
		}
		return "", label + " debe ser una de estas opciones: " + strings.Join(f.Options, ", ") + "."
	}
	return s, ""
}

func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return "verdadero/falso"
	case map[string]any:
		return "un objeto"
	case []any:
		return "una lista"
	}
	return "otro tipo"
}

// parseNumber accepts an optional sign, digits and an optional decimal
// point: what a clerk types. No exponents, no grouping.
func parseNumber(s string) (string, bool) {
	t := strings.TrimPrefix(s, "+")
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimPrefix(t, "-")
	if t == "" || strings.Count(t, ".") > 1 || t[0] == '.' || t[len(t)-1] == '.' {
		return "", false
	}
	for _, r := range t {
		if !(r >= '0' && r <= '9' || r == '.') {
			return "", false
		}
	}
	if len(t) > 18 {
		return "", false
	}
	t = strings.TrimLeft(t, "0")
	if t == "" || t[0] == '.' {
		t = "0" + t
	}
	if neg && strings.Trim(t, "0.") != "" {
		t = "-" + t
	}
	return t, true
}

// parseMoney accepts "1250", "1250.5", "1,250.50" and "$1,250.50"; it
// returns the amount with exactly two decimals. Negative amounts are not
// money a form asks for.
func parseMoney(s string) (string, bool) {
	t := strings.TrimSpace(strings.TrimPrefix(s, "$"))
	if strings.Contains(t, ",") {
		intPart := t
		if i := strings.IndexByte(t, '.'); i >= 0 {
			intPart = t[:i]
		}
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return "", false
			}
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		return "", false
	}
	n, ok := parseNumber(t)
	if !ok {
		return "", false
	}
	whole, frac, _ := strings.Cut(n, ".")
	if len(frac) > 2 {
		return "", false
	}
	frac += strings.Repeat("0", 2-len(frac))
	return whole + "." + frac, true
}

// FormatMoney writes a canonical amount as "$1,250.50".
func FormatMoney(s string) string { return "$" + groupThousands(s) }

// Public returns v without secret fields and secret table columns: what may
// be stored, indexed and logged.
func (t *DocType) Public(v Values) Values {
	out := make(Values, len(v))
	for name, val := range v {
		f := t.Field(name)
		if f == nil || f.Type == FieldSecret {
			continue
		}
		if val.Rows != nil {
			rows := make([]Row, len(val.Rows))
			for i, r := range val.Rows {
				rows[i] = make(Row, len(r))
				for c, cell := range r {
					if j := columnIndex(f, c); j >= 0 && f.Columns[j].Type != FieldSecret {
						rows[i][c] = cell
					}
				}
			}
			val = Value{Rows: rows}
		}
		out[name] = val
	}
	return out
}

// Secrets returns what Public leaves out of v: its secret fields, and of
// each table its secret columns (rows keep their place). It is for keyed
// comparisons only: nothing derived from it without a key may be stored.
func (t *DocType) Secrets(v Values) Values {
	out := Values{}
	for name, val := range v {
		f := t.Field(name)
		switch {
		case f == nil:
		case f.Type == FieldSecret:
			out[name] = val
		case val.Rows != nil:
			rows := make([]Row, len(val.Rows))
			found := false
			for i, r := range val.Rows {
				rows[i] = Row{}
				for c, cell := range r {
					if j := columnIndex(f, c); j >= 0 && f.Columns[j].Type == FieldSecret {
						rows[i][c], found = cell, true
					}
				}
			}
			if found {
				out[name] = Value{Rows: rows}
			}
		}
	}
	return out
}
