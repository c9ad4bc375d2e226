package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

// gatedLog is the archive's activity log with its first write held until
// release is closed.
type gatedLog struct {
	*archive.Archive
	once    sync.Once
	entered chan struct{} // closed when the first write begins
	release chan struct{}
	mu      sync.Mutex
	writes  []int // entries per LogAll
}

func (g *gatedLog) LogAll(ctx context.Context, acts []legajo.Activity) error {
	g.once.Do(func() {
		close(g.entered)
		<-g.release
	})
	g.mu.Lock()
	g.writes = append(g.writes, len(acts))
	g.mu.Unlock()
	return g.Archive.LogAll(ctx, acts)
}

func newActivityArchive(t *testing.T) (*archive.Archive, string) {
	t.Helper()
	dir := t.TempDir()
	st, err := archive.OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	return a, dir
}

// activityObjects counts the objects under actividad/ of the fs archive in dir.
func activityObjects(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "actividad"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func allActivities(t *testing.T, a legajo.ActivityLog) []legajo.Activity {
	t.Helper()
	var out []legajo.Activity
	if err := a.Activities(context.Background(), time.Time{}, time.Time{}, func(x legajo.Activity) error {
		out = append(out, x)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// What arrives while a write is in progress is written together, in one
// object, and every entry is there after flush, once.
func TestActivityWriterBatches(t *testing.T) {
	a, dir := newActivityArchive(t)
	g := &gatedLog{Archive: a, entered: make(chan struct{}), release: make(chan struct{})}
	w := newActivityWriter(g, slog.New(slog.NewTextHandler(testLog{t}, nil)))
	defer w.close()
	start := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	const n = 300
	w.add(legajo.Activity{At: start.Add(-time.Second), User: "primero", Action: "entrar"})
	<-g.entered // the writer is writing that one
	var wg sync.WaitGroup
	for i := range n - 1 {
		wg.Go(func() {
			w.add(legajo.Activity{At: start.Add(time.Duration(i) * time.Millisecond), User: fmt.Sprintf("u%03d", i), Action: "buscar", Object: "red"})
		})
	}
	wg.Wait() // all queued behind the write in progress
	close(g.release)
	w.flush(context.Background())
	got := allActivities(t, a)
	if len(got) != n {
		t.Fatalf("%d entries after flush, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, x := range got {
		if seen[x.User] {
			t.Fatalf("%s twice", x.User)
		}
		seen[x.User] = true
	}
	if len(g.writes) != 2 || g.writes[0] != 1 || g.writes[1] != n-1 {
		t.Errorf("writes of %v entries, want [1 %d]", g.writes, n-1)
	}
	if objs := activityObjects(t, dir); objs != 2 {
		t.Errorf("%d objects for %d entries, want 2", objs, n)
	}
}

// Close writes what is still queued; an entry added after it is written at
// once; flush after close returns.
func TestActivityWriterClose(t *testing.T) {
	a, _ := newActivityArchive(t)
	g := &gatedLog{Archive: a, entered: make(chan struct{}), release: make(chan struct{})}
	w := newActivityWriter(g, slog.New(slog.NewTextHandler(testLog{t}, nil)))
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	for i := range 5 {
		w.add(legajo.Activity{At: at.Add(time.Duration(i) * time.Second), User: "capturista", Action: "emitir", Object: fmt.Sprintf("OL/%04d/2026", i+1)})
	}
	close(g.release)
	w.close()
	if got := allActivities(t, a); len(got) != 5 {
		t.Fatalf("%d entries after close, want 5", len(got))
	}
	w.add(legajo.Activity{At: at.Add(time.Minute), User: "capturista", Action: "cancelar", Object: "OL/0001/2026"})
	w.flush(context.Background())
	got := allActivities(t, a)
	if len(got) != 6 || got[5].Action != "cancelar" {
		t.Fatalf("after a late entry: %+v", got)
	}
}

type failingLog struct{ legajo.ActivityLog }

func (failingLog) LogAll(context.Context, []legajo.Activity) error {
	return errors.New("el almacenamiento no responde")
}

// An entry the store refuses, even after trying again, is not lost without
// a trace: it goes to the server's log with what it said.
func TestActivityWriterStoreFails(t *testing.T) {
	defer func(d time.Duration) { activityRetry = d }(activityRetry)
	activityRetry = 200 * time.Millisecond
	a, _ := newActivityArchive(t)
	var buf bytes.Buffer
	var mu sync.Mutex
	w := newActivityWriter(failingLog{a}, slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil)))
	w.add(legajo.Activity{At: time.Now(), User: "auditor", Action: "exportar", Object: "bitacora-2026.xlsx"})
	w.close()
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	for _, want := range []string{"activity log", "el almacenamiento no responde", "user=auditor", "action=exportar", "bitacora-2026.xlsx"} {
		if !strings.Contains(out, want) {
			t.Errorf("server log lacks %q:\n%s", want, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
