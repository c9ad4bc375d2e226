package archive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

func newFSStore(t testing.TB) *FSStore {
	t.Helper()
	st, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatalf("OpenFS: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestFSStoreFiles(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	if st.Locking() {
		t.Error("fs store claims to lock objects")
	}
	mustCreate(t, st, "a/b/c.pdf", []byte("pdf"))

	// The object is a plain read-only file at the path of its key.
	info, err := os.Stat(filepath.Join(st.dir, "a", "b", "c.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o444 {
		t.Errorf("object mode %v, want read-only", perm)
	}
	// No temporary file is left behind, after success or conflict.
	if err := st.Create(ctx, "a/b/c.pdf", []byte("again"), CreateOptions{}); !errors.Is(err, legajo.ErrConflict) {
		t.Fatalf("second Create: %v", err)
	}
	if tmp, _ := os.ReadDir(st.tmp); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// A key cannot be both an object and a directory of other objects on fs;
// the second Create is a conflict, never an overwrite.
func TestFSStoreKeyUnderObject(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	mustCreate(t, st, "x/obj", []byte("1"))
	if err := st.Create(ctx, "x/obj/below", []byte("2"), CreateOptions{}); !errors.Is(err, legajo.ErrConflict) {
		t.Errorf("Create under an object: %v, want ErrConflict", err)
	}
	mustCreate(t, st, "y/dir/obj", []byte("3"))
	if err := st.Create(ctx, "y/dir", []byte("4"), CreateOptions{}); !errors.Is(err, legajo.ErrConflict) {
		t.Errorf("Create over a directory: %v, want ErrConflict", err)
	}
	mustGet(t, st, "x/obj", []byte("1"))
}

// OpenFS removes temporary files left by a crash, but only old ones: a
// younger one may belong to another process writing right now.
func TestOpenFSRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenFS(dir); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, fsTempDir, "obj-stale")
	fresh := filepath.Join(dir, fsTempDir, "obj-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * fsStaleTemp)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	st, err := OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary file removed: %v", err)
	}
	if got := list(t, st, "", ""); len(got) != 0 {
		t.Errorf("temporary files listed as objects: %v", got)
	}
}
