package search

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/sesver/legajo"
)

// The statistics count every document of the index by month, type, área
// and status. A query per month and facet would cost dozens of searches
// per page; instead, like the facets (facets.go), each segment's dates are
// read from the doc values once, when first met — a segment never changes
// — and the statistics are then one pass over two arrays per segment with
// the facet combination of each document. The columns belong to the
// generation open, so a rebuilt index counts afresh: the figures are always
// those of the archive the index follows.

// dateTable holds, per segment, each document's date (Unix seconds; 0 when
// it has none).
type dateTable struct {
	mu   sync.Mutex
	cols map[uint64][]int64
}

func (t *dateTable) column(ss *scorch.SegmentSnapshot) ([]int64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if col, ok := t.cols[ss.Id()]; ok {
		return col, nil
	}
	seg := ss.Segment()
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("search: segment %T has no doc values", seg)
	}
	col := make([]int64, seg.Count())
	fields := []string{fDate}
	var state segment.DocVisitState
	for doc := range col {
		var err error
		state, err = dv.VisitDocValues(uint64(doc), fields, func(_ string, term []byte) {
			// A date is indexed at several precisions; shift 0 is the exact one.
			if pc := numeric.PrefixCoded(term); len(term) > 0 {
				if shift, err := pc.Shift(); err == nil && shift == 0 {
					if ns, err := pc.Int64(); err == nil {
						col[doc] = ns / int64(time.Second)
					}
				}
			}
		}, state)
		if err != nil {
			return nil, fmt.Errorf("search: dates of a segment: %w", err)
		}
	}
	if t.cols == nil {
		t.cols = map[uint64][]int64{}
	}
	t.cols[ss.Id()] = col
	return col, nil
}

// forget drops the columns of segments no longer live.
func (t *dateTable) forget(live map[uint64]bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.cols) <= 2*len(live) {
		return
	}
	for id := range t.cols {
		if !live[id] {
			delete(t.cols, id)
		}
	}
}

// DocStats implements legajo.StatsSource: the documents dated in f's
// months by type and área, and those of f.Area pending their acuse or
// firma at now by age. Errors: ErrClosed, index failures.
func (x *Index) DocStats(ctx context.Context, f legajo.StatsFilter, now time.Time) (*legajo.DocStats, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, ErrClosed
	}
	months := f.Months()
	st := &legajo.DocStats{Months: months, ByType: map[string][]int{}, ByArea: map[string][]int{},
		PendingAcuse: make([]int, len(legajo.AgeBuckets)), PendingFirma: make([]int, len(legajo.AgeBuckets))}
	r, err := x.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search: index %T cannot be counted", r)
	}
	combos, _, err := x.facets.columns(snap)
	if err != nil {
		return nil, err
	}
	// What each combination number means, split once per call.
	type combo struct {
		typ, area string
		pending   int // 0 none, 1 acuse, 2 firma
		ok        bool
	}
	x.facets.mu.Lock()
	meaning := make([]combo, len(x.facets.combos))
	for n, s := range x.facets.combos {
		parts := strings.Split(s, facetSep)
		if len(parts) != 5 {
			continue
		}
		c := combo{typ: parts[0], area: parts[2], ok: f.Area == "" || parts[2] == f.Area}
		switch legajo.Status(parts[3]) {
		case legajo.StatusPendiente:
			c.pending = 1
		case legajo.StatusPendienteFirma:
			c.pending = 2
		}
		meaning[n] = c
	}
	x.facets.mu.Unlock()

	// Month boundaries in Unix seconds. Documents are added in date order,
	// so a document is mostly in the month of the one before it.
	bounds := make([]int64, len(months)+1)
	for i, m := range months {
		bounds[i] = m.Unix()
	}
	bounds[len(months)] = f.To.Unix()
	byType := map[uint32][]int{} // by combination first; types and áreas summed after
	nowS := now.Unix()
	segs := snap.Segments()
	live := make(map[uint64]bool, len(segs))
	for i, ss := range segs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		live[ss.Id()] = true
		dates, err := x.dates.column(ss)
		if err != nil {
			return nil, err
		}
		col := combos[i]
		deleted := ss.Deleted()
		m := 0
		for doc, n := range col {
			if n == 0 || !meaning[n].ok || doc >= len(dates) {
				continue
			}
			if deleted != nil && deleted.Contains(uint32(doc)) {
				continue
			}
			c := meaning[n]
			d := dates[doc]
			if c.pending != 0 {
				b := legajo.AgeBucket(time.Unix(d, 0), now)
				if d > nowS {
					b = 0
				}
				if c.pending == 1 {
					st.PendingAcuse[b]++
				} else {
					st.PendingFirma[b]++
				}
			}
			if d < bounds[0] || d >= bounds[len(months)] {
				continue
			}
			if d < bounds[m] || d >= bounds[m+1] {
				m = 0
				for d >= bounds[m+1] {
					m++
				}
			}
			v := byType[n]
			if v == nil {
				v = make([]int, len(months))
				byType[n] = v
			}
			v[m]++
			st.Total++
		}
	}
	x.dates.forget(live)
	for n, v := range byType {
		c := meaning[n]
		add(st.ByType, c.typ, v)
		add(st.ByArea, c.area, v)
	}
	return st, nil
}

func add(by map[string][]int, key string, v []int) {
	sum := by[key]
	if sum == nil {
		sum = make([]int, len(v))
		by[key] = sum
	}
	for i, n := range v {
		sum[i] += n
	}
}

var _ legajo.StatsSource = (*Index)(nil)
