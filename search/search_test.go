package search

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// world is the fixture archive every matching test searches: every sample
// document filed through a real Office, then an acuse (a PDF with a text
// layer), a cancellation, an attachment and a received oficio, plus records
// indexed directly to give the folio tests an OL/0042.
type world struct {
	*env
	folio map[string]legajo.Folio // by sample name, and "recibido"
}

var (
	worldOnce sync.Once
	worldVal  *world
	worldErr  error
)

// sharedWorld builds the world once for the tests that only read it.
func sharedWorld(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				worldErr = errors.New("world setup failed")
			}
		}()
		worldVal = buildWorld(&onceT{T: t})
	})
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return worldVal
}

// onceT lets the shared world outlive the test that happened to build it:
// its temporary directory and cleanups belong to the process.
type onceT struct{ *testing.T }

func (o *onceT) TempDir() string {
	dir, err := osMkdirTemp()
	if err != nil {
		o.Fatal(err)
	}
	return dir
}

func (o *onceT) Cleanup(func()) {}

func buildWorld(t testing.TB) *world {
	e := newEnv(t, "")
	w := &world{env: e, folio: e.samples(t)}
	ctx := context.Background()
	ol := w.folio["oficio-liberacion"]
	if _, err := e.office.Acuse(ctx, ol, fixtures.TextPDF("ACUSE DE RECIBIDO", "Recibí original firmado, sello de la Subdirección de Recursos Humanos"), "acuse.pdf", "capturista1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.office.Attach(ctx, ol, fixtures.TextPDF("MANUAL DEL USUARIO DEL SICIP", "Capítulo 3. Exportación del reporte quincenal a hoja de cálculo"), "manual.pdf", "Manual del usuario del SICIP, versión 1.0", "capturista1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.office.Cancel(ctx, w.folio["oficio-proveedor"], "Se emitió con la cuenta maestra equivocada; se sustituye por otro oficio.", "capturista1"); err != nil {
		t.Fatal(err)
	}
	res, err := e.office.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
		"tipo": "Oficio", "referencia": "SESVER/HRX/DIR/0917/2026", "fecha_recepcion": "2026-03-03", "hora_recepcion": "10:20",
		"remitente": "Dr. Arturo Cabrera Montano", "cargo": "Director del Hospital Regional de Xalapa",
		"area": "Hospital Regional de Xalapa «Dr. Luis F. Nachón»", "asunto": "Solicitud de nodos de red para el área de hemodiálisis",
	}, Scan: fixtures.TextPDF("OFICIO SESVER/HRX/DIR/0917/2026", "Solicito la instalación de cuatro nodos de red y un conmutador en la Unidad de Hemodiálisis."),
		ScanName: "oficio.pdf", Tramite: "TR/0007/2026", Author: "capturista1"})
	if err != nil {
		t.Fatal(err)
	}
	w.folio["recibido"], _ = legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")

	// OL/0042 of 2026 and of 2025, indexed directly, and a document that
	// only mentions the first in its text.
	for _, f := range []legajo.Folio{{Prefix: "SESVER/DA/DTI", Serie: "OL", Number: 42, Year: 2026}, {Prefix: "SESVER/DA/DTI", Serie: "OL", Number: 42, Year: 2025}} {
		data := sample(t, "oficio-liberacion")
		data["sistema"] = "Sistema de Citas Médicas en Línea (CITAS)"
		if err := e.index.Index(ctx, record(t, e.cat, "oficio-liberacion", f, data, time.Date(f.Year, 6, 1, 10, 0, 0, 0, time.UTC))); err != nil {
			t.Fatal(err)
		}
		w.folio[f.String()] = f
	}
	data := sample(t, "servicio-equipo")
	data["observaciones"] = "Relacionado con el oficio SESVER/DA/DTI/OL/0042/2026 de liberación del sistema de citas."
	mention := legajo.Folio{Prefix: "SESVER/DA/DTI", Serie: "SE", Number: 900, Year: 2026}
	if err := e.index.Index(ctx, record(t, e.cat, "servicio-equipo", mention, data, time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	w.folio["menciona-ol-42"] = mention
	return w
}

// record makes the record the archive would hold for a document issued
// with data on date, without filing it.
func record(t testing.TB, cat *legajo.Catalog, typ string, f legajo.Folio, data map[string]any, date time.Time) *legajo.Record {
	t.Helper()
	docs := []fixtures.CorpusDoc{{Type: typ, Data: data, Date: date, Author: "capturista1"}}
	recs, err := fixtures.CorpusRecords(cat, docs, f.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	rec := recs[0]
	rec.Folio = f
	for i := range rec.Manifests {
		rec.Manifests[i].Folio = f.String()
	}
	for i := range rec.Entries {
		rec.Entries[i].Folio = f.String()
	}
	return rec
}

// name returns the sample name of a folio, for messages.
func (w *world) name(folio string) string {
	for n, f := range w.folio {
		if f.String() == folio {
			return n
		}
	}
	return folio
}

// TestMatching proves every matching rule of the issue on the fixture
// documents: each query's expected first result.
func TestMatching(t *testing.T) {
	w := sharedWorld(t)
	tests := []struct {
		name  string
		q     string
		top   string   // sample name of the expected first hit
		also  []string // other samples that must be among the hits
		total int      // exact number of hits, when it matters (0: any)
	}{
		{"ñ folded", "contrasena", "restablecimiento-contrasena", []string{"acuse-cuenta-correo"}, 0},
		{"ñ typed", "contraseña", "restablecimiento-contrasena", nil, 0},
		{"accent folded", "informacion", "integracion-informacion", nil, 0},
		{"accent typed, upper case", "INFORMACIÓN", "integracion-informacion", nil, 0},
		{"plural stems to singular", "dictamenes", "dictamen-tecnico.baja", []string{"dictamen-tecnico"}, 0},
		{"singular finds plural", "refaccion", "justificacion-tecnica.refacciones", []string{"dictamen-tecnico"}, 0},
		{"stop words ignored", "la contraseña de la cuenta", "restablecimiento-contrasena", nil, 0},
		{"case ignored", "LIBERACIÓN SICIP", "oficio-liberacion", nil, 0},
		{"typo in a long word", "refaciones", "dictamen-tecnico", []string{"justificacion-tecnica.refacciones"}, 0},
		{"typo with accent", "obsolecencia", "dictamen-tecnico.baja", nil, 0},
		{"quoted phrase", `"cuenta bloqueada"`, "restablecimiento-contrasena", nil, 1},
		{"phrase with stop words", `"fuente de poder interna"`, "dictamen-tecnico", nil, 0},
		{"exclusion", "radio -kenwood", "tarjeta-informativa.no-reparable", nil, 0},
		{"folio in full", "SESVER/DA/DTI/OL/0042/2026", "SESVER/DA/DTI/OL/0042/2026", []string{"menciona-ol-42"}, 0},
		{"folio without prefix", "OL/0042/2026", "SESVER/DA/DTI/OL/0042/2026", nil, 0},
		{"folio number and year", "0042/2026", "SESVER/DA/DTI/OL/0042/2026", nil, 0},
		// The document mentioning SESVER/DA/DTI/OL/0042/2026 is found
		// too: its number is 42 without the zeros.
		{"folio short, newest first", "ol-42", "SESVER/DA/DTI/OL/0042/2026", []string{"SESVER/DA/DTI/OL/0042/2025", "menciona-ol-42"}, 3},
		{"folio with dashes", "sesver-da-dti-ol-0042-2025", "SESVER/DA/DTI/OL/0042/2025", nil, 0},
		{"uploaded acuse text", "sello recursos humanos", "oficio-liberacion", nil, 0},
		{"attachment text", "exportacion quincenal", "oficio-liberacion", nil, 0},
		{"attachment description", "manual usuario sicip", "oficio-liberacion", nil, 0},
		{"received oficio scan", "hemodialisis conmutador", "recibido", nil, 1},
		{"cancellation reason", "cuenta maestra equivocada", "oficio-proveedor", nil, 1},
		{"área", "transparencia", "dictamen-tecnico.baja", nil, 0},
		{"number without grouping", "778181", "integracion-informacion", nil, 0},
		{"number with grouping", "1,240 incidencias", "oficio-liberacion", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := search(t, w.index, legajo.SearchQuery{Text: tc.q})
			if len(res.Hits) == 0 {
				t.Fatalf("%q: no hits", tc.q)
			}
			want := tc.top
			if f, ok := w.folio[tc.top]; ok {
				want = f.String()
			}
			if got := res.Hits[0].Folio; got != want {
				t.Errorf("%q: first hit %s (%s), want %s (%s); hits %v", tc.q, got, w.name(got), want, tc.top, names(w, res))
			}
			for _, a := range tc.also {
				if !slices.Contains(folios(res), w.folio[a].String()) {
					t.Errorf("%q: %s not among the hits %v", tc.q, a, names(w, res))
				}
			}
			if tc.total != 0 && res.Total != tc.total {
				t.Errorf("%q: %d hits, want %d: %v", tc.q, res.Total, tc.total, names(w, res))
			}
		})
	}
}

func names(w *world, res *legajo.SearchResult) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, w.name(h.Folio))
	}
	return out
}

// Excluded words and phrases remove documents; a typo never matches a
// short word.
func TestExclusionAndShortWords(t *testing.T) {
	w := sharedWorld(t)
	res := search(t, w.index, legajo.SearchQuery{Text: "radio -kenwood", PerPage: 100})
	for _, h := range res.Hits {
		if n := w.name(h.Folio); strings.Contains(n, "control-actividades") || strings.Contains(n, "formato-rf01") || n == "justificacion-tecnica.refacciones" {
			t.Errorf("radio -kenwood found %s, which names Kenwood", n)
		}
	}
	with := search(t, w.index, legajo.SearchQuery{Text: "radio"}).Total
	if res.Total >= with {
		t.Errorf("exclusion removed nothing: %d of %d", res.Total, with)
	}
	if n := search(t, w.index, legajo.SearchQuery{Text: `radio -"radio base"`}).Total; n >= with {
		t.Errorf("phrase exclusion removed nothing: %d of %d", n, with)
	}
	// A phrase is its words in order: the same words the other way round,
	// or apart, are not the phrase.
	if n := search(t, w.index, legajo.SearchQuery{Text: "cuenta bloqueada"}).Total; n == 0 {
		t.Fatal("cuenta bloqueada: no hits")
	}
	for _, q := range []string{`"bloqueada cuenta"`, `"cuenta motivo bloqueada"`} {
		if n := search(t, w.index, legajo.SearchQuery{Text: q}).Total; n != 0 {
			t.Errorf("%s: %d hits, want none", q, n)
		}
	}
	// «rad» is too short for typo tolerance: «red» must not match it.
	if n := search(t, w.index, legajo.SearchQuery{Text: "rad"}).Total; n != 0 {
		t.Errorf("rad: %d hits, want none", n)
	}
}

// Secrets never reach the index: the sample passwords find nothing, and no
// stored field of any document holds them.
func TestSecretsNeverIndexed(t *testing.T) {
	w := sharedWorld(t)
	secrets := []string{}
	for _, name := range []string{"acuse-cuenta-correo", "restablecimiento-contrasena"} {
		secrets = append(secrets, sample(t, name)["contrasena"].(string))
	}
	for _, s := range secrets {
		for _, q := range []string{s, `"` + s + `"`, strings.Split(s, "-")[0], strings.Split(s, "-")[1]} {
			if res := search(t, w.index, legajo.SearchQuery{Text: q}); res.Total != 0 {
				t.Errorf("secret %q: %d hits (%v)", q, res.Total, folios(res))
			}
		}
	}
	w.index.mu.RLock()
	defer w.index.mu.RUnlock()
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1000, 0, false)
	req.Fields = []string{"*"}
	res, err := w.index.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) < 30 {
		t.Fatalf("only %d documents", len(res.Hits))
	}
	for _, h := range res.Hits {
		for field, v := range h.Fields {
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(fmtAny(v)), strings.ToLower(s)) {
					t.Errorf("%s: stored field %s holds a secret", h.ID, field)
				}
			}
		}
	}
}

// Filters, facets, sorting and pagination.
func TestFiltersFacetsSortPages(t *testing.T) {
	w := sharedWorld(t)
	ctx := context.Background()
	all := search(t, w.index, legajo.SearchQuery{Facets: true, PerPage: 200})
	if all.Total < 33 {
		t.Fatalf("%d documents", all.Total)
	}
	sum := func(name string) int {
		n := 0
		for _, c := range all.Facets[name] {
			n += c.Count
		}
		return n
	}
	for _, f := range []string{legajo.FacetType, legajo.FacetExpediente, legajo.FacetStatus, legajo.FacetYear} {
		if sum(f) != all.Total {
			t.Errorf("facet %s counts %d of %d documents: %v", f, sum(f), all.Total, all.Facets[f])
		}
	}
	count := func(q legajo.SearchQuery) int { return search(t, w.index, q).Total }
	byFacet := func(name, value string) int {
		for _, c := range all.Facets[name] {
			if c.Value == value {
				return c.Count
			}
		}
		return 0
	}
	if n := count(legajo.SearchQuery{Statuses: []string{"cancelado"}}); n != 1 || byFacet(legajo.FacetStatus, "cancelado") != 1 {
		t.Errorf("cancelado: %d", n)
	}
	if n := count(legajo.SearchQuery{Statuses: []string{"acusado"}}); n != 1 {
		t.Errorf("acusado: %d", n)
	}
	if n, want := count(legajo.SearchQuery{Statuses: []string{"pendiente"}}), byFacet(legajo.FacetStatus, string(legajo.StatusPendiente)); n != want || n == 0 {
		t.Errorf("pendiente: %d, facet says %d", n, want)
	}
	if n := count(legajo.SearchQuery{Text: "sistema", Types: []string{"oficio-liberacion"}}); n != 3 {
		t.Errorf("sistema in oficios de liberación: %d, want 3", n)
	}
	if n := count(legajo.SearchQuery{Expedientes: []string{"correos"}}); n != byFacet(legajo.FacetExpediente, "correos") || n < 2 {
		t.Errorf("expediente correos: %d", n)
	}
	if n := count(legajo.SearchQuery{Areas: []string{"Jurisdicción Sanitaria No. V Xalapa"}}); n != byFacet(legajo.FacetArea, "Jurisdicción Sanitaria No. V Xalapa") || n < 3 {
		t.Errorf("área Xalapa: %d", n)
	}
	if n := count(legajo.SearchQuery{Tramites: []string{"TR/0007/2026"}}); n != 1 {
		t.Errorf("trámite TR/0007/2026: %d, want the oficio received in it", n)
	}
	if n := count(legajo.SearchQuery{Tramites: []string{"TR/0008/2026"}}); n != 0 {
		t.Errorf("trámite TR/0008/2026: %d, want none", n)
	}
	if n := count(legajo.SearchQuery{Year: 2025}); n != 1 {
		t.Errorf("2025: %d, want 1", n)
	}
	if n := count(legajo.SearchQuery{From: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)}); n != 2 {
		t.Errorf("June–July 2026: %d, want 2", n)
	}
	if n, all := count(legajo.SearchQuery{Text: "citas", From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}), count(legajo.SearchQuery{Text: "citas"}); n != all-1 {
		t.Errorf("citas since 2026: %d of %d, want all but OL/0042/2025", n, all)
	}

	bySort := func(sort string) []string {
		return folios(search(t, w.index, legajo.SearchQuery{Sort: sort, PerPage: 200}))
	}
	dates := search(t, w.index, legajo.SearchQuery{Sort: legajo.SortDate, PerPage: 200}).Hits
	for i := 1; i < len(dates); i++ {
		if dates[i].Date.Before(dates[i-1].Date) {
			t.Fatalf("sort fecha: %s before %s", dates[i-1].Folio, dates[i].Folio)
		}
	}
	desc := bySort(legajo.SortDateDesc)
	if desc[0] != "SESVER/DA/DTI/SE/0900/2026" {
		t.Errorf("sort -fecha starts with %s", desc[0])
	}
	// Small pages newest first come from date windows (see windowed), and
	// oldest first from the windows at the start of the archive: the same
	// documents, totals and facets as sorting every match.
	for _, sort := range []string{legajo.SortDateDesc, legajo.SortDate} {
		var windowed []string
		for page := 1; page <= 5; page++ {
			res := search(t, w.index, legajo.SearchQuery{Sort: sort, Page: page, PerPage: 3, Facets: true})
			if res.Total != all.Total || !reflect.DeepEqual(res.Facets, all.Facets) {
				t.Errorf("%s, page %d: total %d, facets %v", sort, page, res.Total, res.Facets)
			}
			windowed = append(windowed, folios(res)...)
		}
		if sorted := bySort(sort); !slices.Equal(windowed, sorted[:15]) {
			t.Errorf("%s by pages of 3:\n%v\nsorting all:\n%v", sort, windowed, sorted[:15])
		}
	}
	byFolio := bySort(legajo.SortFolio)
	if byFolio[0] != "SESVER/DA/DTI/OL/0042/2025" {
		t.Errorf("sort folio starts with %s", byFolio[0])
	}
	// Pages cover the whole list once.
	var paged []string
	for page := 1; ; page++ {
		res := search(t, w.index, legajo.SearchQuery{Sort: legajo.SortFolio, Page: page, PerPage: 7})
		if len(res.Hits) == 0 {
			break
		}
		paged = append(paged, folios(res)...)
	}
	if !slices.Equal(paged, byFolio) {
		t.Errorf("pages give %d folios, one page %d", len(paged), len(byFolio))
	}

	for _, bad := range []legajo.SearchQuery{
		{Sort: "tamaño"}, {Page: -1}, {PerPage: 1000}, {Page: 1000, PerPage: 100},
		{From: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Text: strings.Repeat("palabra ", 40)},
	} {
		if _, err := w.index.Search(ctx, bad); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("%+v: err %v, want ErrInvalid", bad, err)
		}
	}
}

// Hits carry what the CLI and the web show, with marked fragments.
func TestHitsAndFragments(t *testing.T) {
	w := sharedWorld(t)
	res := search(t, w.index, legajo.SearchQuery{Text: "contrasena bloqueada"})
	if len(res.Hits) != 1 {
		t.Fatalf("%d hits", len(res.Hits))
	}
	h := res.Hits[0]
	if h.Type != "restablecimiento-contrasena" || h.Expediente != "correos" || h.Status != "pendiente de acuse" ||
		h.Area != "Jurisdicción Sanitaria No. VIII Veracruz" || h.Date.IsZero() || h.Score <= 0 || !strings.HasPrefix(h.Title, "Formato de restablecimiento") {
		t.Errorf("hit %+v", h)
	}
	if s := h.Fragments["subject"]; len(s) != 1 || !strings.Contains(s[0], "<mark>contraseña</mark>") {
		t.Errorf("subject fragment %q", s)
	}
	text := strings.Join(h.Fragments["text"], " ")
	if !strings.Contains(text, "<mark>bloqueada</mark>") || strings.Contains(text, "\n") {
		t.Errorf("text fragments %q", text)
	}
	res = search(t, w.index, legajo.SearchQuery{Text: "refaciones"})
	if f := strings.Join(res.Hits[0].Fragments["text"], " "); !strings.Contains(f, "<mark>refacciones</mark>") && !strings.Contains(f, "<mark>Refacciones</mark>") {
		t.Errorf("typo not marked: %q", f)
	}
	res = search(t, w.index, legajo.SearchQuery{Text: "Nachon"})
	if f := strings.Join(res.Hits[0].Fragments["text"], " "); !strings.Contains(f, "<mark>Nachón</mark>") || !strings.Contains(f, "&#34;") && strings.Contains(f, `"`) {
		t.Errorf("fragment %q", f)
	}
}

// A phrase is looked up by the pairs of its neighbouring words; a word with
// many digits makes no pair and is looked up alone.
func TestPhraseTerms(t *testing.T) {
	tests := []struct {
		terms []string
		want  []string
	}{
		{[]string{"corre"}, []string{"corre"}},
		{[]string{"cuent", "corre"}, []string{"cuent corre"}},
		{[]string{"fuent", "pod", "intern"}, []string{"fuent pod", "pod intern"}},
		{[]string{"ol", "42"}, []string{"ol 42"}},
		{[]string{"ol", "0042", "2026"}, []string{"ol 0042", "0042 2026"}},
		{[]string{"emplead", "28737", "activ"}, []string{"emplead", "28737", "activ"}},
		{[]string{"total", "10000.51", "pes", "mexican"}, []string{"pes mexican", "total", "10000.51"}},
	}
	for _, tc := range tests {
		if got := phraseTerms(tc.terms); !slices.Equal(got, tc.want) {
			t.Errorf("phraseTerms(%q) = %q, want %q", tc.terms, got, tc.want)
		}
	}
	an := pairsAnalyzer(t)
	var got []string
	for _, tok := range an.Analyze([]byte("Número de empleado 28737, activo; cuenta de correo")) {
		got = append(got, string(tok.Term))
	}
	// «empleado» stems to empl, as «emplear» does (see derive).
	want := []string{"numer", "empl", "28737", "activ", "cuent", "corre", "numer empl", "activ cuent", "cuent corre"}
	if !slices.Equal(got, want) {
		t.Errorf("indexed terms %q, want %q", got, want)
	}
}

func pairsAnalyzer(t *testing.T) analysis.Analyzer {
	t.Helper()
	an, err := newPairsAnalyzer(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return an
}

// The facet table counts what bleve's own facets count, over an index of
// many segments with documents replaced by later events (acuses,
// cancellations), and follows new segments as documents are indexed.
func TestFacetTableCountsAsBleve(t *testing.T) {
	e := newEnv(t, "")
	f := e.samples(t)
	fileEvents(t, e, f)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		for _, text := range []string{"", "sistema", "cuenta -radio", `"fuente de poder"`} {
			tp, _, err := e.index.textQuery(text, e.index.idx.Mapping().AnalyzerNamed(analyzerName), nil)
			if err != nil {
				t.Fatal(err)
			}
			var q query.Query = query.NewMatchAllQuery()
			if len(tp.must) > 0 || len(tp.mustNot) > 0 {
				q = query.NewBooleanQuery(append([]query.Query{query.NewMatchAllQuery()}, tp.must...), nil, tp.mustNot)
			}
			r, err := e.index.reader()
			if err != nil {
				t.Fatal(err)
			}
			total, fr, ok, err := e.index.facetCount(ctx, r, q)
			r.Close()
			if err != nil || !ok {
				t.Fatalf("facetCount: %v %v", ok, err)
			}
			req := bleve.NewSearchRequestOptions(q, 0, 0, false)
			req.AddFacet(fFacet, bleve.NewFacetRequest(fFacet, facetLimit))
			res, err := e.index.idx.SearchInContext(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got, want := fr, countFacets(res.Facets[fFacet])
			if total != res.Total || !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %q: table %d %v\nbleve %d %v", when, text, total, got, res.Total, want)
			}
			if text == "" && total == 0 {
				t.Fatalf("%s: nothing indexed", when)
			}
			// Ranked and counted in one pass: the same facets, and the
			// same page of hits as the query alone.
			fq := &facetedQuery{q: q, table: e.index.facets}
			one, err := e.index.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(fq, 5, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			alone, err := e.index.idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 5, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			if got := fq.result(); fq.total != res.Total || one.Total != res.Total || !reflect.DeepEqual(got, want) {
				t.Errorf("%s, %q: one pass %d (%d) %v\nbleve %d %v", when, text, fq.total, one.Total, got, res.Total, want)
			}
			if len(one.Hits) != len(alone.Hits) {
				t.Fatalf("%s, %q: %d hits in one pass, %d alone", when, text, len(one.Hits), len(alone.Hits))
			}
			for i := range one.Hits {
				if one.Hits[i].ID != alone.Hits[i].ID || one.Hits[i].Score != alone.Hits[i].Score {
					t.Errorf("%s, %q: hit %d: %s %v in one pass, %s %v alone", when, text, i, one.Hits[i].ID, one.Hits[i].Score, alone.Hits[i].ID, alone.Hits[i].Score)
				}
			}
		}
	}
	check("after the samples and their events")
	e.emit(t, "restablecimiento-contrasena", sample(t, "restablecimiento-contrasena"))
	if _, err := e.office.Cancel(ctx, f["oficio-liberacion"], "Se emitió con el sistema equivocado.", "capturista1"); err != nil {
		t.Fatal(err)
	}
	check("after one more document and a cancellation")
}
