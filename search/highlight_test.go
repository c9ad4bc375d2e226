package search

import (
	"html"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// markerFor plans typed text as Search does and returns its marker and
// the index's analyzer.
func markerFor(t *testing.T, typed string) (*marker, analysis.Analyzer) {
	t.Helper()
	an := newMapping().AnalyzerNamed(analyzerName)
	if an == nil {
		t.Fatal("no analyzer")
	}
	// An empty index: no word is known, none is one typo from another.
	ex := newEnv(t, t.TempDir())
	ix := ex.open(t)
	r, err := ix.reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	lex, err := newLexicon(r)
	if err != nil {
		t.Fatal(err)
	}
	x := &Index{x: &indexer{}}
	_, m, err := x.textQuery(typed, an, lex)
	if err != nil {
		t.Fatal(err)
	}
	return m, an
}

func TestFragmentsMarkTheMatchedWords(t *testing.T) {
	for _, c := range []struct {
		name, query, text string
		whole             bool
		want              []string // each in the fragments, in order
		not               []string // none in the fragments
	}{
		{name: "accent-less query marks accented words",
			query: "contrasena", text: "Se restableció la Contraseña del correo; CONTRASEÑAS nuevas, sin contraste.",
			want: []string{"<mark>Contraseña</mark>", "<mark>CONTRASEÑAS</mark>"}, not: []string{"<mark>contraste</mark>"}},
		{name: "accented query marks accent-less words",
			query: "información", text: "Solicito informacion del equipo y más información.",
			want: []string{"<mark>informacion</mark>", "<mark>información</mark>"}},
		{name: "stems",
			query: "dictamen", text: "Los dictámenes técnicos y el Dictamen final; el dictado no.",
			want: []string{"<mark>dictámenes</mark>", "<mark>Dictamen</mark>"}, not: []string{"<mark>dictado</mark>"}},
		{name: "plural in ces",
			query: "luz", text: "Se cambiaron las luces del pasillo y una luz del almacén.",
			want: []string{"<mark>luces</mark>", "<mark>luz</mark>"}},
		{name: "phrase marks its words, not its stop words",
			query: `"fuente de poder"`, text: "Se sustituyó la fuente de poder del servidor.",
			want: []string{"<mark>fuente</mark> de <mark>poder</mark>"}},
		{name: "ñ folded",
			query: "Begona Ibanez", text: "Atentamente, Lic. Begoña Ibáñez Nachón.",
			want: []string{"<mark>Begoña</mark> <mark>Ibáñez</mark>"}, not: []string{"<mark>Nachón</mark>"}},
		{name: "numbers with thousands separators",
			query: "778181", text: "Monto: 778,181 pesos; número 778 y 181.",
			want: []string{"<mark>778,181</mark>"}, not: []string{"<mark>778</mark>", "<mark>181</mark>"}},
		{name: "same first letter, other word",
			query: "impresora", text: "La impresión de la impresora láser; importe e impuesto.",
			want: []string{"<mark>impresora</mark>"}, not: []string{"<mark>impresión</mark>", "<mark>importe</mark>", "<mark>impuesto</mark>"}},
		{name: "escaped, on one line",
			query: "equipo", text: "Equipo <b>nuevo</b>\n\tpara el área & equipo \"viejo\".",
			want: []string{"<mark>Equipo</mark> &lt;b&gt;nuevo&lt;/b&gt; para el área &amp; <mark>equipo</mark> &#34;viejo&#34;."}},
		{name: "whole field",
			query: "cuenta", text: "Alta de cuenta de correo", whole: true,
			want: []string{"Alta de <mark>cuenta</mark> de correo"}},
		{name: "nothing matches",
			query: "servidor", text: "Alta de cuenta de correo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, an := markerFor(t, c.query)
			got := strings.Join(m.fragments(an, c.text, c.whole), " | ")
			if len(c.want) == 0 && got != "" {
				t.Fatalf("fragments %q, want none", got)
			}
			rest := got
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("fragments %q: no %q (in order)", got, w)
				}
				rest = rest[i+len(w):]
			}
			for _, w := range c.not {
				if strings.Contains(got, w) {
					t.Errorf("fragments %q hold %q", got, w)
				}
			}
		})
	}
}

func TestFragmentsTypo(t *testing.T) {
	an := newMapping().AnalyzerNamed(analyzerName)
	m := &marker{exact: map[string]bool{"refacion": true}, fuzzy: []string{"refacion"}}
	got := strings.Join(m.fragments(an, "Compra de Refacciones y de refracciones; reparación.", false), " ")
	if !strings.Contains(got, "<mark>Refacciones</mark>") || strings.Contains(got, "<mark>reparación</mark>") {
		t.Fatalf("fragments %q", got)
	}
}

// A long text: the fragments come from where the words are, however far
// in, two at most, each marking every match inside it; words before the
// first fragment are not marked in it.
func TestFragmentsLongText(t *testing.T) {
	m, an := markerFor(t, "servidor")
	text := strings.Repeat("Texto de relleno sin nada que ver. ", 3000) + // ~105 KB
		"Se reinició el servidor y el Servidor de respaldo. " + strings.Repeat("Más relleno. ", 50) +
		"Otro servidor más. " + strings.Repeat("Más relleno. ", 50) + "El último servidor."
	frags := m.fragments(an, text, false)
	if len(frags) != maxFragments {
		t.Fatalf("%d fragments, want %d: %q", len(frags), maxFragments, frags)
	}
	if !strings.Contains(frags[0], "<mark>servidor</mark> y el <mark>Servidor</mark>") || !strings.HasPrefix(frags[0], "…") {
		t.Errorf("first fragment %q", frags[0])
	}
	if !strings.Contains(frags[1], "Otro <mark>servidor</mark>") || strings.Contains(frags[1], "último") {
		t.Errorf("second fragment %q", frags[1])
	}
	for _, f := range frags {
		if len(f) > 2*fragmentLen || !utf8.ValidString(f) {
			t.Errorf("fragment of %d bytes (valid UTF-8: %v)", len(f), utf8.ValidString(f))
		}
	}
}

// nextWord must cut text exactly as the index's tokenizer does: a word
// the tokenizer sees is the word that is analysed and marked.
func TestNextWordCutsAsTheTokenizer(t *testing.T) {
	texts := []string{
		"", " ", "...", "a", "Contraseña: ñandú 13.8 1,240 1.2.3 a.b 5. .5 ,7 x,y",
		"srv-apps02.sesver.gob.mx/ruta?x=1 juan.perez@sesver.gob.mx SESVER/DA/DTI/OL/0042/2024",
		"combinación\u0301 de marcas e\u0301 — «comillas» (paréntesis) ¿pregunta? ¡sí!",
		"números: $10,000.51, 3.5\", 50%, 2026-11-30, i5-8500",
	}
	alphabet := []rune("aZ09 .,-/ñÁé\u0301\t\n¿?«»€漢")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		r := make([]rune, rng.IntN(40))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	for _, text := range texts {
		var want []string
		for _, tok := range (tokenizer{}).Tokenize([]byte(text)) {
			want = append(want, text[tok.Start:tok.End])
		}
		var got []string
		for off := 0; ; {
			s, e := nextWord(text, off)
			if s < 0 {
				break
			}
			got = append(got, text[s:e])
			off = e
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%q: nextWord cut %q, the tokenizer %q", text, got, want)
		}
	}
}

// writeText escapes as html.EscapeString does and makes every run of white
// space one space.
func TestWriteText(t *testing.T) {
	alphabet := []rune("ab <>&'\"\t\n\r \u00a0\u3000ñ€\x00")
	rng := rand.New(rand.NewPCG(3, 4))
	texts := []string{"", " ", "a  b", "a\n\n b", `<script>"x" & 'y'</script>`, "\u00a0"}
	for range 2000 {
		r := make([]rune, rng.IntN(30))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
	}
	for _, s := range texts {
		// Runs of Unicode white space (unicode.IsSpace) as one space.
		var want strings.Builder
		space := false
		for _, r := range s {
			if unicode.IsSpace(r) {
				if !space {
					want.WriteByte(' ')
				}
				space = true
				continue
			}
			space = false
			want.WriteRune(r)
		}
		var b strings.Builder
		writeText(&b, s)
		if w := html.EscapeString(want.String()); b.String() != w {
			t.Fatalf("writeText(%q) = %q, want %q", s, b.String(), w)
		}
	}
}
