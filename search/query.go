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
	"github.com/blevesearch/bleve/v2/index/scorch"
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
	sums := newFacetSums()
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			sums.add(strings.SplitN(t.Term, facetSep, len(facetNames)), t.Count)
		}
	}
	return sortedFacets(sums)
}

// facetSums is the count of each value of each facet, by facetNames'
// order.
type facetSums []map[string]int

func newFacetSums() facetSums {
	sums := make(facetSums, len(facetNames))
	for i := range sums {
		sums[i] = map[string]int{}
	}
	return sums
}

// add counts n documents of the combination of values (see facetValue).
func (sums facetSums) add(values []string, n int) {
	for i, v := range values {
		if v != "" {
			sums[i][v] += n
		}
	}
}

// sortedFacets lists the sums of each facet's values (by facetNames'
// order; nil for none) by count descending, then value.
func sortedFacets(sums facetSums) map[string][]legajo.FacetCount {
	out := make(map[string][]legajo.FacetCount, len(facetNames))
	for i, name := range facetNames {
		var sum map[string]int
		if i < len(sums) {
			sum = sums[i]
		}
		counts := make([]legajo.FacetCount, 0, len(sum))
		for v, n := range sum {
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
	lex, err := newLexicon(r)
	if lex != nil {
		lex.acronyms = x.acronymTable()
	}
	if err != nil {
		return nil, err
	}
	p, err := x.plan(q, an, lex)
	if err == nil {
		err = lex.err
	}
	if err != nil {
		return nil, err
	}
	res, facets, err := x.run(ctx, r, q, p)
	if err != nil {
		return nil, err
	}
	partial := false
	if res.Total == 0 && p.partial != nil {
		// No document holds every word: those holding most of them.
		pp := *p
		pp.query, pp.count = p.partial, p.partialCount
		if res, facets, err = x.run(ctx, r, q, &pp); err != nil {
			return nil, err
		}
		partial = res.Total > 0
	}
	out := &legajo.SearchResult{Total: int(res.Total), Page: p.page, PerPage: p.perPage, Partial: partial, Facets: map[string][]legajo.FacetCount{}}
	if out.Hits, err = x.pageHits(res.Hits, p, an); err != nil { // stored.go
		return nil, err
	}
	if q.Facets {
		if facets == nil {
			facets = countFacets(res.Facets[fFacet])
		}
		out.Facets = facets
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
	if p.folio != nil {
		if out.Folio, err = x.onlyFolio(ctx, p); err != nil {
			return nil, err
		}
	}
	if len(p.fixes) > 0 {
		if out.Suggestion, err = x.suggest(ctx, q.Text, p.fixes, an); err != nil {
			return nil, err
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

// facetsInOnePass is false only in BenchmarkFacetPasses, which compares
// the one pass with the two (facetCount's, then bleve's).
var facetsInOnePass = true

// run answers the plan's query: one page of hits, and the facet counts
// when asked for.
func (x *Index) run(ctx context.Context, r index.IndexReader, q legajo.SearchQuery, p *plan) (*bleve.SearchResult, map[string][]legajo.FacetCount, error) {
	req := bleve.NewSearchRequestOptions(p.query, p.perPage, (p.page-1)*p.perPage, false)
	req.SortBy(p.sort)
	// Facets come from the facet table (see facetTable), with the total;
	// from bleve when the index is not one the table reads.
	var facets map[string][]legajo.FacetCount
	total := int64(-1)
	windowed := (p.newestFirst || p.oldestFirst) && p.page*p.perPage <= maxWindowed
	if _, scorch := r.(*scorch.IndexSnapshot); q.Facets && scorch && !windowed && facetsInOnePass {
		// Ranked and counted in one pass (see facetedQuery).
		fq := &facetedQuery{q: req.Query, table: x.facets}
		req.Query = fq
		res, err := x.idx.SearchInContext(ctx, req)
		counted := fq.result() // the counts go back to the pool, whatever happened
		if err != nil {
			return nil, nil, fmt.Errorf("search: %w", err)
		}
		if !fq.ran || fq.total != res.Total {
			return nil, nil, fmt.Errorf("search: facets counted %d matches of %d", fq.total, res.Total)
		}
		return res, counted, nil
	}
	if q.Facets {
		n, fr, ok, err := x.facetCount(ctx, r, p.count)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			facets, total = fr, int64(n)
		} else {
			req.AddFacet(fFacet, bleve.NewFacetRequest(fFacet, facetLimit))
		}
	}
	var res *bleve.SearchResult
	var err error
	if windowed {
		res, err = x.windowed(ctx, r, p, req, total)
	} else {
		res, err = x.idx.SearchInContext(ctx, req)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("search: %w", err)
	}
	if total >= 0 {
		res.Total = uint64(total)
	}
	return res, facets, nil
}

// onlyFolio returns the folio of the one document (of those the query may
// see) whose folio is the one typed; "" when none or several have it (OL 7
// of two years).
func (x *Index) onlyFolio(ctx context.Context, p *plan) (string, error) {
	req := bleve.NewSearchRequestOptions(p.folio, 2, 0, false)
	req.Score = bleve.ScoreNone
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	if res.Total != 1 || len(res.Hits) != 1 {
		return "", nil
	}
	// A document's id is its folio as printed (Index).
	return res.Hits[0].ID, nil
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
		count := bleve.NewSearchRequestOptions(p.count, 0, 0, false)
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

// str is a stored field's value as a string ("" when absent).
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
	// count is query without the clauses that only score: what counting
	// the matches and their facets runs.
	count query.Query
	// partial is the query of the documents holding any of the text's
	// units, those holding most first; nil for a text of one unit.
	partial, partialCount query.Query
	// folio finds the document of the folio the text consists of; nil
	// when the text is not one folio.
	folio query.Query
	fixes []fix
}

func (p *plan) highlight() bool { return p.marks != nil && !p.marks.empty() }

// plan validates q and turns it into a bleve query.
func (x *Index) plan(q legajo.SearchQuery, an analysis.Analyzer, lex *lexicon) (*plan, error) {
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

	var syn map[string][]string
	if q.Synonyms != nil {
		syn = synonymMap(q.Synonyms)
	}
	text, marks, err := x.textQuerySyn(q.Text, an, lex, syn)
	if err != nil {
		return nil, err
	}
	p.marks = marks
	p.fixes = text.fixes
	var filters []query.Query
	if f := anyOf(fType, q.Types); f != nil {
		filters = append(filters, f)
	}
	if f := anyOf(fExpediente, q.Expedientes); f != nil {
		filters = append(filters, f)
	}
	if f := anyOf(fArea, q.Areas); f != nil {
		filters = append(filters, f)
	}
	if f := anyOf(fTramite, q.Tramites); f != nil {
		filters = append(filters, f)
	}
	statuses := make([]string, len(q.Statuses))
	for i, s := range q.Statuses {
		statuses[i] = normalizeStatus(s)
	}
	if f := anyOf(fStatus, statuses); f != nil {
		filters = append(filters, f)
	}
	if q.Year != 0 {
		t := query.NewTermQuery(strconv.Itoa(q.Year))
		t.SetField(fYear)
		filters = append(filters, t)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		r := query.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &excl)
		r.SetField(fDate)
		filters = append(filters, r)
	}
	// compose makes the whole query of the text's clauses: with the
	// filters, the exclusions, the words that only help the ranking, the
	// preference for live documents and the reader's restriction.
	compose := func(textMust []query.Query, should []query.Query, scored bool) query.Query {
		must := append(slices.Clone(textMust), filters...)
		var mainQ query.Query
		switch len(must) {
		case 0:
			mainQ = query.NewMatchAllQuery()
		case 1:
			mainQ = must[0]
		default:
			mainQ = query.NewConjunctionQuery(must)
		}
		if !scored {
			should = nil // they only change scores
		}
		if len(text.mustNot) > 0 || len(should) > 0 {
			mainQ = query.NewBooleanQuery([]query.Query{mainQ}, should, text.mustNot)
		}
		if scored && len(textMust) > 0 && p.relevance {
			mainQ = &liveFirstQuery{q: mainQ, dead: x.dead}
		}
		if f := restriction(q.Restrict); f != nil {
			b := query.NewBooleanQuery([]query.Query{mainQ}, nil, nil)
			b.AddFilter(f)
			mainQ = b
		}
		return mainQ
	}
	p.query = compose(text.must, text.should, true)
	p.count = compose(text.must, nil, false)
	if len(text.must) >= 2 {
		// Scored by the sum of the units matched, times the share of
		// them matched: the documents holding most come first.
		any := query.NewDisjunctionQuery(text.must)
		p.partial = compose([]query.Query{any}, text.should, true)
		p.partialCount = compose([]query.Query{any}, nil, false)
	}
	if text.folio != "" {
		k := query.NewTermQuery(text.folio)
		k.SetField(fFolioKey)
		f := query.NewBooleanQuery([]query.Query{k}, nil, nil)
		if len(filters) > 0 {
			f = query.NewBooleanQuery(append([]query.Query{k}, filters...), nil, nil)
		}
		if r := restriction(q.Restrict); r != nil {
			f.AddFilter(r)
		}
		p.folio = f
	}
	return p, nil
}

// normalizeStatus accepts a status as a person types it.
func normalizeStatus(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch fold(s) {
	case "pendiente", "pendientes", "pendiente de acuse", "pendiente-de-acuse":
		return string(legajo.StatusPendiente)
	case "pendiente de firma", "pendiente-de-firma", "pendientes de firma":
		return string(legajo.StatusPendienteFirma)
	case "firmados":
		return string(legajo.StatusFirmado)
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
	must    []query.Query // one per unit of the text: a word, a phrase, a folio, a date, alternatives
	should  []query.Query // words that only help: «inventario» before 912
	mustNot []query.Query
	// folio is the key of the folio the text names when it names nothing
	// else: the search goes straight to that document.
	folio string
	// fixes are the typed words the index does not hold, each with the
	// indexed word most like it: «¿Quiso decir …?».
	fixes []fix
}

// fix is a typed word and the indexed term that most likely was meant.
type fix struct {
	typed string
	term  string
}

// piece is one unit of the typed text: a word or a quoted phrase, maybe
// excluded.
type piece struct {
	text    string
	phrase  bool
	exclude bool
}

// split cuts the typed text into words and "quoted phrases"; a leading '-'
// excludes. An unclosed quote runs to the end. A '|' inside a word
// separates alternatives (firewall|cortafuegos).
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
		word := s[i : i+end]
		i += end
		if !exclude && strings.Contains(word, "|") && word != "|" {
			for k, alt := range strings.Split(word, "|") {
				if k > 0 {
					out = append(out, piece{text: "|"})
				}
				if alt != "" {
					out = append(out, piece{text: alt})
				}
			}
			continue
		}
		out = append(out, piece{text: word, exclude: exclude})
	}
	return out
}

// textQuery turns the typed text into clauses (see legajo.SearchQuery):
// every unit must match — a word (exactly, in the title or asunto for more
// weight, by its abbreviation's meaning, or with typos when the index does
// not hold it), a phrase in order, a folio however typed, a date, a number
// written in groups, alternatives joined by «o» or «|» — and no excluded
// word or phrase may. lex answers what the index holds; nil leaves typos
// out.
func (x *Index) textQuery(s string, an analysis.Analyzer, lex *lexicon) (textParts, *marker, error) {
	return x.textQuerySyn(s, an, lex, nil)
}

func (x *Index) textQuerySyn(s string, an analysis.Analyzer, lex *lexicon, syn map[string][]string) (textParts, *marker, error) {
	var tp textParts
	m := &marker{exact: map[string]bool{}}
	pieces := split(s)
	if len(pieces) > maxWords {
		return tp, nil, legajo.Errorf(legajo.ErrInvalid, "La búsqueda tiene demasiadas palabras: el máximo es %d.", maxWords)
	}
	if syn == nil {
		syn = defaultSynonyms
	}
	units := 0
	folio := ""
	orNext := false
	ors := map[*query.DisjunctionQuery]bool{} // the disjunctions of «a o b», which a later «o» extends
	// add appends the clause of one unit, or joins it to the previous one
	// after «o».
	add := func(q query.Query) {
		if q == nil {
			return
		}
		units++
		folio = "-" // not a text of one folio
		if orNext && len(tp.must) > 0 {
			last := tp.must[len(tp.must)-1]
			if d, ok := last.(*query.DisjunctionQuery); ok && ors[d] {
				d.AddQuery(q)
			} else {
				alt := query.NewDisjunctionQuery([]query.Query{last, q})
				ors[alt] = true
				tp.must[len(tp.must)-1] = alt
			}
			units--
		} else {
			tp.must = append(tp.must, q)
		}
		orNext = false
	}
	plain := func(i int) bool { return i < len(pieces) && !pieces[i].phrase && !pieces[i].exclude }
	for i := 0; i < len(pieces); i++ {
		pc := pieces[i]
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
			add(q)
			continue
		}
		if !pc.exclude {
			if w := strings.ToLower(pc.text); (w == "o" || w == "u" || w == "|") && len(tp.must) > 0 && plain(i+1) {
				orNext = true
				continue
			}
		}
		word := strings.TrimFunc(pc.text, func(r rune) bool { return unicode.IsPunct(r) && r != '/' && r != '-' && r != '*' })
		if word == "" {
			continue
		}
		if pc.exclude {
			if q := x.wordQuery(an, word, nil, syn, m, nil); q != nil {
				tp.mustNot = append(tp.mustNot, q)
			}
			continue
		}
		if n, key, ok := x.folioAt(pieces, i); ok {
			fq := query.NewTermQuery(key)
			fq.SetField(fFolioKey)
			fq.SetBoost(boostFolio)
			alts := []query.Query{fq}
			var typed []string
			for _, p := range pieces[i : i+n] {
				typed = append(typed, p.text)
			}
			if terms := analyze(an, folioText(typed)); len(terms) > 0 {
				if strings.Count(key, "/") == 2 && len(terms) > 3 {
					// The institution's prefix is in every folio a
					// text cites: a document citing this one is
					// found by serie, number and year.
					terms = terms[len(terms)-3:]
				}
				alts = append(alts, phrase(terms))
			}
			first := folio == ""
			add(query.NewDisjunctionQuery(alts))
			if first {
				folio = key
			}
			i += n - 1
			continue
		}
		if q, ok := dateQuery(an, word); ok {
			add(q)
			continue
		}
		if n, q, ok := numberGroups(an, pieces, i); ok {
			add(q)
			i += n - 1
			continue
		}
		if labels[fold(strings.ToLower(word))] && plain(i+1) && strings.ContainsAny(pieces[i+1].text, "0123456789") {
			if q := x.wordQuery(an, word, nil, syn, m, nil); q != nil {
				tp.should = append(tp.should, q)
			}
			continue
		}
		if strings.HasSuffix(word, "*") {
			add(prefixQuery(an, lex, strings.TrimRight(word, "*")))
			continue
		}
		add(x.wordQuery(an, word, lex, syn, m, &tp.fixes))
	}
	if units == 1 && folio != "-" && folio != "" && len(tp.mustNot) == 0 {
		tp.folio = folio
	}
	return tp, m, nil
}

// labels are the words people put before a number that the document may
// not say: «inventario 912», «tel 2288141500». They help the ranking but
// are not required.
var labels = wordSet(`inventario inv serie num numero no tel telefono cel celular ext extension monto importe
	cuenta linea folio`)

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
// the analyzer cuts in several terms (srv-apps02, a URL) is a phrase. An
// abbreviation of syn also matches what it stands for. With lex (not for
// excluded words), a word the index does not hold matches, with less
// weight, the indexed words one typo away from it or from its stem (two on
// words of eight letters or more), and an unknown code with digits
// (a serial, 5cg71) matches the words it starts; the best of them is
// recorded in fixes.
func (x *Index) wordQuery(an analysis.Analyzer, word string, lex *lexicon, syn map[string][]string, m *marker, fixes *[]fix) query.Query {
	folded := fold(strings.ToLower(word))
	var alts []query.Query
	longs := syn[strings.TrimRight(folded, ".")]
	if len(longs) == 0 {
		longs = lex.acronymMeanings(folded)
	}
	for _, long := range longs {
		terms := analyze(an, long)
		if len(terms) == 0 {
			continue
		}
		alts = append(alts, phrase(terms))
		if len(terms) == 1 {
			// In the title or asunto it weighs more, as a word does.
			h := query.NewTermQuery(terms[0])
			h.SetField(fHead)
			h.SetBoost(boostHead)
			alts = append(alts, h)
		}
		for _, t := range terms {
			m.exact[t] = true
		}
	}
	terms := analyze(an, word)
	switch len(terms) {
	case 0:
		return disjunction(alts)
	case 1:
	default:
		if lex != nil {
			for _, t := range terms {
				m.exact[t] = true
			}
		}
		return disjunction(append(alts, phrase(terms)))
	}
	t := terms[0]
	if len(alts) == 0 && (lex == nil || lex.has(t)) {
		// The word alone, as the index holds it: no typos to add.
		if lex != nil {
			m.exact[t] = true
		}
		return &headWordQuery{term: t}
	}
	exact := query.NewTermQuery(t)
	exact.SetField(fContent)
	head := query.NewTermQuery(t)
	head.SetField(fHead)
	head.SetBoost(boostHead)
	alts = append(alts, exact, head)
	if lex == nil {
		return query.NewDisjunctionQuery(alts)
	}
	m.exact[t] = true
	if lex.has(t) {
		return query.NewDisjunctionQuery(alts)
	}
	if hasDigit(t) {
		if len(t) >= minPrefix {
			p := query.NewPrefixQuery(t)
			p.SetField(fContent)
			p.SetBoost(boostFuzzy)
			alts = append(alts, p)
		}
		return query.NewDisjunctionQuery(alts)
	}
	if utf8.RuneCountInString(word) < minFuzzy || isNumber(t) {
		return query.NewDisjunctionQuery(alts)
	}
	edits := 1
	if utf8.RuneCountInString(word) >= minTwoTypos {
		edits = 2
	}
	near := lex.near(t, folded, edits)
	for _, e := range near {
		fz := query.NewTermQuery(e.Term)
		fz.SetField(fContent)
		fz.SetBoost(boostFuzzy)
		alts = append(alts, fz)
		m.exact[e.Term] = true
	}
	if len(near) > 0 && fixes != nil {
		*fixes = append(*fixes, fix{typed: word, term: near[0].Term})
	}
	if len(near) == 0 && len(folded) >= minPrefix {
		// Nothing like it: an abbreviation the table lacks («juris»,
		// «hosp») is the start of the word meant.
		p := query.NewPrefixQuery(folded)
		p.SetField(fContent)
		p.SetBoost(boostFuzzy)
		alts = append(alts, p)
	}
	return query.NewDisjunctionQuery(alts)
}

func disjunction(qs []query.Query) query.Query {
	switch len(qs) {
	case 0:
		return nil
	case 1:
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// prefixQuery is the clause of «migra*»: the words that start with what is
// typed, or with its stem («vacuna*» finds vacunación, whose stem is
// vacun). Fewer than minPrefix letters match nothing rather than half the
// index. With lex, the words are looked up here, without the pairs of
// words that start the same («impresor laser»): bleve's prefix query read
// the postings of every pair too, for the same documents, and took 2.7
// times plain bleve's (which has no pairs) at 100,000 documents.
func prefixQuery(an analysis.Analyzer, lex *lexicon, typed string) query.Query {
	w := fold(strings.ToLower(typed))
	if utf8.RuneCountInString(w) < 3 {
		return query.NewMatchNoneQuery()
	}
	var alts []query.Query
	for _, p := range []string{w, string(stem([]byte(w)))} {
		if len(p) < 3 || (len(alts) > 0 && p == w) {
			continue
		}
		if terms, ok := lex.starting(p); ok {
			if len(terms) == 0 {
				continue
			}
			for _, t := range terms {
				q := query.NewTermQuery(t)
				q.SetField(fContent)
				alts = append(alts, q)
			}
			continue
		}
		q := query.NewPrefixQuery(p)
		q.SetField(fContent)
		alts = append(alts, q)
	}
	if len(alts) == 0 && lex != nil {
		return query.NewMatchNoneQuery()
	}
	return disjunction(alts)
}

// acronymMeanings are the names the indexed documents define word (folded,
// lower case) as an acronym of (see acronymsIn); none when lex is nil.
func (l *lexicon) acronymMeanings(word string) []string {
	if l == nil {
		return nil
	}
	return l.acronyms[word]
}

// maxPrefixWords bounds the words a prefix is looked up as; past it,
// bleve's prefix query answers.
const maxPrefixWords = 512

// starting returns the indexed words (not pairs) that start with p; false
// when there are too many, or lex is nil.
func (l *lexicon) starting(p string) ([]string, bool) {
	if l == nil {
		return nil, false
	}
	d, err := l.r.FieldDictPrefix(fContent, []byte(p))
	if err != nil {
		l.err = cmp.Or(l.err, fmt.Errorf("search: words starting %q: %w", p, err))
		return nil, false
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			l.err = cmp.Or(l.err, fmt.Errorf("search: words starting %q: %w", p, err))
			return nil, false
		}
		if e == nil {
			return out, true
		}
		if strings.Contains(e.Term, " ") {
			continue
		}
		if len(out) == maxPrefixWords {
			return nil, false
		}
		out = append(out, strings.Clone(e.Term))
	}
}

// Typos and prefixes.
const (
	minTwoTypos = 8 // letters a word needs before it matches with two typos
	minPrefix   = 4 // characters of a code with digits before it matches the codes it starts
)

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// maxTypos bounds the indexed words a typo away that a word matches.
const maxTypos = 64

// lexicon answers what the index holds, from one snapshot: whether a term
// is indexed, and the indexed terms a few typos away. bleve's fuzzy query
// would find them too, but it matches the term itself among them: every
// document holding the word was read twice, once for the exact clause and
// once for the fuzzy one. Without that, a query of common words takes
// 20–30 % less (measured at 100,000 documents: «equipo» 11 → 8 ms,
// «jurisdiccion xalapa» 17 → 13.5 ms); and a word the index holds exactly
// needs no typo lookup at all.
type lexicon struct {
	r        index.IndexReader
	fr       index.IndexReaderFuzzy
	acronyms map[string][]string // the index's (see Index.acronyms)
	err      error               // the first lookup failure
}

func newLexicon(r index.IndexReader) (*lexicon, error) {
	fr, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, fmt.Errorf("search: the index cannot look up words by typo")
	}
	return &lexicon{r: r, fr: fr}, nil
}

// has tells whether some document's content holds term.
func (l *lexicon) has(term string) bool { return l.count(term) > 0 }

// near returns the indexed words up to edits typos away from the stem t or
// from the word as typed (folded, unstemmed: a name such as «Gomes» is one
// typo from gomez, its stem «gom» is not), with the same first letter: the
// nearest only (two typos when one finds none), and of those the ones
// that share the longest start with the word — people mistype the end of
// a word more than its start, and a document holding two candidates
// («refacción» and «relación» for refaciones) would otherwise outrank one
// holding the word meant — most documents first.
func (l *lexicon) near(t, typed string, edits int) []index.DictEntry {
	seen := map[string]bool{t: true}
	var out []index.DictEntry
	for e := 1; e <= edits && len(out) == 0; e++ {
		for _, w := range []string{t, typed} {
			// A stem as short as «gom» (of gomes) is one typo from too
			// many words («gob»). Two typos are the word's as typed:
			// a stem cut short is two typos from unrelated stems
			// («microond» of microondas from «microfon»).
			if len(w) < minFuzzy || (e > 1 && (w != typed || len(w) < minTwoTypos)) {
				continue
			}
			for _, d := range l.lookup(w, e) {
				if !seen[d.Term] {
					seen[d.Term] = true
					out = append(out, d)
				}
			}
		}
	}
	if len(out) == 0 && len(typed) >= minFuzzy {
		// The misspellings Spanish invites (s, z or c; b or v; y or ll;
		// a silent h) in a word whose stem is shorter than the word:
		// «Lagunez» is lagunes, whose stem lagun the index holds.
		for _, v := range spellings(typed) {
			if st := string(stem([]byte(v))); !seen[st] && l.has(st) {
				seen[st] = true
				out = append(out, index.DictEntry{Term: st})
			}
		}
	}
	best := 0
	for _, d := range out {
		best = max(best, commonStart(d.Term, t))
	}
	kept := out[:0]
	for _, d := range out {
		if commonStart(d.Term, t) >= best-1 {
			d.Count = l.count(d.Term)
			kept = append(kept, d)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool {
		ci, cj := commonStart(kept[i].Term, t), commonStart(kept[j].Term, t)
		if ci != cj {
			return ci > cj
		}
		return kept[i].Count > kept[j].Count
	})
	return kept[:min(len(kept), maxTypos)]
}

// confusions are the letters Spanish spelling confuses, each way.
var confusions = [][2]string{
	{"s", "z"}, {"z", "s"}, {"s", "c"}, {"c", "s"}, {"z", "c"}, {"c", "z"}, {"b", "v"}, {"v", "b"},
	{"y", "ll"}, {"ll", "y"}, {"i", "y"}, {"y", "i"}, {"j", "g"}, {"g", "j"}, {"k", "c"}, {"x", "j"}, {"j", "x"},
}

// spellings are w with one confusion corrected, or one h added or taken
// away.
func spellings(w string) []string {
	var out []string
	for i := 0; i < len(w); i++ {
		for _, c := range confusions {
			if strings.HasPrefix(w[i:], c[0]) {
				out = append(out, w[:i]+c[1]+w[i+len(c[0]):])
			}
		}
		if w[i] == 'h' {
			out = append(out, w[:i]+w[i+1:])
		} else if i == 0 || strings.IndexByte("aeiou", w[i]) >= 0 {
			out = append(out, w[:i]+"h"+w[i:])
		}
	}
	return out
}

func commonStart(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// count is the number of documents whose content holds term.
func (l *lexicon) count(term string) uint64 {
	tr, err := l.r.TermFieldReader(context.Background(), []byte(term), fContent, false, false, false)
	if err != nil {
		l.err = cmp.Or(l.err, fmt.Errorf("search: %q: %w", term, err))
		return 0
	}
	defer tr.Close()
	return tr.Count()
}

func (l *lexicon) lookup(t string, edits int) []index.DictEntry {
	_, n := utf8.DecodeRuneInString(t)
	d, err := l.fr.FieldDictFuzzy(fContent, t, edits, t[:n])
	if err != nil {
		l.err = cmp.Or(l.err, fmt.Errorf("search: typos of %q: %w", t, err))
		return nil
	}
	defer d.Close()
	var near []index.DictEntry
	for {
		e, err := d.Next()
		if err != nil {
			l.err = cmp.Or(l.err, fmt.Errorf("search: typos of %q: %w", t, err))
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
	return near
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
