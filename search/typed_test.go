package search

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

var (
	judgedOnce  sync.Once
	judgedEnv   *env
	judgedFolio map[string]legajo.Folio
)

// judged is the judged set's archive, built once for the tests that only
// read it.
func judged(t *testing.T) (*env, map[string]legajo.Folio) {
	t.Helper()
	judgedOnce.Do(func() { judgedEnv, judgedFolio = judgedWorld(&onceT{T: t}) })
	if judgedEnv == nil {
		t.Fatal("judged world setup failed")
	}
	return judgedEnv, judgedFolio
}

func nameOf(folio map[string]legajo.Folio, s string) string {
	for n, f := range folio {
		if f.String() == s {
			return n
		}
	}
	return s
}

func hitNames(folio map[string]legajo.Folio, res *legajo.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, nameOf(folio, h.Folio))
	}
	return out
}

// A folio typed in words, with «oficio», «folio» or its type's title
// before it, finds its document; a text that is only a folio says which
// document to go to, unless several have it or it is not the whole text.
func TestFolioTypedInWords(t *testing.T) {
	e, folio := judged(t)
	ol := folio["oficio-liberacion"]
	n, n4, y := itoa(ol.Number), pad4(ol.Number), itoa(ol.Year)
	for _, tc := range []struct {
		q      string
		direct bool // the result names the folio to go to
	}{
		{"ol " + n, true},
		{"OL " + n4 + " " + y, true},
		{"oficio ol " + n4 + "/" + y, true},
		{"folio OL-" + n, true},
		{"No. OL " + n, true},
		{"oficio de liberacion ol " + n, true},
		{"ol " + n + " de " + y, true},
		{"oficio de liberacion " + n4 + "/" + y, true}, // the type's name for its serie
		{"liberacion " + n, true},
		{"el ol " + n + " de", true}, // stop words around it change nothing
		{"sicip ol " + n, false},     // a folio and a word: a search
	} {
		res := search(t, e.index, legajo.SearchQuery{Text: tc.q})
		if len(res.Hits) == 0 || res.Hits[0].Folio != ol.String() {
			t.Errorf("%q: hits %v, want %s first", tc.q, hitNames(folio, res), ol)
			continue
		}
		if got := res.Folio != ""; got != tc.direct || (tc.direct && res.Folio != ol.String()) {
			t.Errorf("%q: Folio %q, want direct %v", tc.q, res.Folio, tc.direct)
		}
	}
	// A year after a type's name is a year, not a folio number.
	if res := search(t, e.index, legajo.SearchQuery{Text: "liberacion 2026"}); res.Folio != "" {
		t.Errorf("liberacion 2026: Folio %q, want a search", res.Folio)
	}
	// Words of several types' titles name no type: «equipo» is in two.
	if res := search(t, e.index, legajo.SearchQuery{Text: "equipo " + n}); res.Folio != "" {
		t.Errorf("equipo %s: Folio %q, want a search", n, res.Folio)
	}
	// Title words of another type are not a lead: «dictamen» before an
	// OL folio is a word to find.
	if res := search(t, e.index, legajo.SearchQuery{Text: "dictamen ol " + n}); res.Folio != "" {
		t.Errorf("dictamen ol %s: Folio %q, want a search", n, res.Folio)
	}
	// Two documents with the number in different years: no single one.
	w := sharedWorld(t)
	res := search(t, w.index, legajo.SearchQuery{Text: "ol 42"})
	if res.Folio != "" || len(res.Hits) < 2 {
		t.Errorf("ol 42: Folio %q, hits %v", res.Folio, names(w, res))
	}
	if res := search(t, w.index, legajo.SearchQuery{Text: "ol 0042 2025"}); res.Folio != "SESVER/DA/DTI/OL/0042/2025" {
		t.Errorf("ol 0042 2025: Folio %q", res.Folio)
	}
	// A serie as a plain word, without a number, stays a word.
	if res := search(t, e.index, legajo.SearchQuery{Text: "se sustituyo el disco duro"}); len(res.Hits) == 0 || res.Folio != "" {
		t.Errorf("se sustituyo el disco duro: %v, Folio %q", hitNames(folio, res), res.Folio)
	}
	// A status filter the person may not pass keeps the document away.
	res = search(t, e.index, legajo.SearchQuery{Text: "ol " + n, Statuses: []string{"cancelado"}})
	if res.Folio != "" || res.Total != 0 {
		t.Errorf("ol %s cancelled only: Folio %q, %d hits", n, res.Folio, res.Total)
	}
}

func pad4(n int) string {
	s := itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// When no document holds every word, those holding most come first and
// the result says so; a word the index does not hold is corrected from
// its own words, as documents write them.
func TestPartialAndSuggestion(t *testing.T) {
	e, folio := judged(t)
	res := search(t, e.index, legajo.SearchQuery{Text: "liberacion sicip recursos humanos xyzzy"})
	if !res.Partial || len(res.Hits) == 0 || nameOf(folio, res.Hits[0].Folio) != "oficio-liberacion" {
		t.Errorf("partial: Partial %v, hits %v", res.Partial, hitNames(folio, res))
	}
	// The first hits hold more of the words than the last.
	if res.Total < 3 {
		t.Errorf("partial: only %d hits", res.Total)
	}
	res = search(t, e.index, legajo.SearchQuery{Text: "sicip liberacion"})
	if res.Partial || res.Suggestion != "" {
		t.Errorf("every word known: Partial %v, Suggestion %q", res.Partial, res.Suggestion)
	}
	for _, tc := range []struct{ q, want string }{
		{"jurisdision tonalmil", "jurisdicción tonalmil"},
		{"gomes tellez", "gómez tellez"},
		{"motorla repetidor", "motorola repetidor"},
		{"kenwod perote", "kenwood perote"},
		{"lagunez viveros", "lagunes viveros"},
	} {
		res := search(t, e.index, legajo.SearchQuery{Text: tc.q})
		if res.Suggestion != tc.want {
			t.Errorf("%q: suggestion %q, want %q", tc.q, res.Suggestion, tc.want)
		}
		if len(res.Hits) == 0 {
			t.Errorf("%q: no hits", tc.q)
		}
	}
	// Nothing like the word: no suggestion, nothing found.
	res = search(t, e.index, legajo.SearchQuery{Text: "qwxzv"})
	if res.Suggestion != "" || res.Total != 0 || res.Partial {
		t.Errorf("qwxzv: %+v", res)
	}
}

// Verb and noun forms of one stem meet; short words' plurals too; words
// of different meaning stay apart.
func TestMorphology(t *testing.T) {
	an := pairsAnalyzer(t)
	stemOf := func(w string) string {
		toks := an.Analyze([]byte(w))
		if len(toks) != 1 {
			t.Fatalf("%q: %d terms", w, len(toks))
		}
		return string(toks[0].Term)
	}
	same := [][]string{
		{"liberar", "liberación", "liberado", "liberada", "liberaciones", "libera"},
		{"restablecer", "restablecimiento", "restablecido", "restablece"},
		{"cancelar", "cancelación", "cancelado", "cancela"},
		{"instalar", "instalación", "instalaciones", "instalado", "instalarse"},
		{"contratar", "contratación", "contrato", "contratado"},
		{"sustituir", "sustitución", "sustituido", "sustituirse"},
		{"revisar", "revisión", "revisado"},
		{"nodo", "nodos"}, {"red", "redes"}, {"base", "bases"}, {"cita", "citas"},
		{"celular", "celulares"}, {"primer", "primero"},
		{"dictamen", "dictámenes"}, {"reparar", "reparable"},
		{"solicitar", "solicitud", "solicitudes", "solicitado"}, {"conectar", "conexión"}, {"reducir", "reducción"},
		{"solucionar", "solución", "solucionado"},
	}
	for _, words := range same {
		want := stemOf(words[0])
		for _, w := range words[1:] {
			if got := stemOf(w); got != want {
				t.Errorf("%s → %q, %s → %q: want the same", words[0], want, w, got)
			}
		}
	}
	apart := [][2]string{
		{"informe", "información"}, {"estación", "estadística"}, {"celular", "célula"}, {"salida", "sal"},
		{"aplicación", "aplicar"}, {"ciudad", "ciudadano"}, {"unidad", "unido"}, {"router", "ruta"},
	}
	for _, p := range apart {
		if a, b := stemOf(p[0]), stemOf(p[1]); a == b {
			t.Errorf("%s and %s both → %q: want them apart", p[0], p[1], a)
		}
	}
	// Serials and models keep their letters.
	for _, w := range []string{"5cg7132xya", "b9a00417", "m720s"} {
		if got := stemOf(w); got != w {
			t.Errorf("%s → %q, want it whole", w, got)
		}
	}
}

// Numbers: leading zeros, telephones in groups, amounts with separators
// and decimals; dates typed as numbers.
func TestNumbersAndDates(t *testing.T) {
	an := pairsAnalyzer(t)
	terms := func(s string) []string {
		var out []string
		for _, tok := range an.Analyze([]byte(s)) {
			out = append(out, string(tok.Term))
		}
		return out
	}
	for _, tc := range []struct {
		text string
		has  []string
		not  []string
	}{
		{"Inventario SESVER-5151-2018-00912", []string{"912", "5151", "2018"}, []string{"00912"}},
		{"Tel. 228 813 4470, ext. 12", []string{"2288134470", "8134470", "228", "4470"}, nil},
		{"(228) 814-1500", []string{"2288141500"}, nil},
		{"229 932 1457, 229 932 1460", []string{"2299321457", "2299321460"}, nil},
		{"Lada 282 825 0316", []string{"2828250316"}, []string{"282825316"}},
		{"Importe: $18,300.00 M.N.", []string{"18300", "18300.00"}, nil},
		{"13.8 V", []string{"13.8"}, []string{"13"}},
		{"del 5 al 30 de octubre", nil, []string{"530"}},
	} {
		got := terms(tc.text)
		for _, h := range tc.has {
			if !slices.Contains(got, h) {
				t.Errorf("%q: no term %q in %q", tc.text, h, got)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(got, n) {
				t.Errorf("%q: term %q in %q", tc.text, n, got)
			}
		}
	}

	e, folio := judged(t)
	// Every sample was issued on 2 March 2026 (the test clock).
	for _, q := range []string{"02/03/2026", "2-3-2026", "2026-03-02", "02/03/26"} {
		if res := search(t, e.index, legajo.SearchQuery{Text: q}); res.Total < 30 {
			t.Errorf("%s: %d hits, want every document of that day", q, res.Total)
		}
	}
	// The day after: only the documents whose text names it (received
	// that day; answering an oficio of that day).
	res := search(t, e.index, legajo.SearchQuery{Text: "03/03/2026"})
	if got := hitNames(folio, res); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"oficio-liberacion", "recibido"}) {
		t.Errorf("03/03/2026: %v, want oficio-liberacion and recibido", got)
	}
	// Not a date: a word, which nothing holds.
	if res := search(t, e.index, legajo.SearchQuery{Text: "31/02/2026"}); res.Total != 0 {
		t.Errorf("31/02/2026: %d hits", res.Total)
	}
}

// Prefixes, alternatives, and live documents before cancelled ones unless
// the cancelled are asked for.
func TestPrefixOrAndStatus(t *testing.T) {
	e, folio := judged(t)
	for _, tc := range []struct {
		q    string
		want []string
		max  int
	}{
		{"hemodia*", []string{"recibido"}, 1},
		{"vacuna*", []string{"integracion-informacion", "responsiva-micrositio"}, 2},
		{"firewall o cortafuegos", []string{"informe-baja-accesos.extenso"}, 1},
		{"sicoa | sirem", []string{"informe-baja-accesos", "minuta"}, 2},
		{"sicoa|sirem", []string{"informe-baja-accesos", "minuta"}, 2},
		{"kenwood o motorola o repetidor", []string{"tarjeta-informativa.no-reparable", "control-actividades"}, 0},
		{"ke*", nil, 0}, // too short: nothing rather than half the index
		{"tonalm", []string{"tarjeta-informativa", "ti-cancelada"}, 2}, // an unknown word: the words it starts
	} {
		res := search(t, e.index, legajo.SearchQuery{Text: tc.q, PerPage: 50})
		got := hitNames(folio, res)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %s not among %v", tc.q, w, got)
			}
		}
		if tc.max > 0 && res.Total > tc.max {
			t.Errorf("%q: %d hits %v, want at most %d", tc.q, res.Total, got, tc.max)
		}
		if tc.want == nil && res.Total != 0 {
			t.Errorf("%q: %d hits, want none", tc.q, res.Total)
		}
	}
	res := search(t, e.index, legajo.SearchQuery{Text: "metrocarrier jalacingo"})
	if got := hitNames(folio, res); len(got) < 2 || got[0] != "tarjeta-informativa" {
		t.Errorf("live first: %v", got)
	}
	res = search(t, e.index, legajo.SearchQuery{Text: "metrocarrier jalacingo", Statuses: []string{"cancelados"}})
	if got := hitNames(folio, res); !slices.Equal(got, []string{"ti-cancelada"}) {
		t.Errorf("cancelled asked for: %v", got)
	}
	// Sorted by date, the live clause changes nothing: newest first.
	res = search(t, e.index, legajo.SearchQuery{Text: "metrocarrier jalacingo", Sort: legajo.SortDateDesc})
	if got := hitNames(folio, res); len(got) < 2 || got[0] != "ti-cancelada" {
		t.Errorf("by date: %v", got)
	}
}

// The abbreviations come from the settings when given: a table of the
// administrator's replaces the defaults, and an empty one has none.
func TestSynonyms(t *testing.T) {
	e, folio := judged(t)
	custom := []legajo.Synonym{{Short: "PAP", Long: []string{"punto a punto"}}}
	res := search(t, e.index, legajo.SearchQuery{Text: "pap metrocarrier", Synonyms: custom})
	if got := hitNames(folio, res); len(got) == 0 || got[0] != "tarjeta-informativa" || res.Partial {
		t.Errorf("pap metrocarrier with PAP: %v (partial %v)", got, res.Partial)
	}
	if res := search(t, e.index, legajo.SearchQuery{Text: "pap metrocarrier"}); !res.Partial {
		t.Errorf("pap metrocarrier with the defaults: %v, want a partial match", hitNames(folio, res))
	}
	if res := search(t, e.index, legajo.SearchQuery{Text: "depto adquisiciones", Synonyms: []legajo.Synonym{}}); !res.Partial {
		t.Errorf("depto adquisiciones without synonyms: %v, want a partial match", hitNames(folio, res))
	}
	if res := search(t, e.index, legajo.SearchQuery{Text: "depto adquisiciones"}); res.Partial || res.Total == 0 {
		t.Errorf("depto adquisiciones: %v (partial %v)", hitNames(folio, res), res.Partial)
	}
	res = search(t, e.index, legajo.SearchQuery{Text: "js tuxpan"})
	if got := hitNames(folio, res); len(got) == 0 || got[0] != "js-tuxpan" || res.Partial {
		t.Errorf("js tuxpan: %v", got)
	}
	// Initials of the institutions named: HGT, LESP, JSV (of «Jurisdicción
	// Sanitaria No. V Xalapa»).
	for q, want := range map[string]string{"hgt": "hg-tuxpan", "lesp temporal": "oficio-proveedor.temporal", "jsv vectores": "instalacion-voz-datos"} {
		res := search(t, e.index, legajo.SearchQuery{Text: q})
		if got := hitNames(folio, res); !slices.Contains(got, want) || res.Partial {
			t.Errorf("%s: %v, want %s", q, got, want)
		}
	}
}

// Passwords on forms never match, however typed: whole, by a prefix, or
// with a typo.
func TestSecretsNeverMatchTyped(t *testing.T) {
	e, _ := judged(t)
	for _, s := range []string{"Vq7#tLm2-Rx94", "hj4$wpz8-nc31"} {
		for _, q := range []string{s, strings.ToLower(s[:4]) + "*", strings.ToLower(s[:6]) + "*", strings.ReplaceAll(strings.ToLower(s), "#", "")} {
			res := search(t, e.index, legajo.SearchQuery{Text: q})
			for _, h := range res.Hits {
				for _, frags := range h.Fragments {
					for _, f := range frags {
						if strings.Contains(strings.ToLower(f), strings.ToLower(s[:6])) {
							t.Errorf("%q: fragment shows the secret: %s", q, f)
						}
					}
				}
			}
			if res.Total != 0 && !res.Partial {
				t.Errorf("%q: %d hits %v", q, res.Total, folios(res))
			}
		}
	}
	_ = fixtures.JudgedQueries
}

func itoa(n int) string { return strings.TrimSpace(fmtAny(n)) }
