package legajo

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Text is wording with {{name}} placeholders, parsed once when a definition
// is loaded so that rendering never re-parses it and a misspelt placeholder
// is a start-up error rather than a blank in a signed document.
type Text struct {
	src   string
	parts []textPart
}

type textPart struct {
	lit  string
	name string // placeholder; "" for a literal part
	form string // how the value is worded (see Inflect); "" for the value as is
}

// Ref is one placeholder: a name and the form its value takes.
type Ref struct {
	Name string
	Form string
}

// Key is what Expand passes to its lookup: the name, or name:form.
func (r Ref) Key() string {
	if r.Form == "" {
		return r.Name
	}
	return r.Name + ":" + r.Form
}

// SplitKey undoes Key.
func SplitKey(key string) Ref {
	name, form, _ := strings.Cut(key, ":")
	return Ref{Name: name, Form: form}
}

// ParseText parses s. A placeholder is {{name}} with name made of lower-case
// letters, digits, '_', '-' and '.', or {{name:form}}, where form words the
// value for the grammatical gender of the person it names (see Inflect):
// {{enlace_nombre:al}} is «a la L.C.C. Mariana…» or «al C. Ricardo…», and
// {{enlace_nombre:designado/designada}} one of the two words. The wording
// comes from the data, so no «designado(a)» ever reaches a page.
func ParseText(s string) (Text, error) {
	t := Text{src: s}
	rest := s
	for rest != "" {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, textPart{lit: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, textPart{lit: rest[:i]})
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return Text{}, fmt.Errorf("unclosed placeholder in %q", s)
		}
		inner := strings.TrimSpace(rest[i+2 : i+j])
		name, form, hasForm := strings.Cut(inner, ":")
		name, form = strings.TrimSpace(name), strings.TrimSpace(form)
		if !validName(name) {
			return Text{}, fmt.Errorf("bad placeholder {{%s}} in %q", inner, s)
		}
		if hasForm && !validForm(form) {
			return Text{}, fmt.Errorf("bad form %q in {{%s}} in %q: want el, del, al (or El, Del, Al), puesto, or masculine/feminine words", form, inner, s)
		}
		t.parts = append(t.parts, textPart{name: name, form: form})
		rest = rest[i+j+2:]
	}
	if strings.Contains(s, "}}") && strings.Count(s, "}}") != strings.Count(s, "{{") {
		return Text{}, fmt.Errorf("unbalanced braces in %q", s)
	}
	return t, nil
}

// MustText is ParseText for literals known to be valid.
func MustText(s string) Text {
	t, err := ParseText(s)
	if err != nil {
		panic(err)
	}
	return t
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// articles are the forms that put the article, agreeing with the person's
// gender, before the value: masculine, feminine.
var articles = map[string][2]string{
	"el": {"el", "la"}, "El": {"El", "La"},
	"del": {"del", "de la"}, "Del": {"Del", "De la"},
	"al": {"al", "a la"}, "Al": {"Al", "A la"},
}

func validForm(f string) bool {
	if _, ok := articles[f]; ok || f == "puesto" {
		return true
	}
	m, fem, ok := strings.Cut(f, "/")
	return ok && strings.TrimSpace(m) != "" && strings.TrimSpace(fem) != "" && !strings.ContainsAny(fem, "/{}")
}

// Inflect words value as form asks, for a person of the given grammatical
// gender: "el" gives «el Ing. Tomás…» or «la Ing. Marisol…», "del" «del…»
// or «de la…», "al" «al…» or «a la…» (capitalised forms capitalise the
// article); "masculine/feminine" gives one of the two words alone. An empty
// value stays empty: no article hangs before nothing.
func Inflect(value string, feminine bool, form string) string {
	g := 0
	if feminine {
		g = 1
	}
	if a, ok := articles[form]; ok {
		if value == "" {
			return ""
		}
		return a[g] + " " + value
	}
	if m, f, ok := strings.Cut(form, "/"); ok {
		return strings.TrimSpace([2]string{m, f}[g])
	}
	return value
}

// String returns the source text.
func (t Text) String() string { return t.src }

// IsZero tells whether t is empty.
func (t Text) IsZero() bool { return t.src == "" }

// Names lists the names of the placeholders of t in order.
func (t Text) Names() []string {
	var names []string
	for _, p := range t.parts {
		if p.name != "" {
			names = append(names, p.name)
		}
	}
	return names
}

// Refs lists the placeholders of t in order, with their forms.
func (t Text) Refs() []Ref {
	var refs []Ref
	for _, p := range t.parts {
		if p.name != "" {
			refs = append(refs, Ref{Name: p.name, Form: p.form})
		}
	}
	return refs
}

// Expand replaces each placeholder by lookup(key), where key is the name,
// or name:form for a placeholder with a form (see SplitKey).
func (t Text) Expand(lookup func(name string) string) string {
	if len(t.parts) == 1 && t.parts[0].name == "" {
		return t.parts[0].lit
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(lookup(Ref{Name: p.name, Form: p.form}.Key()))
		}
	}
	return b.String()
}

// MarshalJSON writes the source text.
func (t Text) MarshalJSON() ([]byte, error) { return json.Marshal(t.src) }

// UnmarshalJSON parses the source text.
func (t *Text) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := ParseText(s)
	if err != nil {
		return err
	}
	*t = p
	return nil
}
