package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/search"
)

// openSearch opens the search index for the server and follows the
// archive's chains every second, so that a document filed by this server,
// another process or another node is findable here within about a second.
// Indexing is not done inside the request that files a document: each
// second's catch-up indexes whatever arrived in one batch, which costs far
// less than a batch per document (measured under load: issuing p50 halved)
// and keeps issuing fast. The returned func stops following and closes the
// index.
func (m *Main) openSearch(ctx context.Context, a *app, logger *slog.Logger) (legajo.Searcher, func(), error) {
	idx, err := m.openIndex(ctx, a, logger)
	if err != nil {
		return nil, nil, err
	}
	idx.SetLogger(logger)
	// A new index over an archive that already holds documents is built in
	// bulk, far faster than catching up a batch at a time.
	if len(idx.Positions()) == 0 {
		if err := idx.Rebuild(ctx, nil); err != nil {
			idx.Close()
			return nil, nil, err
		}
	}
	if err := idx.CatchUp(ctx); err != nil {
		idx.Close()
		return nil, nil, err
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		idx.Follow(fctx, time.Second)
	}()
	return idx, func() {
		cancel()
		<-done
		idx.Close()
	}, nil
}

// openIndex opens the search index. One written by an earlier version of
// Legajo, laid out differently, is rebuilt first, as `legajo reindex`
// would.
func (m *Main) openIndex(ctx context.Context, a *app, logger *slog.Logger) (*search.Index, error) {
	idx, err := search.Open(a.cfg.Index, a.office.Catalog, a.archive)
	if !errors.Is(err, search.ErrOtherFormat) {
		return idx, err
	}
	fmt.Fprintln(m.Stderr, "legajo: el índice de búsqueda es de una versión anterior; se reconstruye a partir del archivo…")
	p := newProgress(m.Stderr, isTerminal(m.Stderr), m.Now)
	_, err = search.Rebuild(ctx, a.cfg.Index, a.office.Catalog, a.archive, p.update, logger)
	p.finish()
	if err != nil {
		return nil, err
	}
	return search.Open(a.cfg.Index, a.office.Catalog, a.archive)
}
