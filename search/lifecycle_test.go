package search

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
)

// fileEvents files the later events of the fixture world through e's
// Office: an acuse with a text layer, an attachment, a cancellation and a
// received oficio.
func fileEvents(t *testing.T, e *env, f map[string]legajo.Folio) {
	t.Helper()
	ctx := context.Background()
	ol := f["oficio-liberacion"]
	if _, err := e.office.Acuse(ctx, ol, fixtures.TextPDF("Recibí original, sello de Recursos Humanos"), "acuse.pdf", "capturista1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.office.Attach(ctx, ol, fixtures.TextPDF("Manual del usuario"), "manual.pdf", "Manual del usuario", "capturista1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.office.Cancel(ctx, f["minuta"], "Fecha de la reunión equivocada; se reprograma.", "capturista1"); err != nil {
		t.Fatal(err)
	}
	_, err := e.office.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
		"tipo": "Tarjeta", "fecha_recepcion": "2026-03-03", "hora_recepcion": "12:00", "remitente": "C. Ana Ruiz",
		"cargo": "Jefa de Oficina", "area": "Unidad de Transparencia", "asunto": "Solicitud de información pública 0917",
	}, Scan: []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}, ScanName: "tarjeta.jpg", Author: "capturista1"})
	if err != nil {
		t.Fatal(err)
	}
}

// dump is every stored field of every document, by folio.
func dump(t *testing.T, x *Index) map[string]map[string]any {
	t.Helper()
	x.mu.RLock()
	defer x.mu.RUnlock()
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 10000, 0, false)
	req.Fields = []string{"*"}
	res, err := x.idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, h := range res.Hits {
		out[h.ID] = h.Fields
	}
	return out
}

var compareQueries = []string{"", "contrasena", "sistema", "refaciones", `"cuenta bloqueada"`, "ol-1", "informacion publica", "sello", "manual", "reprograma"}

// results are the answers to compareQueries, folios sorted, for comparing
// two indexes of the same archive.
func results(t *testing.T, x *Index) map[string]*legajo.SearchResult {
	t.Helper()
	out := map[string]*legajo.SearchResult{}
	for _, q := range compareQueries {
		res := search(t, x, legajo.SearchQuery{Text: q, Facets: true, PerPage: 200})
		slices.SortFunc(res.Hits, func(a, b legajo.SearchHit) int { return strings.Compare(a.Folio, b.Folio) })
		for i := range res.Hits {
			res.Hits[i].Score = 0 // term statistics count replaced versions of a document
		}
		res.Took = 0
		out[q] = res
	}
	return out
}

// Rebuilding from the archive alone gives the index that incremental
// indexing built, field for field, and rebuilding again gives it again.
func TestRebuildMatchesIncremental(t *testing.T) {
	e := newEnv(t, "")
	f := e.samples(t)
	fileEvents(t, e, f)
	incremental, incRes := dump(t, e.index), results(t, e.index)
	if len(incremental) < 32 {
		t.Fatalf("%d documents", len(incremental))
	}
	for i := range 2 {
		var calls, last int
		if err := e.index.Rebuild(context.Background(), func(done, total int) { calls++; last = total }); err != nil {
			t.Fatal(err)
		}
		if calls == 0 || last < 35 {
			t.Errorf("progress called %d times, total %d", calls, last)
		}
		rebuilt := dump(t, e.index)
		if !reflect.DeepEqual(rebuilt, incremental) {
			for id, fields := range incremental {
				if !reflect.DeepEqual(fields, rebuilt[id]) {
					t.Errorf("rebuild %d: %s differs:\nincremental %v\nrebuilt     %v", i, id, fields, rebuilt[id])
				}
			}
			t.Fatalf("rebuild %d: %d documents, incremental %d", i, len(rebuilt), len(incremental))
		}
		if got := results(t, e.index); !reflect.DeepEqual(got, incRes) {
			t.Errorf("rebuild %d: search results differ", i)
		}
		pos := e.index.Positions()
		if pos["dti"] == 0 || pos["correos"] == 0 || pos["oficios-recibidos"] != 1 {
			t.Errorf("positions after rebuild %v", pos)
		}
	}
	gens, _ := filepath.Glob(filepath.Join(e.dir, "index", genPrefix+"*"))
	if len(gens) != 1 {
		t.Errorf("generations left: %v", gens)
	}
}

// An interrupted rebuild changes nothing: the old index keeps serving and
// the build is removed.
func TestRebuildInterrupted(t *testing.T) {
	e := newEnv(t, "")
	e.samples(t)
	dir := filepath.Join(e.dir, "index")
	before, _ := readCurrent(dir)
	ctx, cancel := context.WithCancel(context.Background())
	err := e.index.Rebuild(ctx, func(done, total int) {
		if done > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if after, _ := readCurrent(dir); after != before {
		t.Errorf("CURRENT moved from %s to %s", before, after)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, buildPrefix+"*")); len(left) != 0 {
		t.Errorf("build left behind: %v", left)
	}
	if res := search(t, e.index, legajo.SearchQuery{Text: "contrasena"}); res.Total == 0 {
		t.Error("old index no longer serves")
	}
}

// A document filed by another Office on another Archive over the same
// store (another process, another node) is found within 5 s by an index
// that follows the chains; a rebuild by another process is picked up.
func TestFollowerSeesOtherWriters(t *testing.T) {
	e := newEnv(t, "")
	e.samples(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followed := make(chan error, 1)
	go func() { followed <- e.index.Follow(ctx, 100*time.Millisecond) }()

	other := otherOffice(t, e)
	data := sample(t, "restablecimiento-contrasena")
	data["usuario_nombre"] = "Lic. Begoña Iñárritu Zúñiga"
	res, err := other.Emit(context.Background(), legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: data, Author: "otro-nodo"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e.index, "begona inarritu zuniga", res.Folio)

	// Another process rebuilds: this index moves to the new generation and
	// keeps following.
	if _, err := Rebuild(context.Background(), filepath.Join(e.dir, "index"), e.cat, e.archive, nil, quietLog()); err != nil {
		t.Fatal(err)
	}
	cur, _ := readCurrent(filepath.Join(e.dir, "index"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		e.index.mu.RLock()
		gen := e.index.gen
		e.index.mu.RUnlock()
		if gen == cur {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still on %s after the rebuild to %s", gen, cur)
		}
		time.Sleep(50 * time.Millisecond)
	}
	data["usuario_nombre"] = "Ing. Ximena Ñeco Bárcenas"
	res, err = other.Emit(context.Background(), legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: data, Author: "otro-nodo"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, e.index, "ximena neco", res.Folio)
	cancel()
	if err := <-followed; !errors.Is(err, context.Canceled) {
		t.Errorf("Follow returned %v", err)
	}
}

// otherOffice is an Office of another process: its own Archive over the
// same directory, and no index.
func otherOffice(t *testing.T, e *env) *legajo.Office {
	t.Helper()
	st, err := archive.OpenFS(filepath.Join(e.dir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	return &legajo.Office{Catalog: e.cat, Archive: a, Renderer: e.office.Renderer, Institution: e.office.Institution,
		Directory: e.office.Directory, Now: e.clock.now}
}

func waitFor(t *testing.T, x *Index, q, folio string) {
	t.Helper()
	start := time.Now()
	for {
		res := search(t, x, legajo.SearchQuery{Text: q})
		if len(res.Hits) > 0 && res.Hits[0].Folio == folio {
			t.Logf("%s findable after %v", folio, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%s not findable with %q after 5 s", folio, q)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// holdEnv names the index directory a helper process holds open.
const holdEnv = "LEGAJO_TEST_HOLD_INDEX"

// TestHelperHoldIndex is not a test: run by TestSearchWhileAnotherProcessHoldsIndex
// as a child process, it opens the index as `legajo serve` would, follows
// the archive, says "ready" and holds the index until its stdin closes.
func TestHelperHoldIndex(t *testing.T) {
	dir := os.Getenv(holdEnv)
	if dir == "" {
		t.Skip("helper process")
	}
	st, err := archive.OpenFS(filepath.Join(dir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := archive.New(st, legajo.DefaultExpedientes())
	x, err := Open(filepath.Join(dir, "index"), catalog(t), a)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if x.Private() {
		t.Fatal("helper did not get the index")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go x.Follow(ctx, 100*time.Millisecond)
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	cancel()
}

// While another process holds the index (a server), a one-off search (the
// CLI) opens a private snapshot instead of failing or waiting, catches up
// with the archive and finds what was filed a moment before; the snapshot
// is gone after Close. The server keeps its index.
func TestSearchWhileAnotherProcessHoldsIndex(t *testing.T) {
	e := newEnv(t, "")
	f := e.samples(t)
	e.index.CatchUp(context.Background())
	if err := e.index.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldIndex$")
	cmd.Env = append(os.Environ(), holdEnv+"="+e.dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper: %q %v", line, err)
	}

	// Filed by a third process after the server opened the index.
	other := otherOffice(t, e)
	data := sample(t, "oficio-liberacion")
	data["sistema"] = "Sistema de Vigilancia Epidemiológica (SIVEPI)"
	res, err := other.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "cli"})
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	x, err := Open(filepath.Join(e.dir, "index"), e.cat, e.archive)
	if err != nil {
		t.Fatal(err)
	}
	x.SetLogger(quietLog())
	if !x.Private() {
		t.Fatal("the held index was opened for writing")
	}
	if err := x.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := search(t, x, legajo.SearchQuery{Text: "sivepi"})
	t.Logf("private snapshot opened, caught up and searched in %v", time.Since(start).Round(time.Millisecond))
	if len(got.Hits) != 1 || got.Hits[0].Folio != res.Folio {
		t.Errorf("sivepi: %v, want %s", folios(got), res.Folio)
	}
	if got := search(t, x, legajo.SearchQuery{Text: "contrasena"}); got.Hits[0].Folio != f["restablecimiento-contrasena"].String() {
		t.Errorf("snapshot lost documents: %v", folios(got))
	}
	snap := x.path
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snap); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("snapshot %s left behind", snap)
	}
	if !inUse(filepath.Join(e.dir, "index", mustCurrent(t, e), "store", "root.bolt")) {
		t.Error("the helper lost its index")
	}
}

func mustCurrent(t *testing.T, e *env) string {
	t.Helper()
	gen, err := readCurrent(filepath.Join(e.dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	return gen
}

// A follower reads new entries by key, so an entry removed from the middle
// of a chain (legajo verify reports it) stops the cheap reads at it; the
// listing a follower makes now and then goes past it.
func TestFollowerPastAMissingEntry(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	// The first catch-up of an index lists the chains.
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	other := otherOffice(t, e)
	data := sample(t, "restablecimiento-contrasena")
	data["usuario_nombre"] = "Lic. Begoña Iñárritu Zúñiga"
	gone, err := other.Emit(ctx, legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: data, Author: "otro-nodo"})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := e.archive.LastSeq(ctx, gone.Expediente)
	if err != nil {
		t.Fatal(err)
	}
	data["usuario_nombre"] = "Ing. Ximena Ñeco Bárcenas"
	after, err := other.Emit(ctx, legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: data, Author: "otro-nodo"})
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("cadenas/%s/%012d.json", gone.Expediente, seq)
	if err := os.Remove(filepath.Join(e.dir, "archive", filepath.FromSlash(key))); err != nil {
		t.Fatal(err)
	}
	found := func() bool { return search(t, e.index, legajo.SearchQuery{Text: "ximena neco"}).Total == 1 }
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if found() {
		t.Fatal("found at once: the follower listed the chain instead of reading the next entry by key")
	}
	for i := 0; !found(); i++ {
		if i == 60 {
			t.Fatalf("%s not found after 60 catch-ups past the missing entry %s", after.Folio, key)
		}
		if err := e.index.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
