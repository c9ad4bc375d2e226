package pdf_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/golden")

// sample is a fixture prepared as a document with folio 42 on the fixed date.
type sample struct {
	name string
	doc  *legajo.Document
}

func samples(t testing.TB) []sample {
	t.Helper()
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	list, err := fixtures.Samples()
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, s := range list {
		out = append(out, sample{s.Name, prepare(t, cat, s.Type, s.Data)})
	}
	return out
}

func prepare(t testing.TB, cat *legajo.Catalog, typ string, data map[string]any) *legajo.Document {
	t.Helper()
	ty, err := cat.Type(typ)
	if err != nil {
		t.Fatal(err)
	}
	inst := fixtures.Institution()
	doc, err := legajo.Prepare(legajo.Request{
		Type: ty, Data: data, Date: fixtures.Date, Institution: inst, Directory: fixtures.Directory(),
		Folio: legajo.Folio{Prefix: inst.FolioPrefix, Serie: ty.Serie, Number: 42, Year: 2026},
	})
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return doc
}

func render(t testing.TB, r *pdf.Renderer, doc *legajo.Document, tanto legajo.Tanto) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, doc, tanto); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newRenderer(t testing.TB, uncompressed bool) *pdf.Renderer {
	t.Helper()
	r, err := pdf.New(pdf.Options{Uncompressed: uncompressed, Logo: fixtures.Logo()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGolden compares every tanto of every sample with its golden file,
// byte for byte. Run with -update after an intended change, and look at the
// new pages before committing them.
func TestGolden(t *testing.T) {
	r := newRenderer(t, true)
	for _, s := range samples(t) {
		for _, tanto := range s.doc.Type.Tantos {
			name := s.name + "-" + strings.ToLower(tanto.Name) + ".pdf"
			t.Run(name, func(t *testing.T) {
				got := render(t, r, s.doc, tanto)
				path := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("missing golden file (run go test -update and look at it): %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from its golden file (%d vs %d bytes); if intended, run with -update and look at the pages", name, len(got), len(want))
				}
			})
		}
	}
}

// TestReproducible renders twice, compressed as in production.
func TestReproducible(t *testing.T) {
	r := newRenderer(t, false)
	for _, s := range samples(t) {
		tanto := s.doc.Type.Tantos[0]
		a, b := render(t, r, s.doc, tanto), render(t, r, s.doc, tanto)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings differ", s.name)
		}
	}
}

// pdftotext extracts the text layer with poppler's pdftotext, which CI
// installs; without it the text checks cannot run, and in CI that fails.
func pdftotext(t testing.TB, doc []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing: .ci/run must install poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), in, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

func squash(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

var words = regexp.MustCompile(`[\p{L}\p{N}]{4,}`)

// TestTextLayer checks, by text extraction, that what the clerk typed and
// what the letterhead says come out right: accents, folio, Spanish date,
// tanto, page numbers, and every word of every printed value.
func TestTextLayer(t *testing.T) {
	r := newRenderer(t, false)
	for _, s := range samples(t) {
		for _, tanto := range s.doc.Type.Tantos {
			t.Run(s.name+"-"+tanto.Name, func(t *testing.T) {
				got := render(t, r, s.doc, tanto)
				txt := squash(pdftotext(t, got))
				musts := []string{s.doc.Folio.String(), tanto.Name}
				if s.doc.Type.Layout != legajo.LayoutLabel {
					musts = append(musts, "26 de noviembre de 2026", "Servicios de Salud de Veracruz",
						"Departamento de Tecnologías de la Información", "En Veracruz… tu salud es prioridad", "Hoja 1 de")
				}
				for _, m := range musts {
					if !strings.Contains(strings.ToLower(txt), strings.ToLower(m)) {
						t.Errorf("text layer lacks %q", m)
					}
				}
				lower := strings.ToLower(txt)
				for name, v := range s.doc.Values {
					f := s.doc.Type.Field(name)
					if f.Type == legajo.FieldSecret || !printed(s.doc, name) {
						continue
					}
					var vals []string
					if v.Rows != nil {
						for _, row := range v.Rows {
							for _, c := range f.Columns {
								if c.Type != legajo.FieldSecret && c.Type != legajo.FieldDate {
									vals = append(vals, legajo.FormatValue(&c, row[c.Name], tanto.Delivered))
								}
							}
						}
					} else {
						vals = append(vals, s.doc.Display(name, tanto))
					}
					for _, val := range vals {
						for _, w := range words.FindAllString(val, -1) {
							if !strings.Contains(lower, strings.ToLower(w)) {
								t.Errorf("field %s: word %q missing from the text layer", name, w)
							}
						}
					}
				}
				if m := regexp.MustCompile(`Hoja 1 de (\d+)`).FindStringSubmatch(txt); m != nil {
					pages := strings.Count(pdftotext(t, got, "-layout"), "\f")
					if n, _ := strconv.Atoi(m[1]); n != pages {
						t.Errorf("says Hoja 1 de %d but has %d pages", n, pages)
					}
				}
			})
		}
	}
}

// printed tells whether field name is printed on the document under its
// conditions (fields used only in a when, or in a block whose condition
// fails, are not).
func printed(d *legajo.Document, name string) bool {
	uses := func(t legajo.Text) bool {
		for _, n := range t.Names() {
			if n == name {
				return true
			}
		}
		return false
	}
	for _, b := range d.Type.Body {
		if !d.Holds(b.When) {
			continue
		}
		for _, n := range b.Fields {
			if n == name {
				return true
			}
		}
		if uses(b.Text) {
			return true
		}
	}
	if d.Type.Layout == legajo.LayoutLabel {
		return false
	}
	if uses(d.Type.Subject) || uses(d.Type.Heading) || uses(d.Type.Closing) {
		return true
	}
	for _, x := range d.Type.Recipient {
		if uses(x) {
			return true
		}
	}
	for _, sb := range d.Type.Signatures {
		if d.Holds(sb.When) && (uses(sb.Name) || uses(sb.Position)) {
			return true
		}
	}
	for _, c := range d.Type.Copies {
		if uses(c.Text) {
			return true
		}
	}
	return false
}

// TestSpanish prints every special character of Spanish and checks that the
// text layer gives it back exactly.
func TestSpanish(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	data, err := fixtures.DecodeData(mustRead(t, "../../fixtures/documents/oficio-liberacion.json"))
	if err != nil {
		t.Fatal(err)
	}
	const s = "¿Cómo está? ¡Listo! «Niño» y pingüino — Ñandú, ÁÉÍÓÚ Ü, acción… 15 €"
	data["observaciones"] = s
	doc := prepare(t, cat, "oficio-liberacion", data)
	txt := squash(pdftotext(t, render(t, newRenderer(t, false), doc, doc.Type.Tantos[0])))
	if !strings.Contains(txt, s) {
		t.Errorf("text layer lacks %q", s)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSecrets: a secret prints only on the delivered exemplar; every other
// exemplar shows the mask, in its text layer and in its bytes.
func TestSecrets(t *testing.T) {
	r := newRenderer(t, true)
	found := 0
	for _, s := range samples(t) {
		var secrets []string
		for _, f := range s.doc.Type.Fields {
			if f.Type == legajo.FieldSecret {
				if v := s.doc.Values[f.Name].Text; v != "" {
					secrets = append(secrets, v)
				}
			}
		}
		if len(secrets) == 0 {
			continue
		}
		found++
		for _, tanto := range s.doc.Type.Tantos {
			raw := render(t, r, s.doc, tanto)
			txt := pdftotext(t, raw)
			for _, sec := range secrets {
				shown := strings.Contains(txt, sec)
				switch {
				case tanto.Delivered && !shown:
					t.Errorf("%s %s: the delivered exemplar must show the secret", s.name, tanto.Name)
				case !tanto.Delivered && (shown || bytes.Contains(raw, []byte(sec))):
					t.Errorf("%s %s: secret %q leaked into an exemplar that is not handed to the person", s.name, tanto.Name, sec)
				case !tanto.Delivered && !strings.Contains(txt, legajo.Mask):
					t.Errorf("%s %s: the secret should appear masked", s.name, tanto.Name)
				}
			}
		}
	}
	if found == 0 {
		t.Fatal("no sample has a secret field: the e-mail account forms should")
	}
}

// TestTableAcrossPages: long tables continue on the next page under a
// repeated header.
func TestTableAcrossPages(t *testing.T) {
	r := newRenderer(t, false)
	long := 0
	for _, s := range samples(t) {
		if !strings.HasSuffix(s.name, ".extenso") {
			continue
		}
		long++
		raw := render(t, r, s.doc, s.doc.Type.Tantos[0])
		all := pdftotext(t, raw)
		if !strings.Contains(all, "(continuación)") {
			t.Errorf("%s: no table continues on a second page", s.name)
		}
		page2 := pdftotext(t, raw, "-f", "2", "-l", "2")
		for _, b := range s.doc.Type.Body {
			if b.Kind != legajo.BlockTable {
				continue
			}
			f := s.doc.Type.Field(b.Fields[0])
			if len(s.doc.Values[f.Name].Rows) > 40 && !strings.Contains(squash(page2), squash(f.Columns[0].Label)) {
				t.Errorf("%s: page 2 does not repeat the header of «%s»", s.name, f.Label)
			}
		}
	}
	if long == 0 {
		t.Fatal("no .extenso sample: fixtures need a long table")
	}
}
