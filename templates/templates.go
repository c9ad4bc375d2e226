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
}

type tantoDef struct {
	Name        string `yaml:"name"`
	Destination string `yaml:"destination"`
	Delivered   bool   `yaml:"delivered"`
	Filed       bool   `yaml:"filed"`
	Acuse       bool   `yaml:"acuse"`
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
		SenderRole: d.SenderRole,
	}
	c.t = t
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
		Help: fd.Help, Options: fd.Options, MaxLen: fd.MaxLen, MinRows: fd.MinRows, MaxRows: fd.MaxRows, Width: fd.Width}
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
	for _, name := range t.Names() {
		if slices.Contains(special, name) {
			continue
		}
		f := c.t.Field(name)
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
			Caption: sd.Caption, Role: sd.Role,
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
