package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/sesver/legajo/search"
)

const holdIndexEnv = "LEGAJO_TEST_HOLD_INDEX"

// TestHelperHoldSearchIndex is not a test: run as a child process by
// TestSearchBesideServer, it holds the search index open and follows the
// archive, as `legajo serve` does, until its stdin closes.
func TestHelperHoldSearchIndex(t *testing.T) {
	data := os.Getenv(holdIndexEnv)
	if data == "" {
		t.Skip("helper process")
	}
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now,
		Getenv: func(k string) string {
			if k == "LEGAJO_DATA" {
				return data
			}
			return ""
		}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := m.openApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	idx, err := search.Open(a.cfg.Index, a.office.Catalog, a.archive)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if idx.Private() {
		t.Fatal("the helper did not get the index")
	}
	go idx.Follow(ctx, 100*time.Millisecond)
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// The CLI searches and reindexes while another process (a server) holds
// the index, and finds what was issued a moment before.
func TestSearchBesideServer(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "USER": "ana"}
	emit := func(sample, typ string) string {
		t.Helper()
		code, out, errs := run(t, env, "emit", "--type", typ, "--data", "../../fixtures/documents/"+sample+".json", "--json")
		if code != 0 {
			t.Fatalf("emit %s: exit %d: %s", sample, code, errs)
		}
		var res struct{ Folio string }
		json.Unmarshal([]byte(out), &res)
		return res.Folio
	}
	emit("oficio-liberacion", "oficio-liberacion")
	// The first search builds the index from the archive.
	if code, _, errs := run(t, env, "search", "sicip"); code != 0 {
		t.Fatalf("search: exit %d: %s", code, errs)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldSearchIndex$")
	cmd.Env = append(os.Environ(), holdIndexEnv+"="+data)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper: %q %v", line, err)
	}

	folio := emit("restablecimiento-contrasena", "restablecimiento-contrasena")
	code, out, errs := run(t, env, "search", "contrasena", "--type", "restablecimiento-contrasena", "--json")
	if code != 0 {
		t.Fatalf("search beside the server: exit %d: %s", code, errs)
	}
	var res struct {
		Total int `json:"total"`
		Hits  []struct {
			Folio, Type, Expediente, Date, Status string
			Score                                 float64
			Fragments                             map[string][]string
		} `json:"hits"`
		Facets map[string][]struct {
			Value string
			Count int
		} `json:"facets"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json is not one JSON value: %v\n%s", err, out)
	}
	if res.Total != 1 || res.Hits[0].Folio != folio || res.Hits[0].Status != "pendiente de acuse" || res.Hits[0].Expediente != "correos" ||
		res.Hits[0].Date == "" || res.Hits[0].Score <= 0 || len(res.Hits[0].Fragments["text"]) == 0 || len(res.Facets["type"]) != 1 {
		t.Errorf("search --json: %+v", res)
	}

	code, out, errs = run(t, env, "reindex", "--json")
	if code != 0 || !strings.Contains(out, `"documents":2`) || !strings.Contains(errs, "Índice reconstruido") {
		t.Fatalf("reindex beside the server: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = run(t, env, "search", "ol-1")
	if code != 0 || !strings.Contains(out, "SESVER/DA/DTI/OL/0001/2026") || !strings.Contains(out, "1 documento.") {
		t.Errorf("search after reindex: exit %d\n%s", code, out)
	}
	// A misspelt word and one no document holds: said, as on the page.
	code, out, _ = run(t, env, "search", "incidensias", "xyzzy")
	if code != 0 || !strings.Contains(out, "¿Quiso decir «incidencias xyzzy»?") ||
		!strings.Contains(out, "Ningún documento contiene todas las palabras; se muestran los que contienen la mayoría.") ||
		!strings.Contains(out, "SESVER/DA/DTI/OL/0001/2026") {
		t.Errorf("search with a typo and an unknown word: exit %d\n%s", code, out)
	}
	for _, bad := range [][]string{{"search", "x", "--sort", "tamaño"}, {"search", "x", "--from", "ayer"}, {"search", "--page", "-1", "x"}} {
		if code, _, _ := run(t, env, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

// An index laid out by an earlier version of Legajo is rebuilt from the
// archive when it is opened, instead of refusing to search.
func TestSearchRebuildsAnOldIndex(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "USER": "ana"}
	if code, _, errs := run(t, env, "emit", "--type", "oficio-liberacion", "--data", "../../fixtures/documents/oficio-liberacion.json"); code != 0 {
		t.Fatalf("emit: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, env, "search", "sicip"); code != 0 {
		t.Fatalf("search: exit %d: %s", code, errs)
	}
	cur, err := os.ReadFile(filepath.Join(data, "index", "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(data, "index", strings.TrimSpace(string(cur)))
	old, err := bleve.Open(gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.SetInternal([]byte("legajo.format"), []byte("legajo-search-1")); err != nil {
		t.Fatal(err)
	}
	old.Close()
	code, out, errs := run(t, env, "search", "liberacion sicip")
	if code != 0 || !strings.Contains(out, "SESVER/DA/DTI/OL/0001/2026") || !strings.Contains(errs, "versión anterior") {
		t.Fatalf("search on an old index: exit %d\n%s\n%s", code, out, errs)
	}
	if now, _ := os.ReadFile(filepath.Join(data, "index", "CURRENT")); string(now) == string(cur) {
		t.Errorf("still generation %s after the rebuild", cur)
	}
}
