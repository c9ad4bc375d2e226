package metrics

import (
	"context"
	"time"

	"github.com/sesver/legajo"
)

// Searcher wraps s so that every search is timed and its matches counted.
func (r *Registry) Searcher(s legajo.Searcher) legajo.Searcher {
	return &searcher{s: s, r: r}
}

type searcher struct {
	s legajo.Searcher
	r *Registry
}

func (s *searcher) Search(ctx context.Context, q legajo.SearchQuery) (*legajo.SearchResult, error) {
	t0 := time.Now()
	res, err := s.s.Search(ctx, q)
	s.r.searchSeconds.WithLabelValues(outcome(err)).Observe(time.Since(t0).Seconds())
	if err == nil && res != nil {
		s.r.searchResults.Observe(float64(res.Total))
	}
	return res, err
}
