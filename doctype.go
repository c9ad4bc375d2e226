package legajo

// FieldType is the kind of value a field holds. The names are part of the
// command-line contract (legajo types --json).
type FieldType string

const (
	FieldText     FieldType = "text"     // one line
	FieldLongText FieldType = "longtext" // paragraphs
	FieldDate     FieldType = "date"     // AAAA-MM-DD
	FieldTime     FieldType = "time"     // HH:MM, 24 h
	FieldNumber   FieldType = "number"   // integer or decimal
	FieldMoney    FieldType = "money"    // pesos, up to two decimals
	FieldEmail    FieldType = "email"
	FieldChoice   FieldType = "choice" // one of Options
	FieldTable    FieldType = "table"  // rows of Columns
	FieldSecret   FieldType = "secret" // printed only on the tanto handed to the person; never stored
)

// Field is one datum a clerk fills in.
type Field struct {
	Name     string    `json:"name"`
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required"`
	Help     string    `json:"help,omitempty"`
	Options  []string  `json:"options,omitempty"` // choice
	Columns  []Field   `json:"columns,omitempty"` // table
	// MaxLen bounds text in characters; 0 means the type's default.
	MaxLen int `json:"max_len,omitempty"`
	// MinRows and MaxRows bound a table; MaxRows 0 means the default.
	MinRows int `json:"min_rows,omitempty"`
	MaxRows int `json:"max_rows,omitempty"`
	// Width is a table column's share of the table width (relative).
	Width float64 `json:"width,omitempty"`
	// Signature marks a table column left blank for a handwritten
	// signature (the «Firma» of a lista de asistencia): the form asks
	// nothing for it and the printed table keeps its cells empty.
	Signature bool `json:"signature,omitempty"`

	// Gender names the choice field (options OptionF, OptionM) that gives
	// the grammatical gender of the person this field names, so that texts
	// say «la Ing.», «designada» (see Inflect).
	Gender string `json:"gender,omitempty"`

	// Rules across fields, checked after each value is valid on its own
	// (see rules.go). Each failure is reported beside this field.

	// RequiredWhen makes the field (a table: at least one row) required
	// when the condition holds.
	RequiredWhen *Condition `json:"required_when,omitempty"`
	// Min and Max bound a number or an amount.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// After names a field of the same type (date or time) this one must be
	// later than; NotBefore one it must not precede. A table column may
	// name a field of the document.
	After     string `json:"after,omitempty"`
	NotBefore string `json:"not_before,omitempty"`
	// PastDays and FutureDays bound a date around the document's date;
	// 0 means the defaults (DefaultPastDays, DefaultFutureDays).
	PastDays   int `json:"past_days,omitempty"`
	FutureDays int `json:"future_days,omitempty"`
}

// A date further from the document's date than these is a typing mistake
// (a year of 2062 or 1926), unless the definition allows it.
const (
	DefaultPastDays   = 10 * 366
	DefaultFutureDays = 2 * 366
)

// Default bounds, generous for any real document yet small enough that a
// mistaken paste cannot produce a hundred-page PDF.
const (
	DefaultTextLen     = 200
	DefaultLongTextLen = 4000
	DefaultSecretLen   = 128
	DefaultMaxRows     = 60
)

// Limit is the field's effective maximum length in characters.
func (f *Field) Limit() int {
	if f.MaxLen > 0 {
		return f.MaxLen
	}
	switch f.Type {
	case FieldLongText:
		return DefaultLongTextLen
	case FieldSecret:
		return DefaultSecretLen
	}
	return DefaultTextLen
}

// RowLimit is the table's effective maximum number of rows.
func (f *Field) RowLimit() int {
	if f.MaxRows > 0 {
		return f.MaxRows
	}
	return DefaultMaxRows
}

// Tanto is one printed exemplar of a document and where it goes.
type Tanto struct {
	Name        string `json:"name"`        // ORIGINAL, COPIA
	Destination string `json:"destination"` // who receives it, e.g. "Área solicitante"
	// Delivered marks the exemplar handed to the addressee or the person;
	// it is the only one that shows secret fields.
	Delivered bool `json:"delivered"`
	// Filed marks the exemplar kept in the expediente.
	Filed bool `json:"filed"`
	// Acuse marks the exemplar that comes back signed by the receiver; it
	// carries the acuse box and the document waits for it.
	Acuse bool `json:"acuse"`
	// Firma marks the exemplar that comes back signed by someone outside
	// the department (de conformidad, or an authorization): the document
	// is «pendiente de firma» until the signed exemplar is filed.
	Firma bool `json:"firma,omitempty"`
}

// Layout selects the page composition of a document type.
type Layout string

const (
	LayoutOficio  Layout = "oficio"  // número, asunto, lugar y fecha, destinatario, cuerpo, ATENTAMENTE
	LayoutTarjeta Layout = "tarjeta" // PARA / DE / ASUNTO / FECHA, internal
	LayoutFormato Layout = "formato" // centred title, folio box, data grids and tables (minutas, formatos, reportes, dictámenes)
	LayoutLabel   Layout = "etiqueta"
)

// Procedure names a procedure of the manual and the steps that produce a
// document.
type Procedure struct {
	Name  string   `json:"name"`
	Steps []string `json:"steps"`
}

// Condition restricts a block to documents whose field Field is set, or,
// when In is given, holds one of those values.
type Condition struct {
	Field string   `json:"field"`
	In    []string `json:"in,omitempty"`
}

// BlockKind is the kind of a piece of a document's body.
type BlockKind string

const (
	BlockTitle   BlockKind = "title"   // centred, bold, upper case as written
	BlockHeading BlockKind = "heading" // a section heading
	BlockText    BlockKind = "text"    // a justified paragraph with placeholders
	BlockData    BlockKind = "data"    // label: value grid of the named fields
	BlockTable   BlockKind = "table"   // the rows of one table field
	BlockField   BlockKind = "field"   // a long text field, labelled, as paragraphs
)

// Block is one piece of a document's body, rendered in order.
type Block struct {
	Kind   BlockKind `json:"kind"`
	Text   Text      `json:"text,omitempty"`   // title, heading, text
	Fields []string  `json:"fields,omitempty"` // data, table, field
	// Columns of a data grid: 1 or 2.
	Columns int        `json:"columns,omitempty"`
	When    *Condition `json:"when,omitempty"`
}

// SignatureBlock is a place for a handwritten signature. The signer is
// either a role resolved to the signatory in office on the document's date,
// or a name and position taken from the document's fields.
type SignatureBlock struct {
	Caption  Text   `json:"caption"`            // ATENTAMENTE, ELABORÓ, RECIBE DE CONFORMIDAD …
	Role     string `json:"role,omitempty"`     // e.g. jefe-dti
	Name     Text   `json:"name,omitempty"`     // from fields, when no role
	Position Text   `json:"position,omitempty"` // from fields, when no role
	// Tantos limits the block to these exemplars; empty means all.
	Tantos []string   `json:"tantos,omitempty"`
	When   *Condition `json:"when,omitempty"`
}

// CopyLine is one line of the c.c.p. (con copia para) list.
type CopyLine struct {
	Role string `json:"role,omitempty"` // the signatory in office for the role
	Text Text   `json:"text,omitempty"` // or literal text with placeholders
}

// DocType is a kind of official document, defined as data. Its Version is
// recorded in every document it produces.
type DocType struct {
	ID         string      `json:"id"`
	Title      string      `json:"title"`
	Version    int         `json:"version"`
	Serie      string      `json:"serie"`      // folio serie code, e.g. OL
	Expediente string      `json:"expediente"` // default expediente id
	Layout     Layout      `json:"layout"`
	Procedures []Procedure `json:"procedures"`
	Tantos     []Tanto     `json:"tantos"`
	Fields     []Field     `json:"fields"`

	// Heading is the document's printed name, e.g. "OFICIO DE LIBERACIÓN DE
	// SISTEMA"; it may depend on fields (variants).
	Heading Text `json:"heading"`
	// Subject is the asunto line.
	Subject Text `json:"subject"`
	// Recipient, for oficios and tarjetas: name, position and dependency
	// lines, each a template.
	Recipient []Text `json:"recipient,omitempty"`
	// Sender, for tarjetas (DE:); a role.
	SenderRole string           `json:"sender_role,omitempty"`
	Body       []Block          `json:"body"`
	Closing    Text             `json:"closing,omitempty"`
	Signatures []SignatureBlock `json:"signatures"`
	Copies     []CopyLine       `json:"copies,omitempty"`
	Notes      string           `json:"notes,omitempty"` // for the clerk: when to use it
	// Stages are the states of the equipment a document follows (the
	// servicio a equipo: recibido … entregado), in order; each is filed
	// once, with its date and person.
	Stages []string `json:"stages,omitempty"`
	// Routes send a variant elsewhere: the first whose condition holds
	// gives the expediente and the tantos' destinations (see Route).
	Routes []Route `json:"routes,omitempty"`
	// Roles are the roles texts name ({{rol.jefe-dti:el}}): the
	// signatories in office are resolved for them when a document is
	// prepared.
	Roles []string `json:"roles,omitempty"`

	byName map[string]*Field
}

// RolePrefix begins a placeholder that names the signatory in office for a
// role: {{rol.jefe-dti}} is the name, {{rol.jefe-dti:puesto}} the position.
const RolePrefix = "rol."

// Route is where the documents of a variant go: the expediente the manual
// names for it and, by tanto name, the destination printed on the tanto.
type Route struct {
	When         Condition         `json:"when"`
	Expediente   string            `json:"expediente,omitempty"`
	Destinations map[string]string `json:"destinations,omitempty"`
}

// route is the first route whose condition v meets, or nil.
func (t *DocType) route(v Values) *Route {
	for i := range t.Routes {
		if holds(&t.Routes[i].When, v) {
			return &t.Routes[i]
		}
	}
	return nil
}

// ExpedienteFor is where a document of t with values v is filed when the
// clerk does not choose: its variant's expediente, or the type's.
func (t *DocType) ExpedienteFor(v Values) string {
	if r := t.route(v); r != nil && r.Expediente != "" {
		return r.Expediente
	}
	return t.Expediente
}

// TantoFor is tanto as it goes for values v: with its variant's
// destination.
func (t *DocType) TantoFor(tanto Tanto, v Values) Tanto {
	if r := t.route(v); r != nil {
		if d, ok := r.Destinations[tanto.Name]; ok {
			tanto.Destination = d
		}
	}
	return tanto
}

// Field returns the field called name, or nil.
func (t *DocType) Field(name string) *Field {
	if t.byName == nil {
		t.index()
	}
	return t.byName[name]
}

// index builds the name lookup. Callers that load definitions call it once
// before sharing the DocType between goroutines (see Index).
func (t *DocType) index() {
	t.byName = make(map[string]*Field, len(t.Fields))
	for i := range t.Fields {
		t.byName[t.Fields[i].Name] = &t.Fields[i]
	}
}

// Index prepares t for concurrent use. Loaders call it once.
func (t *DocType) Index() { t.index() }

// Tanto returns the tanto called name, or false.
func (t *DocType) Tanto(name string) (Tanto, bool) {
	for _, x := range t.Tantos {
		if x.Name == name {
			return x, true
		}
	}
	return Tanto{}, false
}

// HasSecrets tells whether any field of t is secret.
func (t *DocType) HasSecrets() bool {
	for _, f := range t.Fields {
		if f.Type == FieldSecret {
			return true
		}
		for _, c := range f.Columns {
			if c.Type == FieldSecret {
				return true
			}
		}
	}
	return false
}
