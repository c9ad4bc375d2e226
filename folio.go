package legajo

import (
	"fmt"
	"strconv"
	"strings"
)

// Folio identifies an issued document: <prefijo>/<serie>/<NNNN>/<AAAA>, e.g.
// SESVER/DA/DTI/OL/0042/2026. Each serie has its own gap-free consecutive
// numbers, restarting every year.
type Folio struct {
	Prefix string // SESVER/DA/DTI
	Serie  string // OL
	Number int    // 42
	Year   int    // 2026
}

// IsZero tells whether f has not been allocated (a draft).
func (f Folio) IsZero() bool { return f.Number == 0 }

// String writes the folio as printed on the document.
func (f Folio) String() string {
	if f.IsZero() {
		return ""
	}
	var b strings.Builder
	if f.Prefix != "" {
		b.WriteString(f.Prefix)
		b.WriteByte('/')
	}
	fmt.Fprintf(&b, "%s/%04d/%d", f.Serie, f.Number, f.Year)
	return b.String()
}

// Slug writes the folio for file names and URLs: SESVER-DA-DTI-OL-0042-2026.
func (f Folio) Slug() string {
	return strings.ReplaceAll(f.String(), "/", "-")
}

// ParseFolio reads a folio written with '/' or '-' separators, with the
// prefix given (prefix segments are those of the configured prefix).
func ParseFolio(s, prefix string) (Folio, error) {
	s = strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(s, "-", "/")))
	p := strings.ToUpper(strings.ReplaceAll(prefix, "-", "/"))
	if p != "" {
		if !strings.HasPrefix(s, p+"/") {
			return Folio{}, Errorf(ErrInvalid, "El folio «%s» no comienza con el prefijo %s.", printable(s), printable(prefix))
		}
		s = s[len(p)+1:]
	}
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return Folio{}, Errorf(ErrInvalid, "«%s» no es un folio válido (p. ej. %s/OL/0042/2026).", printable(s), printable(prefix))
	}
	n, err1 := strconv.Atoi(parts[1])
	y, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || n <= 0 || y < 1900 || parts[0] == "" {
		return Folio{}, Errorf(ErrInvalid, "«%s» no es un folio válido (p. ej. %s/OL/0042/2026).", printable(s), printable(prefix))
	}
	return Folio{Prefix: prefix, Serie: parts[0], Number: n, Year: y}, nil
}
