package legajo

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Registries as live data.
//
// A registry (padrón de cuentas de correo, bitácora de medidas de
// seguridad, accesos por persona, equipo en reparación, bitácora de
// respaldos, líneas telefónicas…) is a table of rows keyed by an id. Rows
// are never edited in place: every change — alta, modificación, baja,
// restablecimiento, entrada or salida of stock, an anotación — is part of a
// RegistroEvent filed in the archive as a chain entry of the expediente
// RegistroExpediente whose manifest holds the event, exactly as the
// movements of cases are. Events of one registry are numbered 1, 2, 3…
// and the archive claims each number with a conditional create, so two
// processes cannot both file number N; the loser syncs, checks its change
// again against the new state and takes N+1. Every process replays the
// events at start (Registros.Sync) and follows those filed after: the
// archive stays the system of record, memory is a cache of it.
//
// A registry is defined by a RegistroDef: its columns (a whitelist: a
// field that is not a column is refused, so a password can never be
// stored), how a row's key is made, which change kinds it takes and, in
// FromDocument, what the issue of a document changes in it. To add a
// registry: write its RegistroDef (a file registro_<name>.go), give it a
// Number nobody uses and add it to RegistroDefs.

// RegistroExpediente is the expediente whose chain records every change
// of every registry.
const RegistroExpediente = "registros"

// RegistroSerie is the serie of the folio a registry's chain entries carry:
// RG/<the registry's Number>/<year of the event>. It is nobody's document.
const RegistroSerie = "RG"

// EventRegistro is the chain entry of a registry's event; its manifest
// holds the event.
const EventRegistro EventKind = "registro"

// RegistroKind is what a change does to a row.
type RegistroKind string

const (
	RegAlta             RegistroKind = "alta"             // a new row (or one imported)
	RegModificacion     RegistroKind = "modificacion"     // fields of an active row change
	RegBaja             RegistroKind = "baja"             // the row is closed; it stays listed
	RegRestablecimiento RegistroKind = "restablecimiento" // e.g. a password reset: recorded, the row stays as it was
	RegReactivacion     RegistroKind = "reactivacion"     // a row given de baja is active again
	RegEntrada          RegistroKind = "entrada"          // stock in (Qty > 0)
	RegSalida           RegistroKind = "salida"           // stock out (Qty > 0, at most what is held)
	RegAnotacion        RegistroKind = "anotacion"        // something happened to the row (a backup made); fields may change
)

// Label words a change kind for people.
func (k RegistroKind) Label() string {
	switch k {
	case RegAlta:
		return "Alta"
	case RegModificacion:
		return "Modificación"
	case RegBaja:
		return "Baja"
	case RegRestablecimiento:
		return "Restablecimiento"
	case RegReactivacion:
		return "Reactivación"
	case RegEntrada:
		return "Entrada"
	case RegSalida:
		return "Salida"
	case RegAnotacion:
		return "Anotación"
	}
	return string(k)
}

// Where a change came from.
const (
	RegFromManual    = "manual"      // typed in the form, the API or the CLI
	RegFromDocument  = "documento"   // the issue of a document (Folio, Type)
	RegFromImport    = "importacion" // an import of existing rows (CSV or XLSX)
	RegFromCancelled = "cancelacion" // a document that had changed the row was cancelled
)

// RegistroEvent is one filing in a registry: one or more changes made
// together (an import is one event, so it is filed whole or not at all).
type RegistroEvent struct {
	Registro string           `json:"registro"`
	Seq      int              `json:"seq"` // 1, 2, 3… within the registry
	At       time.Time        `json:"at"`
	Author   string           `json:"author"`
	Source   string           `json:"source"`          // RegFrom…
	Folio    string           `json:"folio,omitempty"` // the document that made it
	Type     string           `json:"type,omitempty"`  // that document's type
	Note     string           `json:"note,omitempty"`  // why, in the clerk's words; the import's file name
	Changes  []RegistroChange `json:"changes"`
}

// RegistroChange is what one event does to one row.
type RegistroChange struct {
	Row    string            `json:"row"` // the row's key
	Kind   RegistroKind      `json:"kind"`
	Fields map[string]string `json:"fields,omitempty"` // values set (columns of the registry only)
	Qty    int               `json:"qty,omitempty"`    // for entrada and salida
	Note   string            `json:"note,omitempty"`
	// Line is the row of the imported file the change comes from, for
	// messages («Fila 12: …»); not filed.
	Line int `json:"-"`
}

// RegistroColumn is a column of a registry.
type RegistroColumn struct {
	Name     string   `json:"name"`
	Label    string   `json:"label"`
	Kind     string   `json:"kind"` // ColTexto, ColFecha, ColCorreo, ColOpcion, ColNumero
	Required bool     `json:"required,omitempty"`
	Options  []string `json:"options,omitempty"` // for ColOpcion
	Max      int      `json:"max,omitempty"`     // characters; 0: 200
	// List: shown in the registry's table (the others only in the row).
	List bool `json:"list,omitempty"`
}

// Column kinds.
const (
	ColTexto  = "texto"
	ColFecha  = "fecha" // AAAA-MM-DD
	ColCorreo = "correo"
	ColOpcion = "opcion"
	ColNumero = "numero" // a whole number ≥ 0
)

// IssuedDoc is what a registry reads of a document when it is issued:
// its public values only (never a secret field).
type IssuedDoc struct {
	Folio  string
	Type   string
	Values Values
	Author string
	At     time.Time
}

// Field is the text of one value.
func (d IssuedDoc) Field(name string) string { return strings.TrimSpace(d.Values[name].Text) }

// RegistroDef defines a registry.
type RegistroDef struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Procedures  []string `json:"procedures"` // the manual's procedure numbers
	// Number is the registry's folio number: its chain entries carry
	// RG/<Number>/<year>. Unique and never reused.
	Number  int              `json:"number"`
	Columns []RegistroColumn `json:"columns"`
	// Key names the columns whose values, joined, make a row's key (the
	// account, the person's name…); compared without case or accents. The
	// first is required, the others join the key when they have a value.
	// Empty: rows are numbered KeyPrefix-0001, -0002… in order of alta.
	Key       []string       `json:"key,omitempty"`
	KeyPrefix string         `json:"key_prefix,omitempty"`
	Kinds     []RegistroKind `json:"kinds"`           // the changes it takes
	Stock     bool           `json:"stock,omitempty"` // rows hold a quantity
	// Types are the document types whose issue changes it.
	Types []string `json:"types,omitempty"`
	// FromDocument says what issuing d changes in the registry (nil: the
	// registry does not follow documents). rows is the registry as it is
	// now. An error means the document's values do not fit the registry;
	// the document is issued anyway and the error logged.
	FromDocument func(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) `json:"-"`
	// Check validates the fields of a change beyond their columns (nil:
	// nothing more); Problems name the field.
	Check func(c RegistroChange, row *RegistroRow) []Problem `json:"-"`
}

// RegistroView is a registry as it stands, for FromDocument.
type RegistroView interface {
	Row(key string) *RegistroRow // nil when absent
	Rows() []*RegistroRow        // in order of alta
}

// Column returns the column named name.
func (d *RegistroDef) Column(name string) (RegistroColumn, bool) {
	for _, c := range d.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return RegistroColumn{}, false
}

// Takes tells whether the registry takes changes of kind k.
func (d *RegistroDef) Takes(k RegistroKind) bool {
	for _, x := range d.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Folio is the folio of the registry's chain entries in year.
func (d *RegistroDef) Folio(year int) Folio {
	return Folio{Serie: RegistroSerie, Number: d.Number, Year: year}
}

// KeyOf makes a row's key from its fields ("" when the first key column
// is empty or the registry numbers its rows).
func (d *RegistroDef) KeyOf(fields map[string]string) string {
	var parts []string
	for i, k := range d.Key {
		v := strings.Join(strings.Fields(fields[k]), " ")
		if v == "" && i == 0 {
			return ""
		}
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " · ")
}

// NormalizeKey is how keys are compared: without case, accents or extra
// spaces, so «José Pérez» and «JOSE  PEREZ» are one row.
func NormalizeKey(s string) string {
	return trailFold(s)
}

// forbiddenColumn are words no column name may contain: Legajo never
// stores a password, whatever a registry's definition says.
var forbiddenColumn = []string{"contrasena", "password", "clave de acceso", "pwd", "secret", "passwd"}

// secretColumn tells whether a column's name or heading speaks of a
// password.
func secretColumn(name string) bool {
	n := strings.NewReplacer("_", " ", "-", " ").Replace(NormalizeKey(name))
	for _, w := range forbiddenColumn {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// CheckDef validates a definition at start-up.
func (d *RegistroDef) CheckDef() error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if !validName(d.ID) {
		add("id %q: use lower-case words joined by '-'", d.ID)
	}
	if d.Title == "" || d.Number < 1 || len(d.Columns) == 0 || len(d.Kinds) == 0 {
		add("title, number, columns and kinds are required")
	}
	if len(d.Key) == 0 && d.KeyPrefix == "" {
		add("either key or key_prefix")
	}
	seen := map[string]bool{}
	for _, c := range d.Columns {
		if secretColumn(c.Name) || secretColumn(c.Label) {
			add("column %q: Legajo never stores passwords", c.Name)
		}
		if c.Name == "" || seen[c.Name] || c.Label == "" {
			add("column %q: name missing or repeated, or no label", c.Name)
		}
		seen[c.Name] = true
		switch c.Kind {
		case ColTexto, ColFecha, ColCorreo, ColNumero:
		case ColOpcion:
			if len(c.Options) == 0 {
				add("column %q: an option column needs options", c.Name)
			}
		default:
			add("column %q: kind %q", c.Name, c.Kind)
		}
	}
	for _, k := range d.Key {
		if !seen[k] {
			add("key %q is not a column", k)
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("registro %s: %s", d.ID, strings.Join(probs, "; "))
	}
	return nil
}

// checkFields validates the fields of a change against the columns: only
// columns, one line each, within length, of their kind. Problems name the
// column by its label; field names are prefixed with prefix (the import
// says «Fila 12, columna Cuenta»).
func (d *RegistroDef) checkFields(fields map[string]string, alta bool, prefix string) []Problem {
	var probs []Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Message: prefix + fmt.Sprintf(format, args...)})
	}
	for name := range fields {
		if _, ok := d.Column(name); !ok {
			add(name, "«%s» no es una columna del registro «%s».", printable(name), d.Title)
		}
	}
	for _, c := range d.Columns {
		v, has := fields[c.Name]
		v = strings.TrimSpace(v)
		if v == "" {
			if c.Required && (alta || has) {
				add(c.Name, "«%s» es obligatorio.", c.Label)
			}
			continue
		}
		max := c.Max
		if max == 0 {
			max = 200
		}
		if !utf8.ValidString(v) {
			add(c.Name, "«%s» no es texto válido.", c.Label)
			continue
		}
		if n := utf8.RuneCountInString(v); n > max {
			add(c.Name, "«%s» es demasiado largo: el máximo es %d caracteres (tiene %d).", c.Label, max, n)
			continue
		}
		if err := checkLine(c.Label, v, max); err != nil {
			add(c.Name, "%s", err.Error())
			continue
		}
		switch c.Kind {
		case ColFecha:
			if _, err := time.Parse(DateLayout, v); err != nil {
				add(c.Name, "«%s» debe ser una fecha AAAA-MM-DD (se recibió «%s»).", c.Label, printable(v))
			}
		case ColCorreo:
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v || a.Name != "" || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") {
				add(c.Name, "«%s» no es una dirección de correo válida (se recibió «%s»).", c.Label, printable(v))
			}
		case ColNumero:
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				add(c.Name, "«%s» debe ser un número entero (se recibió «%s»).", c.Label, printable(v))
			}
		case ColOpcion:
			ok := false
			for _, o := range c.Options {
				if o == v {
					ok = true
				}
			}
			if !ok {
				add(c.Name, "«%s» debe ser una de: %s (se recibió «%s»).", c.Label, strings.Join(c.Options, ", "), printable(v))
			}
		}
	}
	return probs
}

// RegistroRow is a row as its events left it.
type RegistroRow struct {
	Key     string            `json:"key"`
	Fields  map[string]string `json:"fields"`
	Active  bool              `json:"active"` // false after a baja
	Qty     int               `json:"qty,omitempty"`
	Created time.Time         `json:"created"`
	Updated time.Time         `json:"updated"`
	History []RegistroStep    `json:"history"`
}

// RegistroStep is one change in a row's history: what, when, who, and the
// document that made it.
type RegistroStep struct {
	Seq    int               `json:"seq"`
	Kind   RegistroKind      `json:"kind"`
	At     time.Time         `json:"at"`
	Author string            `json:"author"`
	Source string            `json:"source"`
	Folio  string            `json:"folio,omitempty"`
	Type   string            `json:"type,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
	Qty    int               `json:"qty,omitempty"`
	Note   string            `json:"note,omitempty"`
}

// Status words a row's state for people.
func (r *RegistroRow) Status() string {
	if r.Active {
		return "Vigente"
	}
	return "Baja"
}

// Last returns the last step of kind k (nil when there is none).
func (r *RegistroRow) Last(k RegistroKind) *RegistroStep {
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].Kind == k {
			return &r.History[i]
		}
	}
	return nil
}

// clone is r to be changed, for the registry's next event; readers keep r.
// The history is shared, not copied: steps are only ever appended, by the
// registry holding its lock and always to a row's newest version, so the
// clone's append writes past the end of r's History, where none of r's
// readers look, or into a new array. Copying it made replaying a row
// changed n times cost n²/2 steps (1 s and 1.9 GB for one account reset
// 5,000 times; BenchmarkRegistro/replay-1-row-5000-changes).
func (r *RegistroRow) clone() *RegistroRow {
	n := *r
	n.Fields = make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		n.Fields[k] = v
	}
	return &n
}

// Matches tells whether the row holds every word of q (without case or
// accents) in its key or its fields.
func (r *RegistroRow) Matches(q string) bool {
	words := strings.Fields(NormalizeKey(q))
	if len(words) == 0 {
		return true
	}
	var b strings.Builder
	b.WriteString(NormalizeKey(r.Key))
	for _, v := range r.Fields {
		b.WriteByte(' ')
		b.WriteString(NormalizeKey(v))
	}
	s := b.String()
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
