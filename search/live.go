package search

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// deadFactor is what a cancelled or annulled document's score is
// multiplied by: it ranks below a live one that matches the same, and
// still above live documents that match much less.
const deadFactor = 0.5

// liveFirstQuery is q with cancelled and annulled documents (live "no",
// see document) scored deadFactor times less. It was a should clause on
// that term: bleve's boolean searcher then doubled the time of scoring a
// common word (measured at 100,000 documents), and reading the term's
// postings in step with the matches cost as much again. Here the dead
// documents of each segment are a bitset, made once per segment (a
// segment never changes), and a match costs a bit test.
type liveFirstQuery struct {
	q    query.Query
	dead *deadTable
}

func (l *liveFirstQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	s, err := l.q.Searcher(ctx, r, m, opts)
	if err != nil || opts.Score == "none" {
		return s, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("search: index of type %T", r)
	}
	sets, offsets, err := l.dead.sets(snap)
	if err != nil {
		s.Close()
		return nil, err
	}
	return &liveFirstSearcher{Searcher: s, sets: sets, segs: segCursor{offsets: offsets}}, nil
}

// liveFirstSearcher is a searcher whose matches' scores are lowered for
// the dead documents.
type liveFirstSearcher struct {
	bsearch.Searcher
	sets [][]uint64 // per segment, a bit per document: dead
	segs segCursor
}

// segCursor finds the segment of each match of a search, and the match's
// number within it. Matches come in increasing order of their internal
// number, so the segment only moves forward.
type segCursor struct {
	offsets []uint64 // per segment, the internal number of its first document
	seg     int      // segment of the last match
}

func (c *segCursor) locate(dm *bsearch.DocumentMatch) (seg int, local uint64) {
	num := dm.IndexInternalID.Value()
	if c.seg >= len(c.offsets) || num < c.offsets[c.seg] {
		c.seg = 0
	}
	for c.seg+1 < len(c.offsets) && num >= c.offsets[c.seg+1] {
		c.seg++
	}
	if c.seg >= len(c.offsets) {
		return len(c.offsets), 0
	}
	return c.seg, num - c.offsets[c.seg]
}

func (s *liveFirstSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	if err == nil && dm != nil {
		s.score(dm)
	}
	return dm, err
}

func (s *liveFirstSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, id)
	if err == nil && dm != nil {
		s.score(dm)
	}
	return dm, err
}

// score lowers dm's score when it is dead.
func (s *liveFirstSearcher) score(dm *bsearch.DocumentMatch) {
	seg, local := s.segs.locate(dm)
	if seg >= len(s.sets) {
		return
	}
	set := s.sets[seg]
	if w := local / 64; w < uint64(len(set)) && set[w]&(1<<(local%64)) != 0 {
		dm.Score *= deadFactor
	}
}

// deadTable keeps, for every segment of the index, the bitset of its
// dead documents, read once when a search first meets the segment (a
// segment never changes; the few hundred dead documents of a large one
// take well under a millisecond to read).
type deadTable struct {
	mu   sync.Mutex
	bits map[uint64][]uint64 // segment id → a bit per document
}

func newDeadTable() *deadTable { return &deadTable{bits: map[uint64][]uint64{}} }

// sets returns the bitset of each segment of snap and the internal number
// of each segment's first document, and forgets segments merged away.
func (t *deadTable) sets(snap *scorch.IndexSnapshot) ([][]uint64, []uint64, error) {
	segs := snap.Segments()
	sets := make([][]uint64, len(segs))
	offsets := make([]uint64, len(segs))
	var running uint64
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, ss := range segs {
		offsets[i] = running
		running += ss.Segment().Count()
		set, ok := t.bits[ss.Id()]
		if !ok {
			var err error
			if set, err = readDead(ss); err != nil {
				return nil, nil, err
			}
			t.bits[ss.Id()] = set
		}
		sets[i] = set
	}
	if len(t.bits) > 2*len(segs) {
		live := make(map[uint64]bool, len(segs))
		for _, ss := range segs {
			live[ss.Id()] = true
		}
		for id := range t.bits {
			if !live[id] {
				delete(t.bits, id)
			}
		}
	}
	return sets, offsets, nil
}

// readDead reads the dead documents of one segment; nil when it has none.
func readDead(ss *scorch.SegmentSnapshot) ([]uint64, error) {
	seg := ss.Segment()
	dict, err := seg.Dictionary(fLive)
	if err != nil {
		return nil, fmt.Errorf("search: dead documents: %w", err)
	}
	pl, err := dict.PostingsList([]byte("no"), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("search: dead documents: %w", err)
	}
	if pl == nil || pl.Count() == 0 {
		return nil, nil
	}
	set := make([]uint64, (seg.Count()+63)/64)
	it := pl.Iterator(false, false, false, nil)
	for {
		p, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("search: dead documents: %w", err)
		}
		if p == nil {
			return set, nil
		}
		if n := p.Number(); n/64 < uint64(len(set)) {
			set[n/64] |= 1 << (n % 64)
		}
	}
}
