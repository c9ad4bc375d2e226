package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// app is a wired Legajo: configuration, archive and the Office that works on
// it. Close releases it.
type app struct {
	cfg     *Config
	store   archive.Store
	archive *archive.Archive
	office  *legajo.Office
}

// openApp loads the configuration, the document types and the archive, and
// checks that they fit together.
func (m *Main) openApp(ctx context.Context) (*app, error) {
	cfg, err := m.loadConfig()
	if err != nil {
		return nil, err
	}
	cat, err := templates.Load()
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, cfg.Archive, cfg.S3)
	if err != nil {
		return nil, err
	}
	a, err := archive.New(st, cfg.Expedientes)
	if err != nil {
		st.Close()
		return nil, err
	}
	// Settings saved from the web application win over the file, which only
	// seeds them.
	settings, err := a.Settings(ctx)
	switch {
	case err == nil:
		cfg.Directory, cfg.Expedientes, cfg.Areas = settings.Directory, settings.Expedientes, settings.Areas
		if err := a.SetExpedientes(settings.Expedientes); err != nil {
			st.Close()
			return nil, err
		}
	case !errors.Is(err, legajo.ErrNotFound):
		st.Close()
		return nil, err
	}
	for _, t := range cat.Types() {
		if t.Expediente == "" {
			continue
		}
		if _, err := a.Expediente(t.Expediente); err != nil {
			st.Close()
			return nil, fmt.Errorf("config: type %s files into expediente %q, which is not configured", t.ID, t.Expediente)
		}
	}
	r, err := pdf.New(pdf.Options{Logo: cfg.Logo})
	if err != nil {
		st.Close()
		return nil, err
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: cfg.Institution,
		Directory: cfg.Directory, Zone: cfg.Zone, Now: m.Now}
	return &app{cfg: cfg, store: st, archive: a, office: o}, nil
}

func (a *app) Close() error { return a.store.Close() }

// openStore opens the Store at spec (fs:<dir> or s3://…, then described by
// s3, see parseLocation): the archive, or a backup of it.
func openStore(ctx context.Context, spec string, s3 archive.S3Config) (archive.Store, error) {
	if dir, ok := strings.CutPrefix(spec, "fs:"); ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		st, err := archive.OpenFS(dir)
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := archive.OpenS3(ctx, s3)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// apply puts saved settings in force while serving.
func (a *app) apply(s legajo.Settings) error {
	if err := a.archive.SetExpedientes(s.Expedientes); err != nil {
		return err
	}
	a.office.SetDirectory(s.Directory)
	return nil
}

// lockNotice says once, where it matters, that the storage does not enforce
// retention.
func (m *Main) lockNotice(a *app) {
	if !a.store.Locking() {
		fmt.Fprintln(m.Stderr, "legajo: note: the archive's storage has no Object Lock; filed objects are protected by Legajo, not by the storage")
	}
}

// parseFolio reads a folio as typed: SESVER/DA/DTI/OL/0042/2026 or its slug.
func (a *app) parseFolio(s string) (legajo.Folio, error) {
	return legajo.ParseFolio(s, a.cfg.Institution.FolioPrefix)
}

// author is who the CLI acts as: --author, else the login name.
func (m *Main) author(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if u := m.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}
