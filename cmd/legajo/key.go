package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sesver/legajo/archive"
)

// The institution's signing key signs every chain entry and every
// checkpoint of the archive's log. It lives outside the archive: in
// LEGAJO_SIGNING_KEY_FILE, or generated on first use into
// <LEGAJO_DATA>/secrets/firma.key. Every node of a deployment must have
// the same key; auditors need only its public half (`legajo key`).

// defaultKeyName is the name of a generated key, which is also the origin
// line of the log's checkpoints.
const defaultKeyName = "legajo.sesver"

// errNoKey says that the archive is already signed and this machine lacks
// the key.
var errNoKey = errors.New("no signing key")

// signingKey reads the signing key, or makes one when the archive has no
// log yet (a new archive). A new key is never made for an archive that is
// already signed: its entries would no longer verify.
func (m *Main) signingKey(ctx context.Context, cfg *Config, st archive.Store) (*archive.Signer, error) {
	path := cfg.KeyFile
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s, err := archive.ParseSigner(string(b))
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", path, err)
		}
		return s, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("config: signing key: %w", err)
	case m.Getenv("LEGAJO_SIGNING_KEY_FILE") != "":
		return nil, fmt.Errorf("config: LEGAJO_SIGNING_KEY_FILE=%s does not exist", path)
	}
	signed, err := archive.HasLog(ctx, st)
	if err != nil {
		return nil, err
	}
	if signed || m.restoring {
		return nil, errNoKey
	}
	skey, _, err := archive.GenerateKey(envOr(m.Getenv, "LEGAJO_KEY_NAME", defaultKeyName))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// O_EXCL: two processes starting at once must not make two keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return m.signingKey(ctx, cfg, st)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(m.Stderr, "legajo: se generó la clave de firma de la institución en %s; guárdela en un lugar seguro y fuera del archivo.\n", path)
	return archive.ParseSigner(skey)
}

func (m *Main) runKey(ctx context.Context, args []string) error {
	fs := m.flags("key")
	asJSON := fs.Bool("json", false, "print the key as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	v := a.archive.Verifier()
	if v == nil {
		return fmt.Errorf("no hay clave de firma ni clave pública configurada")
	}
	if *asJSON {
		return m.printJSON(map[string]string{"name": v.Name(), "key": v.VerifierKey()})
	}
	fmt.Fprintln(m.Stdout, v.VerifierKey())
	return nil
}

func (m *Main) runCheckpoint(ctx context.Context, args []string) error {
	fs := m.flags("checkpoint")
	out := fs.String("out", "", "write the checkpoint to this file instead of stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.archive.Checkpoint(ctx)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := m.Stdout.Write([]byte(c.Note))
		return err
	}
	if err := os.WriteFile(*out, []byte(c.Note), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "punto de control de %d entradas, firmado el %s, guardado en %s\n", c.Size, c.At.Format("2006-01-02 15:04:05 MST"), *out)
	return nil
}

// parseKeyText accepts a verifier key given as text or as a file holding it.
func parseKeyText(s string) (*archive.Verifier, error) {
	if b, err := os.ReadFile(s); err == nil {
		s = string(b)
	}
	return archive.ParseVerifier(strings.TrimSpace(s))
}

// withEnv returns a copy of m that sees key=value in its environment: how
// a flag overrides a LEGAJO_* variable.
func (m *Main) withEnv(key, value string) *Main {
	c := *m
	getenv := m.Getenv
	c.Getenv = func(k string) string {
		if k == key {
			return value
		}
		return getenv(k)
	}
	return &c
}
