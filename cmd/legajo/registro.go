package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

// Registries are wired when the expediente that records their changes is
// configured: every process replays them from the archive and follows
// what others file, as cases are.

// openRegistros returns the registries of archive a, or nil when the
// configuration has no expediente for them.
func (m *Main) openRegistros(a *archive.Archive, zone *time.Location) (*legajo.Registros, error) {
	if _, err := a.Expediente(legajo.RegistroExpediente); err != nil {
		return nil, nil // serve says so
	}
	rs, err := legajo.NewRegistros(a, legajo.RegistroDefs()...)
	if err != nil {
		return nil, err
	}
	rs.Zone, rs.Now = zone, m.Now
	return rs, nil
}

// followRegistros replays the registries now, then follows new changes
// until ctx ends.
func (a *app) followRegistros(ctx context.Context, logger *slog.Logger) error {
	rs := a.office.Registros
	if rs == nil {
		logger.Warn("registries are off: configure the expediente " + legajo.RegistroExpediente)
		return nil
	}
	start := time.Now()
	rs.Logf = func(format string, args ...any) { logger.Error(fmt.Sprintf(format, args...)) }
	if err := rs.Sync(ctx); err != nil {
		return fmt.Errorf("registros: replay: %w", err)
	}
	logger.Info("registries replayed", "took", time.Since(start).String())
	go func() {
		t := time.NewTicker(caseFollowEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := rs.Sync(ctx); err != nil && ctx.Err() == nil {
					logger.Error("registros: follow", "err", err)
				}
			}
		}
	}()
	return nil
}
