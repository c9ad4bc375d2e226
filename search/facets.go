package search

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/sesver/legajo"
)

// facetTable knows, for every segment of the index, the facet combination
// (see facetValue) of each of its documents as a number. A segment never
// changes once written, so its column is read from the doc values once,
// when a search first meets it; counting the facets of a search is then an
// array read per match. bleve's facets read and decompress the doc values
// of every match and count their strings in a map on every search, about
// half the time of a faceted search of a common word. A combination is
// split into its values once, when it is first met, not on every search
// that counts it (see counted).
type facetTable struct {
	mu     sync.Mutex
	number map[string]uint32   // combination → number; 0 is none
	combos []string            // number → combination
	values [][]string          // number → its values, in facetNames' order
	cols   map[uint64][]uint32 // segment id → number of each document
	counts sync.Pool           // of *[]int, a search's counts by number
}

func newFacetTable() *facetTable {
	return &facetTable{number: map[string]uint32{}, combos: []string{""}, values: [][]string{nil}, cols: map[uint64][]uint32{}}
}

// newCounts returns zeroed counts for every combination known, from the
// pool: a faceted search used to allocate them, and the facet results,
// anew each time, a fifth of what the server allocated under load.
func (t *facetTable) newCounts() *[]int {
	t.mu.Lock()
	n := len(t.combos)
	t.mu.Unlock()
	c, _ := t.counts.Get().(*[]int)
	if c == nil {
		c = new([]int)
	}
	if cap(*c) < n {
		*c = make([]int, n)
	}
	*c = (*c)[:n]
	return c
}

// counted is the count of each value of each facet, by count descending
// then value, given the count of each combination number; it zeroes
// counts and gives them back to the pool.
func (t *facetTable) counted(counts *[]int) map[string][]legajo.FacetCount {
	sums := newFacetSums()
	t.mu.Lock()
	for n, c := range *counts {
		if c != 0 && n != 0 {
			sums.add(t.values[n], c)
		}
	}
	t.mu.Unlock()
	clear(*counts)
	t.counts.Put(counts)
	return sortedFacets(sums)
}

// columns returns the column of each segment of snap, reading those not
// read yet, and forgets the columns of segments merged away. Reading the
// column of a segment of 100,000 documents takes about 50 ms, once, and
// holds the faceted searches that arrive meanwhile: after an open, and
// when a merge makes a new large segment.
func (t *facetTable) columns(snap *scorch.IndexSnapshot) ([][]uint32, []uint64, error) {
	segs := snap.Segments()
	cols := make([][]uint32, len(segs))
	offsets := make([]uint64, len(segs))
	var running uint64
	t.mu.Lock()
	defer t.mu.Unlock()
	live := make(map[uint64]bool, len(segs))
	for i, ss := range segs {
		offsets[i] = running
		running += ss.Segment().Count()
		live[ss.Id()] = true
		col, ok := t.cols[ss.Id()]
		if !ok {
			var err error
			if col, err = t.read(ss.Segment()); err != nil {
				return nil, nil, err
			}
			t.cols[ss.Id()] = col
		}
		cols[i] = col
	}
	if len(t.cols) > 2*len(segs) {
		for id := range t.cols {
			if !live[id] {
				delete(t.cols, id)
			}
		}
	}
	return cols, offsets, nil
}

// read makes the column of one segment; t.mu is held.
func (t *facetTable) read(seg segment.Segment) ([]uint32, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("search: segment %T has no doc values", seg)
	}
	col := make([]uint32, seg.Count())
	fields := []string{fFacet}
	var state segment.DocVisitState
	for doc := range col {
		var err error
		state, err = dv.VisitDocValues(uint64(doc), fields, func(_ string, term []byte) {
			n, ok := t.number[string(term)]
			if !ok {
				n = uint32(len(t.combos))
				t.combos = append(t.combos, string(term))
				t.values = append(t.values, strings.SplitN(string(term), facetSep, len(facetNames)))
				t.number[string(term)] = n
			}
			col[doc] = n
		}, state)
		if err != nil {
			return nil, fmt.Errorf("search: facets of a segment: %w", err)
		}
	}
	return col, nil
}

// facetCount counts the matches of q in the snapshot r, unscored, and the
// facets of each: the total and the count of every combination of facet
// values, as bleve's facet on fFacet would give them. ok is false when the
// index is not one it can read (then bleve counts).
func (x *Index) facetCount(ctx context.Context, r index.IndexReader, q query.Query) (total uint64, facets map[string][]legajo.FacetCount, ok bool, err error) {
	snap, isScorch := r.(*scorch.IndexSnapshot)
	if !isScorch {
		return 0, nil, false, nil
	}
	cols, offsets, err := x.facets.columns(snap)
	if err != nil {
		return 0, nil, false, err
	}
	s, err := q.Searcher(ctx, r, x.idx.Mapping(), bsearch.SearcherOptions{Score: "none"})
	if err != nil {
		return 0, nil, false, fmt.Errorf("search: %w", err)
	}
	defer s.Close()
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	counts := x.facets.newCounts()
	for {
		if total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, nil, false, err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return 0, nil, false, fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			break
		}
		total++
		doc := dm.IndexInternalID.Value()
		seg := sort.Search(len(offsets), func(i int) bool { return offsets[i] > doc }) - 1
		if seg >= 0 && doc-offsets[seg] < uint64(len(cols[seg])) {
			if n := cols[seg][doc-offsets[seg]]; int(n) < len(*counts) {
				(*counts)[n]++
			}
		}
		sctx.DocumentMatchPool.Put(dm)
	}
	return total, x.facets.counted(counts), true, nil
}

// facetedQuery is q whose searcher also counts the facets of every match
// it hands out, from the facet table, so that a faceted search ranks and
// counts in one pass over the matches instead of two (facetCount's, then
// bleve's). bleve's top-N collector reads every match of a search sorted
// by score, so what it read is what was counted. One facetedQuery serves
// one search: counts holds that search's numbers once it has run.
type facetedQuery struct {
	q      query.Query
	table  *facetTable
	counts *[]int // by combination number (index 0 is none), from table.newCounts
	total  uint64
	ran    bool
}

func (f *facetedQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search: index of type %T", r)
	}
	cols, offsets, err := f.table.columns(snap)
	if err != nil {
		return nil, err
	}
	s, err := f.q.Searcher(ctx, r, m, opts)
	if err != nil {
		return nil, err
	}
	f.ran = true
	if f.counts == nil {
		f.counts = f.table.newCounts() // after columns: every number they hold
	}
	return &facetedSearcher{Searcher: s, f: f, cols: cols, segs: segCursor{offsets: offsets}}, nil
}

// result is the facets counted, as facetCount gives them; once only (the
// counts go back to the table's pool).
func (f *facetedQuery) result() map[string][]legajo.FacetCount {
	if f.counts == nil {
		return sortedFacets(nil)
	}
	out := f.table.counted(f.counts)
	f.counts = nil
	return out
}

// facetedSearcher counts the facet combination of each match of its
// searcher (see facetedQuery).
type facetedSearcher struct {
	bsearch.Searcher
	f    *facetedQuery
	cols [][]uint32
	segs segCursor
}

func (s *facetedSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	if err == nil && dm != nil {
		s.count(dm)
	}
	return dm, err
}

func (s *facetedSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, id)
	if err == nil && dm != nil {
		s.count(dm)
	}
	return dm, err
}

// count adds dm's combination.
func (s *facetedSearcher) count(dm *bsearch.DocumentMatch) {
	s.f.total++
	seg, local := s.segs.locate(dm)
	if seg >= len(s.cols) {
		return
	}
	col := s.cols[seg]
	if local >= uint64(len(col)) {
		return
	}
	n := col[local]
	counts := *s.f.counts
	if int(n) >= len(counts) {
		counts = append(counts, make([]int, int(n)+1-len(counts))...)
		*s.f.counts = counts
	}
	counts[n]++
}
