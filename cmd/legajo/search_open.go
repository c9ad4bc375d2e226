package main

import (
	"context"
	"log/slog"

	"github.com/sesver/legajo"
)

// openSearch opens the search index for the server and keeps it caught up
// with the archive. Until the search package is wired in, the server runs
// without search.
func (m *Main) openSearch(ctx context.Context, a *app, logger *slog.Logger) (legajo.Searcher, func(), error) {
	return nil, func() {}, nil
}
