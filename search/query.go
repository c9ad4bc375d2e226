package search

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/sesver/legajo"
)

// Scoring of the parts of a word's clause, relative to an exact match in
// the text: a match in the title or asunto weighs more, a match with one typo
// much less, and a folio typed in the query wins over any text.
const (
	boostHead  = 2.0
	boostFuzzy = 0.2
	boostFolio = 50.0
	minFuzzy   = 5 // letters a word needs before it matches with a typo
	maxWords   = 32
	maxText    = 1000
	maxDepth   = 10_000 // page × per page: deeper results are not paged to
)

// facetLimit bounds the combinations of facet values counted (see
// facetValue): types × áreas × statuses × years that actually occur, some
// tens of thousands in a large archive.
const facetLimit = 1 << 20

var facetNames = []string{legajo.FacetType, legajo.FacetExpediente, legajo.FacetArea, legajo.FacetStatus, legajo.FacetYear}

// countFacets splits the counts of facet combinations into the count of
// each value of each facet, by count descending, then value.
func countFacets(fr *bsearch.FacetResult) map[string][]legajo.FacetCount {
	sums := make([]map[string]int, len(facetNames))
	for i := range sums {
		sums[i] = map[string]int{}
	}
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			for i, v := range strings.SplitN(t.Term, facetSep, len(facetNames)) {
				if v != "" {
					sums[i][v] += t.Count
				}
			}
		}
	}
	out := make(map[string][]legajo.FacetCount, len(facetNames))
	for i, name := range facetNames {
		counts := make([]legajo.FacetCount, 0, len(sums[i]))
		for v, n := range sums[i] {
			counts = append(counts, legajo.FacetCount{Value: v, Count: n})
		}
		sort.Slice(counts, func(a, b int) bool {
			if counts[a].Count != counts[b].Count {
				return counts[a].Count > counts[b].Count
			}
			return counts[a].Value < counts[b].Value
		})
		out[name] = counts
	}
	return out
}

var storedFields = []string{fFolio, fType, fTitle, fSubject, fExpediente, fArea, fStatus, fDate, fNoText}

// Search returns one page of the documents matching q (see
// legajo.SearchQuery for the query language). Errors: ErrInvalid for a
// malformed query, with a message for the person who typed it; ErrClosed;
// index failures.
func (x *Index) Search(ctx context.Context, q legajo.SearchQuery) (*legajo.SearchResult, error) {
	start := time.Now()
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	an := x.idx.Mapping().AnalyzerNamed(analyzerName)
	if an == nil {
		return nil, fmt.Errorf("search: analyzer %s missing", analyzerName)
	}
	// One snapshot of the index for the words one typo away, the facets
	// and the start of the archive; bleve's requests take their own.
	r, err := x.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	typos, err := newTypoFinder(r)
	if err != nil {
		return nil, err
	}
	p, err := x.plan(q, an, typos.find)
	if err == nil {
		err = typos.err
	}
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(p.query, p.perPage, (p.page-1)*p.perPage, false)
	req.Fields = storedFields
	if p.highlight() {
		req.Fields = append(slices.Clone(storedFields), fText, fFiles, fNotes)
	}
	req.SortBy(p.sort)
	// Facets come from the facet table (see facetTable), with the total;
	// from bleve when the index is not one the table reads.
	var facets *bsearch.FacetResult
	total := int64(-1)
	if q.Facets {
		n, fr, ok, err := x.facetCount(ctx, r, p.query)
		if err != nil {
			return nil, err
		}
		if ok {
			facets, total = fr, int64(n)
		} else {
			req.AddFacet(fFacet, bleve.NewFacetRequest(fFacet, facetLimit))
		}
	}
	var res *bleve.SearchResult
	if (p.newestFirst || p.oldestFirst) && p.page*p.perPage <= maxWindowed {
		res, err = x.windowed(ctx, r, p, req, total)
	} else {
		res, err = x.idx.SearchInContext(ctx, req)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &legajo.SearchResult{Total: int(res.Total), Page: p.page, PerPage: p.perPage,
		Hits: make([]legajo.SearchHit, 0, len(res.Hits)), Facets: map[string][]legajo.FacetCount{}}
	for _, h := range res.Hits {
		hit := legajo.SearchHit{
			Folio: str(h.Fields[fFolio]), Type: str(h.Fields[fType]), Title: str(h.Fields[fTitle]),
			Subject: str(h.Fields[fSubject]), Expediente: str(h.Fields[fExpediente]), Area: str(h.Fields[fArea]),
			Status: str(h.Fields[fStatus]), Score: h.Score, Fragments: map[string][]string{},
		}
		if t, err := time.Parse(time.RFC3339Nano, str(h.Fields[fDate])); err == nil {
			hit.Date = t
		}
		if s := str(h.Fields[fNoText]); s != "" {
			hit.NoText = strings.Split(s, "\n")
		}
		if p.highlight() {
			for _, f := range []struct{ name, field string }{{"subject", fSubject}, {"text", fText}, {"files", fFiles}, {"notes", fNotes}} {
				if frags := p.marks.fragments(an, str(h.Fields[f.field]), f.name == "subject"); len(frags) > 0 {
					hit.Fragments[f.name] = frags
				}
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	if q.Facets {
		if facets == nil {
			facets = res.Facets[fFacet]
		}
		out.Facets = countFacets(facets)
	}
	if p.relevance {
		// Equal scores, newest first (this year's ol-42 before last year's).
		// Hits come by score, so equal scores are neighbours.
		for i := 0; i < len(out.Hits); {
			j := i + 1
			for j < len(out.Hits) && out.Hits[j].Score == out.Hits[i].Score {
				j++
			}
			group := out.Hits[i:j]
			sort.SliceStable(group, func(a, b int) bool { return group[a].Date.After(group[b].Date) })
			i = j
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

// Sorting by date reads the date of every match; for the first pages of
// a listing by date, only the matches of a window at one end need it.
const (
	maxWindowed   = 1000                // page × per page up to which date sorts use windows
	initialWindow = 92 * 24 * time.Hour // doubled until the window holds the page
)

// windowed answers req, a query sorted by date, without sorting every
// match: one request counts the matches and their facets without scoring
// or sorting (unless total, the count, is known: ≥ 0), then the page comes
// from the matches of a window. Newest first, the last three months, six,
// a year … whichever first holds it; oldest first, the first three months
// of the archive, six, a year … Every match outside a window is on the far
// side of every match inside it, so the page is the same.
func (x *Index) windowed(ctx context.Context, r index.IndexReader, p *plan, req *bleve.SearchRequest, total int64) (*bleve.SearchResult, error) {
	all := &bleve.SearchResult{Total: uint64(max(total, 0))}
	if total < 0 {
		count := bleve.NewSearchRequestOptions(p.query, 0, 0, false)
		count.Score = bleve.ScoreNone
		count.Facets = req.Facets
		var err error
		if all, err = x.idx.SearchInContext(ctx, count); err != nil {
			return nil, err
		}
	}
	need := uint64(p.page * p.perPage)
	incl, excl := true, false
	window := func(time.Duration) *query.DateRangeQuery { return nil }
	if p.newestFirst {
		now := time.Now()
		window = func(w time.Duration) *query.DateRangeQuery {
			return query.NewDateRangeInclusiveQuery(now.Add(-w), time.Time{}, &incl, nil)
		}
	} else if year, ok, err := firstYear(r); err != nil {
		return nil, err
	} else if ok {
		// A day before the year began, whatever the zone of the dates.
		start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		window = func(w time.Duration) *query.DateRangeQuery {
			return query.NewDateRangeInclusiveQuery(time.Time{}, start.Add(w), nil, &excl)
		}
	}
	for w := initialWindow; all.Total > 4*need && w < 200*365*24*time.Hour; w *= 2 {
		r := window(w)
		if r == nil {
			break
		}
		r.SetField(fDate)
		win := *req
		win.Query = query.NewConjunctionQuery([]query.Query{p.query, r})
		win.Facets = nil
		res, err := x.idx.SearchInContext(ctx, &win)
		if err != nil {
			return nil, err
		}
		if res.Total >= need {
			res.Total, res.Facets = all.Total, all.Facets
			return res, nil
		}
	}
	page := *req
	page.Facets = nil
	res, err := x.idx.SearchInContext(ctx, &page)
	if err != nil {
		return nil, err
	}
	res.Total, res.Facets = all.Total, all.Facets
	return res, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// reader opens a snapshot of the index; the caller closes it.
func (x *Index) reader() (index.IndexReader, error) {
	ix, err := x.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := ix.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return r, nil
}

// firstYear is the year of the oldest document indexed, from the index's
// words of the year field (a few dozen, sorted): false when it is empty.
func firstYear(r index.IndexReader) (int, bool, error) {
	d, err := r.FieldDict(fYear)
	if err != nil {
		return 0, false, fmt.Errorf("search: %w", err)
	}
	defer d.Close()
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			return 0, false, err
		}
		if y, err := strconv.Atoi(e.Term); err == nil && e.Count > 0 {
			return y, true, nil
		}
	}
}

// plan is a query made ready for bleve.
type plan struct {
	query     query.Query
	relevance bool
	// newestFirst and oldestFirst: sorted by date (see windowed).
	newestFirst bool
	oldestFirst bool
	sort        []string
	page        int
	perPage     int
	marks       *marker
}

func (p *plan) highlight() bool { return p.marks != nil && !p.marks.empty() }

// plan validates q and turns it into a bleve query.
func (x *Index) plan(q legajo.SearchQuery, an analysis.Analyzer, typos func(string) []string) (*plan, error) {
	p := &plan{page: q.Page, perPage: q.PerPage}
	if p.page == 0 {
		p.page = 1
	}
	if p.perPage == 0 {
		p.perPage = legajo.DefaultPerPage
	}
	switch {
	case p.page < 0:
		return nil, legajo.Errorf(legajo.ErrInvalid, "La página debe ser 1 o mayor.")
	case p.perPage < 0 || p.perPage > legajo.MaxPerPage:
		return nil, legajo.Errorf(legajo.ErrInvalid, "Se muestran de 1 a %d resultados por página.", legajo.MaxPerPage)
	case p.page*p.perPage > maxDepth:
		return nil, legajo.Errorf(legajo.ErrInvalid, "Sólo se puede llegar a los primeros %d resultados; afine la búsqueda con más palabras o filtros.", maxDepth)
	case utf8.RuneCountInString(q.Text) > maxText:
		return nil, legajo.Errorf(legajo.ErrInvalid, "La búsqueda es demasiado larga: el máximo es %d caracteres.", maxText)
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		return nil, legajo.Errorf(legajo.ErrInvalid, "El periodo termina antes de empezar: revise las fechas «desde» y «hasta».")
	case q.Year < 0 || q.Year > 9999:
		return nil, legajo.Errorf(legajo.ErrInvalid, "El año %d no es válido.", q.Year)
	}
	sortBy := q.Sort
	if sortBy == "" && strings.TrimSpace(q.Text) == "" {
		sortBy = legajo.SortDateDesc // no words to rank by: newest first
	}
	switch sortBy {
	case "", legajo.SortRelevance:
		// Score alone: a second key would read doc values for every
		// match. Ties within the page are ordered by date afterwards.
		p.sort = []string{"-_score"}
		p.relevance = true
	case legajo.SortDate:
		p.sort = []string{fDate, fFolioSort}
		p.oldestFirst = true
	case legajo.SortDateDesc:
		p.sort = []string{"-" + fDate, "-" + fFolioSort}
		p.newestFirst = true
	case legajo.SortFolio:
		p.sort = []string{fFolioSort}
	case legajo.SortFolioDesc:
		p.sort = []string{"-" + fFolioSort}
	default:
		return nil, legajo.Errorf(legajo.ErrInvalid, "No se puede ordenar por «%s»: use relevancia, fecha, -fecha, folio o -folio.", printable(q.Sort))
	}

	var must []query.Query
	text, marks, err := x.textQuery(q.Text, an, typos)
	if err != nil {
		return nil, err
	}
	p.marks = marks
	must = append(must, text.must...)
	if f := anyOf(fType, q.Types); f != nil {
		must = append(must, f)
	}
	if f := anyOf(fExpediente, q.Expedientes); f != nil {
		must = append(must, f)
	}
	if f := anyOf(fArea, q.Areas); f != nil {
		must = append(must, f)
	}
	if f := anyOf(fTramite, q.Tramites); f != nil {
		must = append(must, f)
	}
	statuses := make([]string, len(q.Statuses))
	for i, s := range q.Statuses {
		statuses[i] = normalizeStatus(s)
	}
	if f := anyOf(fStatus, statuses); f != nil {
		must = append(must, f)
	}
	if q.Year != 0 {
		t := query.NewTermQuery(strconv.Itoa(q.Year))
		t.SetField(fYear)
		must = append(must, t)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		r := query.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &excl)
		r.SetField(fDate)
		must = append(must, r)
	}
	var mainQ query.Query
	switch len(must) {
	case 0:
		mainQ = query.NewMatchAllQuery()
	case 1:
		mainQ = must[0]
	default:
		mainQ = query.NewConjunctionQuery(must)
	}
	if len(text.mustNot) > 0 {
		b := query.NewBooleanQuery([]query.Query{mainQ}, nil, text.mustNot)
		mainQ = b
	}
	if f := restriction(q.Restrict); f != nil {
		b := query.NewBooleanQuery([]query.Query{mainQ}, nil, nil)
		b.AddFilter(f)
		mainQ = b
	}
	p.query = mainQ
	return p, nil
}

// normalizeStatus accepts a status as a person types it.
func normalizeStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch fold(s) {
	case "pendiente", "pendientes", "pendiente de acuse", "pendiente-de-acuse":
		return string(legajo.StatusPendiente)
	case "acusados":
		return string(legajo.StatusAcusado)
	case "cancelados":
		return string(legajo.StatusCancelado)
	case "emitidos":
		return string(legajo.StatusEmitido)
	}
	return s
}

// restriction is the clause that keeps a person's search to what they may
// read: a document of an expediente they read in full, or one they issued.
// It is part of the query, so totals and facets count only what it lets
// through. It is a filter, never scored: relevance stays the text's.
func restriction(r *legajo.Restriction) query.Query {
	if r == nil {
		return nil
	}
	var visible []query.Query
	if f := anyOf(fExpediente, r.Readable); f != nil {
		visible = append(visible, f)
	}
	if r.Author != "" {
		own := query.NewTermQuery(r.Author)
		own.SetField(fAuthor)
		visible = append(visible, own)
	}
	if len(visible) == 0 {
		return query.NewMatchNoneQuery()
	}
	return query.NewDisjunctionQuery(visible)
}

func anyOf(field string, values []string) query.Query {
	var qs []query.Query
	for _, v := range values {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		t := query.NewTermQuery(v)
		t.SetField(field)
		qs = append(qs, t)
	}
	switch len(qs) {
	case 0:
		return nil
	case 1:
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// textParts are the clauses of the free text.
type textParts struct {
	must    []query.Query
	mustNot []query.Query
}

// piece is one unit of the typed text: a word or a quoted phrase, maybe
// excluded.
type piece struct {
	text    string
	phrase  bool
	exclude bool
}

// split cuts the typed text into words and "quoted phrases"; a leading '-'
// excludes. An unclosed quote runs to the end.
func split(s string) []piece {
	var out []piece
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		exclude := false
		if r == '-' && i+1 < len(s) && !unicode.IsSpace(rune(s[i+1])) {
			exclude = true
			i++
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if r == '"' || r == '“' || r == '«' {
			i += n
			end := strings.IndexAny(s[i:], "\"”»")
			if end < 0 {
				end = len(s) - i
			}
			if t := strings.TrimSpace(s[i : i+end]); t != "" {
				out = append(out, piece{text: t, phrase: true, exclude: exclude})
			}
			i += end
			if i < len(s) {
				_, n = utf8.DecodeRuneInString(s[i:])
				i += n
			}
			continue
		}
		end := strings.IndexFunc(s[i:], unicode.IsSpace)
		if end < 0 {
			end = len(s) - i
		}
		out = append(out, piece{text: s[i : i+end], exclude: exclude})
		i += end
	}
	return out
}

// textQuery turns the typed text into clauses: every word must match
// (exactly, in the title or asunto for more weight, or with one typo for
// words of minFuzzy letters or more), every phrase must match in order, no
// excluded word or phrase may match, and a folio-like word matches that
// folio first.
func (x *Index) textQuery(s string, an analysis.Analyzer, typos func(string) []string) (textParts, *marker, error) {
	var tp textParts
	m := &marker{exact: map[string]bool{}}
	pieces := split(s)
	if len(pieces) > maxWords {
		return tp, nil, legajo.Errorf(legajo.ErrInvalid, "La búsqueda tiene demasiadas palabras: el máximo es %d.", maxWords)
	}
	for _, pc := range pieces {
		if pc.phrase {
			terms := analyze(an, pc.text)
			if len(terms) == 0 {
				continue
			}
			q := phrase(terms)
			if pc.exclude {
				tp.mustNot = append(tp.mustNot, q)
				continue
			}
			for _, t := range terms {
				m.exact[t] = true
			}
			tp.must = append(tp.must, q)
			continue
		}
		word := strings.TrimFunc(pc.text, func(r rune) bool { return unicode.IsPunct(r) && r != '/' && r != '-' })
		if word == "" {
			continue
		}
		if pc.exclude {
			if q := wordQuery(an, word, nil, m); q != nil {
				tp.mustNot = append(tp.mustNot, q)
			}
			continue
		}
		if key, ok := x.folioKey(word); ok {
			fq := query.NewTermQuery(key)
			fq.SetField(fFolioKey)
			fq.SetBoost(boostFolio)
			alts := []query.Query{fq}
			if terms := analyze(an, word); len(terms) > 0 {
				alts = append(alts, phrase(terms))
			}
			tp.must = append(tp.must, query.NewDisjunctionQuery(alts))
			continue
		}
		if q := wordQuery(an, word, typos, m); q != nil {
			tp.must = append(tp.must, q)
		}
	}
	return tp, m, nil
}

// phrase is the clause of the analysed words of a phrase (see phraseTerms):
// every pair of neighbouring words in order, and a long number anywhere in
// the document. Stop words between them do not count, and a phrase of three
// words or more is found where all its pairs are, which is nearly always
// where it is.
func phrase(terms []string) query.Query {
	var qs []query.Query
	for _, p := range phraseTerms(terms) {
		t := query.NewTermQuery(p)
		t.SetField(fContent)
		qs = append(qs, t)
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// wordQuery is the clause of one typed word; nil for a stop word. A word
// the analyzer cuts in several terms (srv-apps02, a URL) is a phrase. With
// typos (not for excluded words), a word of minFuzzy letters or more also
// matches, with less weight, the indexed words one typo away from it.
func wordQuery(an analysis.Analyzer, word string, typos func(string) []string, m *marker) query.Query {
	terms := analyze(an, word)
	switch len(terms) {
	case 0:
		return nil
	case 1:
	default:
		if typos != nil {
			for _, t := range terms {
				m.exact[t] = true
			}
		}
		return phrase(terms)
	}
	t := terms[0]
	exact := query.NewTermQuery(t)
	exact.SetField(fContent)
	head := query.NewTermQuery(t)
	head.SetField(fHead)
	head.SetBoost(boostHead)
	alts := []query.Query{exact, head}
	if typos != nil {
		m.exact[t] = true
		if utf8.RuneCountInString(word) >= minFuzzy && !isNumber(t) {
			for _, near := range typos(t) {
				fz := query.NewTermQuery(near)
				fz.SetField(fContent)
				fz.SetBoost(boostFuzzy)
				alts = append(alts, fz)
			}
			m.fuzzy = append(m.fuzzy, t)
		}
	}
	return query.NewDisjunctionQuery(alts)
}

// maxTypos bounds the indexed words one typo away that a word matches.
const maxTypos = 64

// typoFinder finds the indexed words one typo away from a term: the same
// first letter, the term itself left out, by number of documents
// descending. bleve's fuzzy query would find them too, but it matches the
// term itself among them: every document holding the word was read twice,
// once for the exact clause and once for the fuzzy one. Without that, a
// query of common words takes 20–30 % less (measured at 100,000 documents:
// «equipo» 11 → 8 ms, «jurisdiccion xalapa» 17 → 13.5 ms).
type typoFinder struct {
	fr  index.IndexReaderFuzzy
	err error // the first lookup failure
}

func newTypoFinder(r index.IndexReader) (*typoFinder, error) {
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, fmt.Errorf("search: the index cannot look up words by typo")
	}
	return &typoFinder{fr: fr}, nil
}

func (f *typoFinder) find(t string) []string {
	_, n := utf8.DecodeRuneInString(t)
	d, err := f.fr.FieldDictFuzzy(fContent, t, 1, t[:n])
	if err != nil {
		f.err = cmp.Or(f.err, fmt.Errorf("search: typos of %q: %w", t, err))
		return nil
	}
	defer d.Close()
	var near []index.DictEntry
	for {
		e, err := d.Next()
		if err != nil {
			f.err = cmp.Or(f.err, fmt.Errorf("search: typos of %q: %w", t, err))
			return nil
		}
		if e == nil {
			break
		}
		// Pairs of words hold a space; no typed word does.
		if e.Term != t && !strings.Contains(e.Term, " ") {
			near = append(near, index.DictEntry{Term: strings.Clone(e.Term), Count: e.Count})
		}
	}
	sort.Slice(near, func(i, j int) bool { return near[i].Count > near[j].Count })
	out := make([]string, 0, min(len(near), maxTypos))
	for _, e := range near[:min(len(near), maxTypos)] {
		out = append(out, e.Term)
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func analyze(an analysis.Analyzer, s string) []string {
	var out []string
	for _, t := range an.Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// Folio-like words, as people type them (see folioKeys for the indexed
// forms): [prefix/]SERIE/NNNN/AAAA, NNNN/AAAA, SERIE-NN; '/' or '-'.
var (
	folioFull   = regexp.MustCompile(`^(?i)(?:[a-z0-9]+[/-])*([a-z]{1,4})[/-]0*([0-9]{1,6})[/-]([0-9]{4})$`)
	folioNumber = regexp.MustCompile(`^0*([0-9]{1,6})[/-]([0-9]{4})$`)
	folioSerie  = regexp.MustCompile(`^(?i)([a-z]{1,4})[/-]?0*([0-9]{1,6})$`)
)

// folioKey recognises a folio-like word and returns its indexed key. A
// serie must be one the catalog knows, so words such as «cat6» stay words.
func (x *Index) folioKey(w string) (string, bool) {
	if m := folioFull.FindStringSubmatch(w); m != nil && x.knownSerie(m[1]) {
		return strings.ToLower(m[1]) + "/" + trimZeros(m[2]) + "/" + m[3], true
	}
	if m := folioNumber.FindStringSubmatch(w); m != nil {
		return trimZeros(m[1]) + "/" + m[2], true
	}
	if m := folioSerie.FindStringSubmatch(w); m != nil && x.knownSerie(m[1]) {
		return strings.ToLower(m[1]) + "/" + trimZeros(m[2]), true
	}
	return "", false
}

func trimZeros(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return s
}

func (x *Index) knownSerie(s string) bool {
	s = strings.ToUpper(s)
	if s == legajo.ReceptionType.Serie {
		return true
	}
	if x.x.cat == nil {
		return false
	}
	for _, t := range x.x.cat.Types() {
		if t.Serie == s {
			return true
		}
	}
	return false
}

// printable makes typed text safe to echo in a message: valid UTF-8,
// without control characters, at most 40 characters.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return s
}
