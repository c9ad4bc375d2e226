package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/search"
)

// openSearch opens the search index for the server and keeps it caught up
// with the archive: it follows the chains every second, so that documents
// filed by other processes and nodes are findable here within about a
// second, and it catches up at once when this server files something.
// Indexing is not done inside the request that files a document: the
// catch-up indexes whatever arrived in one batch, which costs far less than
// a batch per document and keeps issuing fast. The returned func stops
// following and closes the index.
func (m *Main) openSearch(ctx context.Context, a *app, logger *slog.Logger) (legajo.Searcher, func(), error) {
	idx, err := search.Open(a.cfg.Index, a.office.Catalog, a.archive)
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
	n := nudger(make(chan struct{}, 1))
	a.office.Index = n
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		idx.Follow(fctx, time.Second)
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		for {
			select {
			case <-fctx.Done():
				return
			case <-n:
			}
			if err := idx.CatchUp(fctx); err != nil && fctx.Err() == nil {
				logger.Warn("search: catch up", "err", err)
			}
		}
	}()
	return idx, func() {
		cancel()
		<-done
		<-done
		idx.Close()
	}, nil
}

// nudger is the Office's Indexer: it only wakes the catch-up loop.
type nudger chan struct{}

// Changed wakes the catch-up loop.
func (n nudger) Changed(legajo.Folio) {
	select {
	case n <- struct{}{}:
	default: // a catch-up is already due
	}
}
