package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The request key is made once into the data directory, and every
// process that starts at the same time gets that one key.
func TestRequestKey(t *testing.T) {
	data := t.TempDir()
	m := &Main{Getenv: func(string) string { return "" }}
	cfg := &Config{Data: data}
	keys := make([][]byte, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = m.requestKey(cfg) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("call %d: %x, %v (first %x)", i, keys[i], errs[i], keys[0])
		}
	}
	path := filepath.Join(data, "secrets", "solicitudes.key")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(data, "secrets", ".solicitudes-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	env := map[string]string{"LEGAJO_REQUEST_KEY": strings.Repeat("ab", 32)}
	m.Getenv = func(k string) string { return env[k] }
	if k, err := m.requestKey(cfg); err != nil || !bytes.Equal(k, bytes.Repeat([]byte{0xab}, 32)) {
		t.Errorf("LEGAJO_REQUEST_KEY: %x %v", k, err)
	}
	env["LEGAJO_REQUEST_KEY"] = "abc"
	if _, err := m.requestKey(cfg); err == nil {
		t.Error("a short LEGAJO_REQUEST_KEY was accepted")
	}
	m.Getenv = func(string) string { return "" }
	os.WriteFile(path, []byte("not hex\n"), 0o600)
	if _, err := m.requestKey(cfg); err == nil || !strings.Contains(err.Error(), "not a request key") {
		t.Errorf("a damaged key file: %v", err)
	}
}
