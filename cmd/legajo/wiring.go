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
	var st archive.Store
	if dir, ok := strings.CutPrefix(cfg.Archive, "fs:"); ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		st, err = archive.OpenFS(dir)
	} else {
		st, err = archive.OpenS3(ctx, cfg.S3)
	}
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

// apply puts saved settings in force while serving.
func (a *app) apply(s legajo.Settings) error {
	if err := a.archive.SetExpedientes(s.Expedientes); err != nil {
		return err
	}
	a.office.SetDirectory(s.Directory)
	return nil
}

// lockNotice says once, where it matters, when the storage itself does not
// keep filed objects from being deleted or rewritten (S3 Object Lock), so
// that only verification would notice.
func (m *Main) lockNotice(a *app) {
	if a.store.Locking() {
		return
	}
	const after = "no impide borrar ni reescribir lo archivado; «legajo verify» detecta cualquier cambio, pero no lo evita."
	s3, ok := a.store.(*archive.S3Store)
	switch {
	case !ok:
		fmt.Fprintf(m.Stderr, "legajo: nota: el archivo está en un directorio (%s), que %s\n", strings.TrimPrefix(a.cfg.Archive, "fs:"), after)
	case s3.LockRefused() != nil:
		fmt.Fprintf(m.Stderr, "legajo: nota: el servidor S3 no aceptó crear el bucket «%s» con Object Lock (%v); se creó sin él, y el almacenamiento %s\n",
			a.cfg.S3.Bucket, s3.LockRefused(), after)
	default:
		fmt.Fprintf(m.Stderr, "legajo: nota: el bucket «%s» no tiene Object Lock: el almacenamiento %s Para retener los documentos según el CADIDO, archive en un bucket nuevo, que Legajo crea con Object Lock si el servidor lo admite.\n", a.cfg.S3.Bucket, after)
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
