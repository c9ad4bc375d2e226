package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

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
	witness archive.Store // nil: none
	archive *archive.Archive
	office  *legajo.Office
	// synonyms are the saved settings' abbreviations for search; nil:
	// the defaults.
	synonyms []legajo.Synonym
	// telephony analyzes the carriers' bills in billLayouts, the saved
	// settings' layouts (nil: the default).
	telephony   *legajo.Telephony
	billLayouts atomic.Pointer[[]legajo.BillLayout]
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
	var ast archive.Store = st
	if m.metrics != nil {
		ast = archive.Observe(st, archive.Backend(st), m.metrics)
	}
	a, err := archive.New(ast, cfg.Expedientes)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.SetClock(m.Now)
	if err := m.useKeys(ctx, cfg, st, a); err != nil {
		st.Close()
		return nil, err
	}
	var witness archive.Store
	if cfg.Witness != "" {
		if witness, err = m.openWitness(ctx, cfg.Witness); err != nil {
			st.Close()
			return nil, err
		}
		a.UseWitness(witness)
	}
	// Settings saved from the web application win over the file, which only
	// seeds them.
	var synonyms []legajo.Synonym
	settings, err := a.Settings(ctx)
	switch {
	case err == nil:
		cfg.Directory, cfg.Expedientes, cfg.Areas = settings.Directory, settings.Expedientes, settings.Areas
		synonyms = settings.Synonyms
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
	rk, err := m.requestKey(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	notifier, err := cfg.notifier(m.Now)
	if err != nil {
		st.Close()
		return nil, err
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: cfg.Institution,
		Directory: cfg.Directory, Zone: cfg.Zone, Now: m.Now, RequestKey: rk, Mail: notifier}
	if m.metrics != nil {
		o.Observer = m.metrics
	}
	if o.Cases, err = m.openCases(cat, a, settings.NonWorkingDays, cfg.Zone); err != nil {
		st.Close()
		return nil, err
	}
	if o.Registros, err = m.openRegistros(a, cfg.Zone); err != nil {
		st.Close()
		return nil, err
	}
	if o.Cases != nil && notifier != nil {
		o.Cases.Notifier = legajo.CaseMail{Mail: notifier, Users: a, BaseURL: cfg.Institution.BaseURL}
	}
	ap := &app{cfg: cfg, store: st, witness: witness, archive: a, office: o, synonyms: synonyms}
	ap.billLayouts.Store(&settings.BillLayouts)
	ap.telephony = telephonyOf(o, &ap.billLayouts)
	return ap, nil
}

// Close seals what this process filed into the archive's log, then
// releases the archive.
func (a *app) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := a.archive.Seal(ctx, false)
	if a.witness != nil {
		a.witness.Close()
	}
	return errors.Join(err, a.store.Close())
}

// useKeys gives the archive the institution's signing key or, where this
// machine holds only its public half (an auditor's), that.
func (m *Main) useKeys(ctx context.Context, cfg *Config, st archive.Store, a *archive.Archive) error {
	if cfg.PublicKey != "" {
		v, err := parseKeyText(cfg.PublicKey)
		if err != nil {
			return fmt.Errorf("config: LEGAJO_PUBLIC_KEY: %w", err)
		}
		a.Trust(v)
	}
	s, err := m.signingKey(ctx, cfg, st)
	switch {
	case err == nil:
		if v := a.Verifier(); v != nil && v.VerifierKey() != s.VerifierKey() {
			return fmt.Errorf("config: LEGAJO_PUBLIC_KEY is not the public half of %s", cfg.KeyFile)
		}
		a.UseKey(s)
		signed, err := archive.HasLog(ctx, st)
		if err != nil {
			return err
		}
		if signed {
			// A key that did not sign this archive would make every new
			// entry and checkpoint unverifiable: refuse it now.
			return a.CheckKey(ctx)
		}
		if m.restoring {
			return nil
		}
		// An archive filed before it had a key has entries but no log: the
		// first lote adopts them, once, as they are now.
		_, err = a.Seal(ctx, true)
		return err
	case errors.Is(err, errNoKey) && (cfg.PublicKey != "" || m.restoring):
		return nil // verify or restore only; writing is refused, when signing
	case errors.Is(err, errNoKey):
		return fmt.Errorf("config: el archivo ya está firmado y no se encontró su clave de firma en %s: copie ahí la clave de la institución (o indique LEGAJO_SIGNING_KEY_FILE), o dé su clave pública en LEGAJO_PUBLIC_KEY para solo verificar", cfg.KeyFile)
	}
	return err
}

// openWitness opens the witness location, LEGAJO_WITNESS: fs:<dir> or
// s3://<host:port>/<bucket>, with LEGAJO_WITNESS_S3_* credentials or else
// the archive's.
func (m *Main) openWitness(ctx context.Context, spec string) (archive.Store, error) {
	s3, err := parseLocation("LEGAJO_WITNESS", spec, m.Getenv, "LEGAJO_WITNESS_S3_", "LEGAJO_S3_")
	if err != nil {
		return nil, err
	}
	return openStore(ctx, spec, s3)
}

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
	a.billLayouts.Store(&s.BillLayouts)
	if a.office.Cases != nil {
		cal, err := legajo.NewCalendar(s.NonWorkingDays)
		if err != nil {
			return err
		}
		a.office.Cases.SetCalendar(cal)
	}
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

// checkpointSeal is the archive log's newest checkpoint, for the
// instruments that print it; nil when nothing is sealed or there is no key.
func (a *app) checkpointSeal(ctx context.Context) *legajo.TrailSeal {
	v := a.archive.Verifier()
	c, err := a.archive.Checkpoint(ctx)
	if v == nil || err != nil {
		return nil
	}
	return &legajo.TrailSeal{Key: v.VerifierKey(), Checkpoint: c.Note, Size: c.Size, SignedAt: c.At}
}
