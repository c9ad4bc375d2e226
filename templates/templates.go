// Package templates loads the document-type definitions: one YAML file per
// type under types/, embedded in the binary and validated at start-up. A
// broken definition is an error that names the file and the problem, so a
// typo never reaches a signed document.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sesver/legajo"
)

//go:embed types/*.yaml procedures/*.yaml
var embedded embed.FS

// Load reads and validates the embedded definitions.
func Load() (*legajo.Catalog, error) {
	sub, err := fs.Sub(embedded, "types")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads and validates every *.yaml file at the top of fsys.
func LoadFS(fsys fs.FS) (*legajo.Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var errs []error
	var types []*legajo.DocType
	series := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		t, err := Parse(b)
		if err == nil && t.ID != strings.TrimSuffix(name, ".yaml") {
			err = fmt.Errorf("id %q does not match the file name", t.ID)
		}
		if err == nil {
			if other, dup := series[t.Serie]; dup {
				err = fmt.Errorf("serie %q is already used by %s", t.Serie, other)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: types/%s: %w", name, err))
			continue
		}
		series[t.Serie] = t.ID
		types = append(types, t)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(types) == 0 {
		return nil, errors.New("templates: no definitions found")
	}
	return legajo.NewCatalog(types), nil
}

// def is the file format. Keys are English, as in `legajo types --json`;
// values a clerk reads are Spanish.
type def struct {
	ID         string             `yaml:"id"`
	Title      string             `yaml:"title"`
	Version    int                `yaml:"version"`
	Serie      string             `yaml:"serie"`
	Expediente string             `yaml:"expediente"`
	Layout     string             `yaml:"layout"`
	Notes      string             `yaml:"notes"`
	Procedures []legajo.Procedure `yaml:"procedures"`
	Stages     []string           `yaml:"stages"`
	Tantos     []tantoDef         `yaml:"tantos"`
	Heading    string             `yaml:"heading"`
	Subject    string             `yaml:"subject"`
	Recipient  []string           `yaml:"recipient"`
	SenderRole string             `yaml:"sender_role"`
	Fields     []fieldDef         `yaml:"fields"`
	Body       []blockDef         `yaml:"body"`
	Closing    string             `yaml:"closing"`
	Signatures []signatureDef     `yaml:"signatures"`
	Copies     []copyDef          `yaml:"copies"`
	Routes     []routeDef         `yaml:"routes"`
}

// routeDef sends a variant to its own expediente and destinations.
type routeDef struct {
	When         *condDef          `yaml:"when"`
	Expediente   string            `yaml:"expediente"`
	Destinations map[string]string `yaml:"destinations"`
}

type tantoDef struct {
	Name        string `yaml:"name"`
	Destination string `yaml:"destination"`
	Delivered   bool   `yaml:"delivered"`
	Filed       bool   `yaml:"filed"`
	Acuse       bool   `yaml:"acuse"`
	Firma       bool   `yaml:"firma"`
}

type fieldDef struct {
	Name     string     `yaml:"name"`
	Label    string     `yaml:"label"`
	Type     string     `yaml:"type"`
	Required bool       `yaml:"required"`
	Help     string     `yaml:"help"`
	Options  []string   `yaml:"options"`
	Columns  []fieldDef `yaml:"columns"`
	MaxLen   int        `yaml:"max_len"`
	MinRows  int        `yaml:"min_rows"`
	MaxRows  int        `yaml:"max_rows"`
	Width    float64    `yaml:"width"`
	// Signature: a table column left blank for a handwritten signature.
	Signature bool `yaml:"signature"`
	// Rules across fields (see legajo.Field).
	Gender       string   `yaml:"gender"`
	RequiredWhen *condDef `yaml:"required_when"`
	Min          *float64 `yaml:"min"`
	Max          *float64 `yaml:"max"`
	After        string   `yaml:"after"`
	NotBefore    string   `yaml:"not_before"`
	PastDays     int      `yaml:"past_days"`
	FutureDays   int      `yaml:"future_days"`
}

type condDef struct {
	Field string   `yaml:"field"`
	In    []string `yaml:"in"`
}

type blockDef struct {
	Title   *string  `yaml:"title"`
	Heading *string  `yaml:"heading"`
	Text    *string  `yaml:"text"`
	Data    []string `yaml:"data"`
	Table   *string  `yaml:"table"`
	Field   *string  `yaml:"field"`
	Columns int      `yaml:"columns"`
	When    *condDef `yaml:"when"`
}

type signatureDef struct {
	Caption  string   `yaml:"caption"`
	Role     string   `yaml:"role"`
	Name     string   `yaml:"name"`
	Position string   `yaml:"position"`
	Tantos   []string `yaml:"tantos"`
	When     *condDef `yaml:"when"`
}

type copyDef struct {
	Role string `yaml:"role"`
	Text string `yaml:"text"`
}

var (
	idPattern    = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	namePattern  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	seriePattern = regexp.MustCompile(`^[A-Z]{1,6}[0-9]?$`)
	tantoPattern = regexp.MustCompile(`^[A-ZÁÉÍÓÚÑ ]+$`)
)

// special placeholders every document has.
var special = []string{"folio", "fecha", "lugar"}

// Parse decodes and validates one definition. Unknown keys are errors.
func Parse(b []byte) (*legajo.DocType, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var d def
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	c := &checker{d: &d, used: map[string]bool{}}
	t := c.build()
	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	t.Index()
	return t, nil
}

type checker struct {
	d    *def
	t    *legajo.DocType
	errs []error
	used map[string]bool // fields printed somewhere
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

func (c *checker) build() *legajo.DocType {
	d := c.d
	t := &legajo.DocType{
		ID: d.ID, Title: d.Title, Version: d.Version, Serie: d.Serie, Expediente: d.Expediente,
		Layout: legajo.Layout(d.Layout), Procedures: d.Procedures, Notes: strings.TrimSpace(d.Notes),
		SenderRole: d.SenderRole, Stages: d.Stages,
	}
	c.t = t
	seen := map[string]bool{}
	for _, st := range d.Stages {
		if strings.TrimSpace(st) == "" || seen[st] {
			c.errorf("stages: %q is empty or repeated", st)
		}
		seen[st] = true
	}
	if !idPattern.MatchString(d.ID) {
		c.errorf("id %q: use lower-case words joined by '-'", d.ID)
	}
	if d.Title == "" {
		c.errorf("title is missing")
	}
	if d.Version < 1 {
		c.errorf("version must be 1 or more")
	}
	if !seriePattern.MatchString(d.Serie) {
		c.errorf("serie %q: use 1 to 6 capital letters", d.Serie)
	}
	if d.Expediente == "" && t.Layout != legajo.LayoutLabel {
		c.errorf("expediente is missing")
	}
	switch t.Layout {
	case legajo.LayoutOficio, legajo.LayoutTarjeta, legajo.LayoutFormato, legajo.LayoutLabel:
	default:
		c.errorf("layout %q: want oficio, tarjeta, formato or etiqueta", d.Layout)
	}
	if len(d.Procedures) == 0 {
		c.errorf("procedures: name the procedure(s) and step(s) of the manual")
	}
	for _, p := range d.Procedures {
		if p.Name == "" || len(p.Steps) == 0 {
			c.errorf("procedures: each needs a name and steps")
		}
	}
	c.fields()
	c.rules()
	c.tantos()
	t.Heading = c.text("heading", d.Heading, false)
	if t.Heading.IsZero() {
		c.errorf("heading is missing")
	}
	t.Subject = c.text("subject", d.Subject, false)
	if t.Subject.IsZero() && t.Layout != legajo.LayoutLabel {
		c.errorf("subject is missing")
	}
	for i, r := range d.Recipient {
		t.Recipient = append(t.Recipient, c.text(fmt.Sprintf("recipient[%d]", i), r, false))
	}
	if t.Layout == legajo.LayoutOficio && len(t.Recipient) == 0 {
		c.errorf("recipient: an oficio is addressed to someone")
	}
	c.body()
	t.Closing = c.text("closing", d.Closing, false)
	c.signatures()
	for i, cp := range d.Copies {
		if (cp.Role == "") == (cp.Text == "") {
			c.errorf("copies[%d]: give either role or text", i)
		}
		t.Copies = append(t.Copies, legajo.CopyLine{Role: cp.Role, Text: c.text(fmt.Sprintf("copies[%d]", i), cp.Text, false)})
	}
	c.routes()
	for _, f := range t.Fields {
		if !c.used[f.Name] {
			c.errorf("field %q is never printed: use it in the body, a text or a signature", f.Name)
		}
	}
	return t
}

func (c *checker) fields() {
	seen := map[string]bool{}
	for _, fd := range c.d.Fields {
		f, ok := c.field(fd, "field", false)
		if !ok {
			continue
		}
		if seen[f.Name] || slices.Contains(special, f.Name) {
			c.errorf("field %q: duplicate or reserved name", f.Name)
			continue
		}
		seen[f.Name] = true
		c.t.Fields = append(c.t.Fields, f)
	}
	if len(c.t.Fields) == 0 {
		c.errorf("fields: a document needs at least one field")
	}
}

func (c *checker) field(fd fieldDef, where string, inTable bool) (legajo.Field, bool) {
	f := legajo.Field{Name: fd.Name, Label: fd.Label, Type: legajo.FieldType(fd.Type), Required: fd.Required,
		Help: fd.Help, Options: fd.Options, MaxLen: fd.MaxLen, MinRows: fd.MinRows, MaxRows: fd.MaxRows, Width: fd.Width,
		Signature: fd.Signature, Gender: fd.Gender, Min: fd.Min, Max: fd.Max, After: fd.After, NotBefore: fd.NotBefore,
		PastDays: fd.PastDays, FutureDays: fd.FutureDays}
	where = fmt.Sprintf("%s %q", where, fd.Name)
	n := len(c.errs)
	if !namePattern.MatchString(fd.Name) {
		c.errorf("%s: name must be lower-case letters, digits and '_'", where)
	}
	if fd.Label == "" {
		c.errorf("%s: label is missing", where)
	}
	switch f.Type {
	case legajo.FieldText, legajo.FieldLongText, legajo.FieldDate, legajo.FieldTime, legajo.FieldNumber,
		legajo.FieldMoney, legajo.FieldEmail, legajo.FieldSecret:
	case legajo.FieldChoice:
		if len(fd.Options) < 2 {
			c.errorf("%s: a choice needs two or more options", where)
		}
		for i, o := range fd.Options {
			if o == "" || slices.Contains(fd.Options[:i], o) {
				c.errorf("%s: option %q is empty or repeated", where, o)
			}
		}
	case legajo.FieldTable:
		if inTable {
			c.errorf("%s: tables cannot nest", where)
		}
		if len(fd.Columns) == 0 {
			c.errorf("%s: a table needs columns", where)
		}
		seen := map[string]bool{}
		for _, cd := range fd.Columns {
			col, ok := c.field(cd, where+" column", true)
			if ok && seen[col.Name] {
				c.errorf("%s: column %q repeated", where, col.Name)
			}
			seen[col.Name] = true
			if ok {
				f.Columns = append(f.Columns, col)
			}
		}
		if fd.MaxRows < 0 || fd.MinRows < 0 || (fd.MaxRows > 0 && fd.MinRows > fd.MaxRows) {
			c.errorf("%s: bad min_rows/max_rows", where)
		}
	default:
		c.errorf("%s: unknown type %q", where, fd.Type)
	}
	if f.Type != legajo.FieldChoice && len(fd.Options) > 0 {
		c.errorf("%s: options only go with type choice", where)
	}
	if fd.Signature && (!inTable || f.Type != legajo.FieldText || fd.Required) {
		c.errorf("%s: signature goes on a table column of type text, not required", where)
	}
	if f.Type != legajo.FieldTable && len(fd.Columns) > 0 {
		c.errorf("%s: columns only go with type table", where)
	}
	if fd.MaxLen < 0 || fd.MaxLen > 20000 {
		c.errorf("%s: max_len out of range", where)
	}
	return f, len(c.errs) == n
}

func (c *checker) tantos() {
	t := c.t
	var filed, delivered int
	for _, td := range c.d.Tantos {
		if !tantoPattern.MatchString(td.Name) {
			c.errorf("tanto %q: use capital letters, e.g. ORIGINAL, COPIA", td.Name)
		}
		if _, dup := t.Tanto(td.Name); dup {
			c.errorf("tanto %q repeated", td.Name)
		}
		if td.Destination == "" {
			c.errorf("tanto %q: destination is missing", td.Name)
		}
		if td.Filed {
			filed++
		}
		if td.Delivered {
			delivered++
		}
		if td.Filed && td.Delivered && t.HasSecrets() {
			c.errorf("tanto %q: the exemplar that shows secrets cannot be the filed one", td.Name)
		}
		t.Tantos = append(t.Tantos, legajo.Tanto(td))
	}
	if len(t.Tantos) == 0 {
		c.errorf("tantos: at least one")
	}
	if filed == 0 && t.Layout != legajo.LayoutLabel {
		c.errorf("tantos: one must be filed")
	}
	if t.HasSecrets() && delivered == 0 {
		c.errorf("tantos: a type with secret fields needs the delivered exemplar that shows them")
	}
}

// text parses a template and checks its placeholders. Secrets may appear only
// where allowSecret is true (the body), never in the asunto or the heading,
// which are indexed and listed.
func (c *checker) text(where, s string, allowSecret bool) legajo.Text {
	if s == "" {
		return legajo.Text{}
	}
	t, err := legajo.ParseText(strings.TrimSpace(s))
	if err != nil {
		c.errorf("%s: %v", where, err)
		return legajo.Text{}
	}
	for _, ref := range t.Refs() {
		name := ref.Name
		if slices.Contains(special, name) {
			if ref.Form != "" {
				c.errorf("%s: {{%s}} takes no form", where, name)
			}
			continue
		}
		if role, ok := strings.CutPrefix(name, legajo.RolePrefix); ok {
			if !idPattern.MatchString(role) {
				c.errorf("%s: {{%s}}: name a role, e.g. {{rol.jefe-dti}}", where, name)
			} else if !slices.Contains(c.t.Roles, role) {
				c.t.Roles = append(c.t.Roles, role)
			}
			continue
		}
		f := c.t.Field(name)
		switch {
		case f == nil || ref.Form == "" || ref.Form == "puesto":
		case f.Type == legajo.FieldNumber:
			if !strings.Contains(ref.Form, "/") {
				c.errorf("%s: {{%s:%s}}: a count takes singular/plural nouns", where, name, ref.Form)
			}
		case f.Gender == "":
			c.errorf("%s: {{%s:%s}}: field %q has no gender field (gender: …) to word it by", where, name, ref.Form, name)
		}
		if ref.Form == "puesto" {
			c.errorf("%s: {{%s:puesto}}: only a role ({{rol.…:puesto}}) has a position", where, name)
		}
		switch {
		case f == nil:
			c.errorf("%s: placeholder {{%s}} names no field", where, name)
		case f.Type == legajo.FieldTable:
			c.errorf("%s: placeholder {{%s}} is a table; use a table block", where, name)
		case f.Type == legajo.FieldSecret && !allowSecret:
			c.errorf("%s: placeholder {{%s}} is secret and cannot go here", where, name)
		default:
			c.used[name] = true
		}
	}
	return t
}

func (c *checker) cond(where string, cd *condDef) *legajo.Condition {
	if cd == nil {
		return nil
	}
	f := c.t.Field(cd.Field)
	if f == nil {
		c.errorf("%s: when: no field %q", where, cd.Field)
		return nil
	}
	if f.Type == legajo.FieldSecret || f.Type == legajo.FieldTable {
		c.errorf("%s: when: field %q cannot be a condition", where, cd.Field)
	}
	for _, v := range cd.In {
		if f.Type == legajo.FieldChoice && !slices.Contains(f.Options, v) {
			c.errorf("%s: when: %q is not an option of %q", where, v, cd.Field)
		}
	}
	return &legajo.Condition{Field: cd.Field, In: cd.In}
}

func (c *checker) body() {
	for i, bd := range c.d.Body {
		where := fmt.Sprintf("body[%d]", i)
		var b legajo.Block
		kinds := 0
		if bd.Title != nil {
			kinds++
			b.Kind, b.Text = legajo.BlockTitle, c.text(where, *bd.Title, false)
		}
		if bd.Heading != nil {
			kinds++
			b.Kind, b.Text = legajo.BlockHeading, c.text(where, *bd.Heading, false)
		}
		if bd.Text != nil {
			kinds++
			b.Kind, b.Text = legajo.BlockText, c.text(where, *bd.Text, true)
		}
		if bd.Data != nil {
			kinds++
			b.Kind, b.Fields = legajo.BlockData, bd.Data
			for _, name := range bd.Data {
				if f := c.t.Field(name); f == nil || f.Type == legajo.FieldTable {
					c.errorf("%s: data: %q is not a field with a single value", where, name)
				}
				c.used[name] = true
			}
			if bd.Columns != 0 && bd.Columns != 1 && bd.Columns != 2 {
				c.errorf("%s: columns must be 1 or 2", where)
			}
			b.Columns = max(bd.Columns, 1)
		} else if bd.Columns != 0 {
			c.errorf("%s: columns only go with data", where)
		}
		if bd.Table != nil {
			kinds++
			b.Kind, b.Fields = legajo.BlockTable, []string{*bd.Table}
			if f := c.t.Field(*bd.Table); f == nil || f.Type != legajo.FieldTable {
				c.errorf("%s: table: %q is not a table field", where, *bd.Table)
			}
			c.used[*bd.Table] = true
		}
		if bd.Field != nil {
			kinds++
			b.Kind, b.Fields = legajo.BlockField, []string{*bd.Field}
			if f := c.t.Field(*bd.Field); f == nil || (f.Type != legajo.FieldLongText && f.Type != legajo.FieldText) {
				c.errorf("%s: field: %q is not a text field", where, *bd.Field)
			}
			c.used[*bd.Field] = true
		}
		if kinds != 1 {
			c.errorf("%s: give exactly one of title, heading, text, data, table, field", where)
			continue
		}
		b.When = c.cond(where, bd.When)
		c.t.Body = append(c.t.Body, b)
	}
	if len(c.t.Body) == 0 {
		c.errorf("body is empty")
	}
}

func (c *checker) signatures() {
	for i, sd := range c.d.Signatures {
		where := fmt.Sprintf("signatures[%d]", i)
		if sd.Caption == "" {
			c.errorf("%s: caption is missing", where)
		}
		if (sd.Role == "") == (sd.Name == "") {
			c.errorf("%s: give either role or name (and position)", where)
		}
		if sd.Role != "" && sd.Position != "" {
			c.errorf("%s: a role brings its own position", where)
		}
		for _, tn := range sd.Tantos {
			if _, ok := c.t.Tanto(tn); !ok {
				c.errorf("%s: no tanto %q", where, tn)
			}
		}
		c.t.Signatures = append(c.t.Signatures, legajo.SignatureBlock{
			Caption: c.text(where+".caption", sd.Caption, false), Role: sd.Role,
			Name:     c.text(where+".name", sd.Name, false),
			Position: c.text(where+".position", sd.Position, false),
			Tantos:   sd.Tantos,
			When:     c.cond(where, sd.When),
		})
	}
	if len(c.t.Signatures) == 0 && c.t.Layout != legajo.LayoutLabel {
		c.errorf("signatures: at least one (who signs or who receives)")
	}
}

// Path of a definition inside the embedded tree, for messages.
func Path(id string) string { return path.Join("templates", "types", id+".yaml") }

// rules checks the rules across fields once every field is known: each
// names fields that exist, of a type the rule applies to, so that a typo in
// a definition is a start-up error, not a rule that never fires.
func (c *checker) rules() {
	for i := range c.t.Fields {
		f := &c.t.Fields[i]
		fd := c.d.Fields[slices.IndexFunc(c.d.Fields, func(d fieldDef) bool { return d.Name == f.Name })]
		where := fmt.Sprintf("field %q", f.Name)
		c.fieldRules(f, fd, where, false)
		if fd.RequiredWhen != nil {
			if f.Required {
				c.errorf("%s: required_when with required: true never applies", where)
			}
			f.RequiredWhen = c.cond(where+" required_when", fd.RequiredWhen)
		}
		if f.Gender != "" {
			g := c.t.Field(f.Gender)
			switch {
			case g == nil:
				c.errorf("%s: gender: no field %q", where, f.Gender)
			case g.Type != legajo.FieldChoice || !slices.Equal(g.Options, []string{legajo.OptionF, legajo.OptionM}):
				c.errorf("%s: gender: field %q must be a choice with options [%s, %s]", where, f.Gender, legajo.OptionF, legajo.OptionM)
			default:
				// The gender is printed through the words it chooses.
				c.used[f.Gender] = true
			}
			if f.Type != legajo.FieldText {
				c.errorf("%s: gender goes with a text field naming a person", where)
			}
		}
		for j := range f.Columns {
			col := &f.Columns[j]
			k := slices.IndexFunc(fd.Columns, func(d fieldDef) bool { return d.Name == col.Name })
			cd := fd.Columns[k]
			cw := fmt.Sprintf("%s column %q", where, col.Name)
			c.fieldRules(col, cd, cw, true)
			if cd.RequiredWhen != nil || cd.Gender != "" {
				c.errorf("%s: required_when and gender go on fields, not columns", cw)
			}
		}
	}
}

// fieldRules checks the bounds and order rules of one field or column.
func (c *checker) fieldRules(f *legajo.Field, fd fieldDef, where string, column bool) {
	if (fd.Min != nil || fd.Max != nil) && f.Type != legajo.FieldNumber && f.Type != legajo.FieldMoney {
		c.errorf("%s: min and max go with number or money", where)
	}
	if fd.Min != nil && fd.Max != nil && *fd.Min > *fd.Max {
		c.errorf("%s: min is greater than max", where)
	}
	if (fd.PastDays != 0 || fd.FutureDays != 0) && f.Type != legajo.FieldDate {
		c.errorf("%s: past_days and future_days go with dates", where)
	}
	if fd.PastDays < 0 || fd.FutureDays < 0 {
		c.errorf("%s: past_days and future_days are counts of days", where)
	}
	for key, other := range map[string]string{"after": fd.After, "not_before": fd.NotBefore} {
		if other == "" {
			continue
		}
		o := c.t.Field(other)
		switch {
		case f.Type != legajo.FieldDate && f.Type != legajo.FieldTime:
			c.errorf("%s: %s goes with a date or a time", where, key)
		case o == nil:
			c.errorf("%s: %s: no field %q", where, key, other)
		case o.Type != f.Type:
			c.errorf("%s: %s: field %q is not a %s", where, key, other, f.Type)
		case !column && other == f.Name:
			c.errorf("%s: %s names the field itself", where, key)
		}
	}
}

// routes checks the variants' expedientes and destinations.
func (c *checker) routes() {
	for i, rd := range c.d.Routes {
		where := fmt.Sprintf("routes[%d]", i)
		if rd.When == nil {
			c.errorf("%s: when is missing", where)
			continue
		}
		cond := c.cond(where, rd.When)
		if cond == nil {
			continue
		}
		if rd.Expediente == "" && len(rd.Destinations) == 0 {
			c.errorf("%s: give an expediente, destinations or both", where)
		}
		for name, dest := range rd.Destinations {
			if _, ok := c.t.Tanto(name); !ok {
				c.errorf("%s: destinations: no tanto %q", where, name)
			}
			if strings.TrimSpace(dest) == "" {
				c.errorf("%s: destinations: %q is empty", where, name)
			}
		}
		c.t.Routes = append(c.t.Routes, legajo.Route{When: *cond, Expediente: rd.Expediente, Destinations: rd.Destinations})
	}
}
