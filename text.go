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
}

// ParseText parses s. A placeholder is {{name}} with name made of lower-case
// letters, digits, '_' and '-'.
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
		name := strings.TrimSpace(rest[i+2 : i+j])
		if !validName(name) {
			return Text{}, fmt.Errorf("bad placeholder {{%s}} in %q", name, s)
		}
		t.parts = append(t.parts, textPart{name: name})
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
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// String returns the source text.
func (t Text) String() string { return t.src }

// IsZero tells whether t is empty.
func (t Text) IsZero() bool { return t.src == "" }

// Names lists the placeholders of t in order.
func (t Text) Names() []string {
	var names []string
	for _, p := range t.parts {
		if p.name != "" {
			names = append(names, p.name)
		}
	}
	return names
}

// Expand replaces each placeholder by lookup(name).
func (t Text) Expand(lookup func(name string) string) string {
	if len(t.parts) == 1 && t.parts[0].name == "" {
		return t.parts[0].lit
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.lit)
		} else {
			b.WriteString(lookup(p.name))
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
