package pdf

import (
	"strings"
	"unicode/utf8"

	"github.com/sesver/legajo"
)

// toCP1252 converts s for the standard fonts. Validation has already refused
// what cannot be printed; anything that slips through (text from
// configuration) becomes '?', never a wrong letter.
func toCP1252(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if c, ok := legajo.CP1252(r); ok {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}
