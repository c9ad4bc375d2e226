package legajo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Institution is what the letterhead and footer of every document say.
// It is configuration.
type Institution struct {
	Name        string   `json:"name"`         // Servicios de Salud de Veracruz
	Units       []string `json:"units"`        // Dirección Administrativa, Departamento de Tecnologías de la Información
	Legend      string   `json:"legend"`       // En Veracruz… tu salud es prioridad
	Place       string   `json:"place"`        // Xalapa-Enríquez, Ver.
	Address     string   `json:"address"`      // footer
	FolioPrefix string   `json:"folio_prefix"` // SESVER/DA/DTI
	BaseURL     string   `json:"base_url"`     // of the public verification page, printed in the QR

	// YearLegends are the legends official documents carry each year
	// («2026, Año de …»), set every year; printed under the letterhead of
	// a document of that year, nothing for a year without one.
	YearLegends map[int]string `json:"year_legends,omitempty"`
}

// TestEnvironment tells whether documents are issued for a test: the base
// URL of the verification page is missing or on this machine (localhost,
// 127.0.0.0/8, ::1), so no one else can check them. They are printed
// «SIN VALIDEZ OFICIAL».
func (in Institution) TestEnvironment() bool {
	u, err := url.Parse(in.BaseURL)
	if err != nil {
		return true
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// YearLegend is the legend of year, or "".
func (in Institution) YearLegend(year int) string { return in.YearLegends[year] }

// Signer is a signature block resolved for one document.
type Signer struct {
	Caption  string
	Name     string
	Position string
	Tantos   []string // empty: every tanto
}

// On tells whether the signer signs the named tanto.
func (s Signer) On(tanto string) bool {
	return len(s.Tantos) == 0 || slices.Contains(s.Tantos, tanto)
}

// Document is a document ready to render: validated values, folio, date and
// resolved signatories. Every tanto is rendered from the same Document.
type Document struct {
	Type   *DocType
	Folio  Folio // zero for a draft
	Date   time.Time
	Values Values

	Institution Institution
	Signers     []Signer
	Copies      []string
	Sender      *Signatory // tarjetas: DE
	// Roles are the signatories in office for the roles the type's texts
	// name (DocType.Roles).
	Roles map[string]Signatory

	// Digest is the hex SHA-256 of the document's public content (type,
	// version, folio, date and fields without secrets). The QR code carries
	// its first bytes, so a printed copy can be checked against the archive
	// without the PDF's own bytes, which cannot contain their own hash.
	Digest string
}

// Draft tells whether d has no folio yet; drafts are marked as such.
func (d *Document) Draft() bool { return d.Folio.IsZero() }

// VerifyURL is the address of the public verification page for d.
func (d *Document) VerifyURL() string {
	base := strings.TrimRight(d.Institution.BaseURL, "/")
	if d.Draft() {
		return base + "/verificar"
	}
	return base + "/verificar/" + d.Folio.Slug() + "?h=" + d.Digest[:16]
}

// Request is what it takes to prepare a document.
type Request struct {
	Type        *DocType
	Data        map[string]any // as submitted
	Folio       Folio
	Date        time.Time
	Institution Institution
	Directory   Directory
}

// Prepare validates the request's data and resolves the signatories in
// office on its date. Errors are ErrInvalid (with every problem) or
// ErrNotFound (a role nobody holds on that date).
func Prepare(r Request) (*Document, error) {
	vals, err := r.Type.ValidateOn(r.Data, r.Date)
	if err != nil {
		return nil, err
	}
	d := &Document{
		Type:        r.Type,
		Folio:       r.Folio,
		Date:        r.Date,
		Values:      vals,
		Institution: r.Institution,
	}
	for _, role := range r.Type.Roles {
		who, err := r.Directory.InOffice(role, r.Date)
		if err != nil {
			return nil, err
		}
		if d.Roles == nil {
			d.Roles = map[string]Signatory{}
		}
		d.Roles[role] = who
	}
	lookup := d.lookupFor(Tanto{})
	for _, b := range r.Type.Signatures {
		if !d.Holds(b.When) {
			continue
		}
		s := Signer{Caption: b.Caption.Expand(lookup), Tantos: b.Tantos}
		if b.Role != "" {
			who, err := r.Directory.InOffice(b.Role, r.Date)
			if err != nil {
				return nil, err
			}
			s.Name, s.Position = who.Name, who.Position
		} else {
			s.Name, s.Position = b.Name.Expand(lookup), b.Position.Expand(lookup)
		}
		d.Signers = append(d.Signers, s)
	}
	for _, c := range r.Type.Copies {
		if c.Role != "" {
			who, err := r.Directory.InOffice(c.Role, r.Date)
			if err != nil {
				return nil, err
			}
			d.Copies = append(d.Copies, who.Name+". "+who.Position+".")
			continue
		}
		for _, line := range strings.Split(c.Text.Expand(lookup), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				d.Copies = append(d.Copies, line)
			}
		}
	}
	if r.Type.SenderRole != "" {
		who, err := r.Directory.InOffice(r.Type.SenderRole, r.Date)
		if err != nil {
			return nil, err
		}
		d.Sender = &who
	}
	d.Digest = d.digest()
	return d, nil
}

func (d *Document) digest() string {
	content := struct {
		Type    string `json:"type"`
		Version int    `json:"version"`
		Folio   string `json:"folio"`
		Date    string `json:"date"`
		Fields  Values `json:"fields"`
	}{d.Type.ID, d.Type.Version, d.Folio.String(), d.Date.UTC().Format(time.RFC3339Nano), d.Type.Public(d.Values)}
	b, err := json.Marshal(content)
	if err != nil {
		panic("legajo: digest: " + err.Error()) // only strings and maps of strings
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Holds tells whether the condition is met by d's values; a nil condition
// always holds.
func (d *Document) Holds(c *Condition) bool {
	if c == nil {
		return true
	}
	v, ok := d.Values[c.Field]
	if !ok {
		return false
	}
	if len(c.In) == 0 {
		return true
	}
	return slices.Contains(c.In, v.Text)
}

// Mask is what a secret looks like on every exemplar but the one handed to
// the person.
const Mask = "********"

// Display is the value of field name as printed on tanto beside its label
// (data grids, labelled paragraphs): dates long, money with sign and
// grouping, secrets masked unless the tanto is the one delivered, a choice
// capitalised as its label is («Mantenimiento y actualización», while a
// sentence says «la minuta de mantenimiento y actualización»). The special
// names folio, fecha and lugar give the document's.
func (d *Document) Display(name string, tanto Tanto) string {
	s := d.lookupFor(tanto)(name)
	if f := d.Type.Field(name); f != nil && f.Type == FieldChoice {
		s = capitalize(s)
	}
	return s
}

// Expand fills t with d's values as printed on tanto, in running text:
// choices as written, people with the articles and words of their gender.
func (d *Document) Expand(t Text, tanto Tanto) string { return t.Expand(d.lookupFor(tanto)) }

// TantoFor is tanto as it goes for d: with its variant's destination.
func (d *Document) TantoFor(tanto Tanto) Tanto { return d.Type.TantoFor(tanto, d.Values) }

func (d *Document) lookupFor(tanto Tanto) func(string) string {
	return func(key string) string {
		ref := SplitKey(key)
		switch ref.Name {
		case "folio":
			return d.Folio.String()
		case "fecha":
			return LongDate(d.Date)
		case "lugar":
			return d.Institution.Place
		}
		if role, ok := strings.CutPrefix(ref.Name, RolePrefix); ok {
			who, ok := d.Roles[role]
			if !ok {
				return ""
			}
			if ref.Form == "puesto" {
				return who.Position
			}
			return Inflect(who.Name, who.Feminine(), ref.Form)
		}
		f := d.Type.Field(ref.Name)
		v, ok := d.Values[ref.Name]
		if f == nil || !ok {
			if f != nil && f.Type != FieldNumber && strings.Contains(ref.Form, "/") {
				// A person not named: the generic word («jefe inmediato»).
				return Inflect("", false, ref.Form)
			}
			return ""
		}
		return d.Type.FormatRef(f, v.Text, d.Values, ref.Form, tanto.Delivered)
	}
}

// FormatRef writes the canonical value s of field f as a placeholder with
// form asks (see ParseText): a person with the article or the word of the
// gender v gives them; a count with the noun that agrees with it
// ({{capacitados:persona/personas}} is «1 persona», «12 personas»).
func (t *DocType) FormatRef(f *Field, s string, v Values, form string, reveal bool) string {
	shown := FormatValue(f, s, reveal)
	if f.Type == FieldNumber && form != "" {
		one, many, _ := strings.Cut(form, "/")
		if n, err := strconv.ParseFloat(s, 64); err == nil && n == 1 {
			return shown + " " + strings.TrimSpace(one)
		}
		return shown + " " + strings.TrimSpace(many)
	}
	return Inflect(shown, t.Feminine(f, v), form)
}

// Feminine tells whether the person field f names is spoken of in the
// feminine, as its gender field (Field.Gender) says.
func (t *DocType) Feminine(f *Field, v Values) bool {
	return f.Gender != "" && v[f.Gender].Text == OptionF
}

// FormatValue writes a canonical scalar value of field f for people.
func FormatValue(f *Field, s string, reveal bool) string {
	if s == "" {
		return ""
	}
	switch f.Type {
	case FieldDate:
		t, err := time.Parse(DateLayout, s)
		if err != nil {
			return s
		}
		return LongDate(t)
	case FieldMoney:
		return FormatMoney(s)
	case FieldNumber:
		return groupThousands(s)
	case FieldSecret:
		if !reveal {
			return Mask
		}
	}
	return s
}

// groupThousands writes 778181.5 as 778,181.5, as Mexican documents do.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if len(whole) < 4 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
