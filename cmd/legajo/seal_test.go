package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The archive's signed log from the command line: the key is made on first
// use, every command seals what it filed, an auditor keeps a checkpoint and
// verifies with the public key alone, and a deleted newest document is
// caught against that checkpoint.
func TestSignedLogCLI(t *testing.T) {
	data := t.TempDir()
	archiveDir := filepath.Join(t.TempDir(), "archivo")
	env := map[string]string{"LEGAJO_DATA": data, "LEGAJO_ARCHIVE": "fs:" + archiveDir, "USER": "ana",
		"LEGAJO_WITNESS": "fs:" + filepath.Join(t.TempDir(), "testigo")}
	var folios []string
	for range 2 {
		code, out, errs := run(t, env, "emit", "--type", "oficio-liberacion", "--data", "../../fixtures/documents/oficio-liberacion.json", "--json")
		if code != 0 {
			t.Fatalf("emit: %d %s", code, errs)
		}
		var res struct{ Folio string }
		json.Unmarshal([]byte(out), &res)
		folios = append(folios, res.Folio)
	}
	if _, err := os.Stat(filepath.Join(data, "secrets", "firma.key")); err != nil {
		t.Fatalf("no signing key was made: %v", err)
	}
	code, pub, errs := run(t, env, "key")
	pub = strings.TrimSpace(pub)
	if code != 0 || !strings.HasPrefix(pub, "legajo.sesver+") || strings.Contains(pub, "PRIVATE") {
		t.Fatalf("key: %d %q %s", code, pub, errs)
	}
	cp := filepath.Join(t.TempDir(), "punto.txt")
	if code, _, errs := run(t, env, "checkpoint", "--out", cp); code != 0 {
		t.Fatalf("checkpoint: %s", errs)
	}
	saved, _ := os.ReadFile(cp)
	if lines := strings.Split(string(saved), "\n"); len(lines) < 5 || lines[0] != "legajo.sesver" || lines[1] != "2" {
		t.Fatalf("checkpoint of 2 entries, got:\n%s", saved)
	}
	if code, out, errs := run(t, env, "verify", "--checkpoint", cp); code != 0 || !strings.Contains(out, "registro") {
		t.Fatalf("verify: %d\n%s%s", code, out, errs)
	}

	// An auditor's machine: the archive, the public key, no signing key.
	auditor := map[string]string{"LEGAJO_DATA": t.TempDir(), "LEGAJO_ARCHIVE": env["LEGAJO_ARCHIVE"]}
	if code, out, errs := run(t, auditor, "verify", "--key", pub, "--checkpoint", cp); code != 0 {
		t.Fatalf("verify with the public key only: %d\n%s%s", code, out, errs)
	}
	if code, _, errs := run(t, auditor, "verify"); code != 1 || !strings.Contains(errs, "LEGAJO_PUBLIC_KEY") {
		t.Errorf("verify without any key: %d %s", code, errs)
	}
	if code, _, errs := run(t, mapWith(auditor, "LEGAJO_PUBLIC_KEY", pub), "emit", "--type", "oficio-liberacion",
		"--data", "../../fixtures/documents/oficio-liberacion.json"); code != 1 || !strings.Contains(errs, "solo tiene la clave pública") {
		t.Errorf("emit with only the public key: %d %s", code, errs)
	}

	// The newest document deleted with its entry, objects and pointer, and
	// the witness out of reach: the auditor's checkpoint tells.
	slug := strings.ReplaceAll(folios[1], "/", "-")
	var doomed []string
	filepath.Walk(archiveDir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.Contains(p, slug) || strings.HasSuffix(p, "cadenas/dti/000000000002.json") || strings.Contains(p, "registro/lotes/000000000002")) {
			doomed = append(doomed, p)
		}
		return nil
	})
	for _, p := range doomed {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	delete(env, "LEGAJO_WITNESS")
	code, out, _ := run(t, env, "verify", "--checkpoint", cp)
	if code != 1 || !strings.Contains(out, "retroceso") {
		t.Errorf("verify after the newest document was deleted: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, env, "verify", "--checkpoint", cp, "--json")
	var vs []struct {
		Expediente string
		Findings   []struct{ Key, Problem string }
	}
	if err := json.Unmarshal([]byte(out), &vs); err != nil || code != 1 {
		t.Fatalf("verify --json: %d %v\n%s", code, err, out)
	}
	found := false
	for _, v := range vs {
		for _, f := range v.Findings {
			found = found || (v.Expediente == "registro" && f.Problem == "retroceso")
		}
	}
	if !found {
		t.Errorf("verify --json names no rollback: %s", out)
	}
}

func mapWith(m map[string]string, k, v string) map[string]string {
	c := map[string]string{k: v}
	for kk, vv := range m {
		if kk != k {
			c[kk] = vv
		}
	}
	return c
}
