package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The request key keys the MAC by which a retried emission is compared
// in its secret fields (legajo.Fingerprint): nothing derived from a
// password without it is ever stored. It is LEGAJO_REQUEST_KEY (hex) or
// a key generated once into <LEGAJO_DATA>/secrets/solicitudes.key. Like
// the session key, every node of a deployment must share it: a node with
// another key cannot tell a retry with a different password from the
// same request. It never goes into the archive, so a copy of the archive
// (a backup, a bucket) cannot be searched for passwords with it.

func (m *Main) requestKey(cfg *Config) ([]byte, error) {
	if v := m.Getenv("LEGAJO_REQUEST_KEY"); v != "" {
		k, err := hex.DecodeString(v)
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("config: LEGAJO_REQUEST_KEY must be 64 or more hex digits")
		}
		return k, nil
	}
	path := filepath.Join(cfg.Data, "secrets", "solicitudes.key")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("config: %s is not a request key; remove it to make a new one", path)
		}
		return k, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("config: request key: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("config: request key: %w", err)
	}
	// Written whole beside it, then linked into place: two processes
	// starting at once agree on one key, and none reads half of one.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".solicitudes-*.key")
	if err != nil {
		return nil, fmt.Errorf("config: request key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(k) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if errors.Is(err, os.ErrExist) {
		return m.requestKey(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("config: request key: %w", err)
	}
	return k, nil
}
