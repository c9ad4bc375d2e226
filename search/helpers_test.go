package search

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// env is an archive on a directory, an Office filing into it with the real
// renderer, and the search index fed by the Office.
type env struct {
	dir     string // holds archive/ and index/
	store   archive.Store
	archive *archive.Archive
	office  *legajo.Office
	cat     *legajo.Catalog
	index   *Index
	clock   *clock
}

// clock moves one minute per reading, from a start date.
type clock struct {
	start time.Time
	n     atomic.Int64
}

func (c *clock) now() time.Time { return c.start.Add(time.Duration(c.n.Add(1)) * time.Minute) }

var (
	catOnce sync.Once
	catVal  *legajo.Catalog
	catErr  error
	rndOnce sync.Once
	rndVal  legajo.Renderer
	rndErr  error
)

func catalog(t testing.TB) *legajo.Catalog {
	t.Helper()
	catOnce.Do(func() { catVal, catErr = templates.Load() })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return catVal
}

func renderer(t testing.TB) legajo.Renderer {
	t.Helper()
	rndOnce.Do(func() { rndVal, rndErr = pdf.New(pdf.Options{}) })
	if rndErr != nil {
		t.Fatal(rndErr)
	}
	return rndVal
}

func quietLog() *slog.Logger {
	if os.Getenv("LEGAJO_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newEnv makes an environment in dir (t.TempDir() when "").
func newEnv(t testing.TB, dir string) *env {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e := &env{dir: dir, cat: catalog(t), clock: &clock{start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
	st, err := archive.OpenFS(filepath.Join(dir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	e.store = st
	if e.archive, err = archive.New(st, legajo.DefaultExpedientes()); err != nil {
		t.Fatal(err)
	}
	e.index = e.open(t)
	e.office = &legajo.Office{Catalog: e.cat, Archive: e.archive, Renderer: renderer(t), Index: catchUp{e},
		Institution: fixtures.Institution(), Directory: fixtures.Directory(), Now: e.clock.now}
	t.Cleanup(func() { e.index.Close() })
	return e
}

func (e *env) open(t testing.TB) *Index {
	t.Helper()
	x, err := Open(filepath.Join(e.dir, "index"), e.cat, e.archive)
	if err != nil {
		t.Fatal(err)
	}
	x.SetLogger(quietLog())
	return x
}

// samples files every sample document that is filed (labels are printed,
// not filed) and returns their folios by sample name.
func (e *env) samples(t testing.TB) map[string]legajo.Folio {
	t.Helper()
	list, err := fixtures.Samples()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]legajo.Folio{}
	for _, s := range list {
		typ, err := e.cat.Type(s.Type)
		if err != nil {
			t.Fatal(err)
		}
		if typ.Layout == legajo.LayoutLabel {
			continue
		}
		out[s.Name] = e.emit(t, s.Type, s.Data)
	}
	return out
}

func (e *env) emit(t testing.TB, typ string, data map[string]any) legajo.Folio {
	t.Helper()
	res, err := e.office.Emit(context.Background(), legajo.EmitRequest{Type: typ, Data: data, Author: "capturista1"})
	if err != nil {
		t.Fatalf("emit %s: %v", typ, err)
	}
	f, err := legajo.ParseFolio(res.Folio, fixtures.Institution().FolioPrefix)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sample(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := fixtures.SampleData(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func search(t testing.TB, x *Index, q legajo.SearchQuery) *legajo.SearchResult {
	t.Helper()
	res, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

func folios(res *legajo.SearchResult) []string {
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Folio
	}
	return out
}

var tempRoot string

func TestMain(m *testing.M) {
	var err error
	tempRoot, err = os.MkdirTemp("", "legajo-search-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if worldVal != nil {
		worldVal.index.Close()
	}
	os.RemoveAll(tempRoot)
	os.Exit(code)
}

func osMkdirTemp() (string, error) { return os.MkdirTemp(tempRoot, "world-") }

func fmtAny(v any) string { return fmt.Sprint(v) }

// catchUp is the tests' legajo.Indexer: every filing is indexed before the
// Office returns, as a server's catch-up loop does a moment later.
type catchUp struct{ e *env }

func (c catchUp) Changed(legajo.Folio) {
	if err := c.e.index.CatchUp(context.Background()); err != nil {
		panic(err)
	}
}
