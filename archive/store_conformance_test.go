package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// testStore is the conformance suite every Store passes. newStore returns
// a fresh, empty Store for each subtest.
func testStore(t *testing.T, newStore func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("Derived", func(t *testing.T) {
		st := newStore(t)
		key := "documentos/SESVER-DA-DTI-OL-0042-2026/000000000001_dti.json"
		data := []byte(`{"entry":"cadenas/dti/000000000001.json"}`)
		if err := st.Create(ctx, key, data, CreateOptions{Derived: true}); err != nil {
			t.Fatal(err)
		}
		mustGet(t, st, key, data)
		if err := st.Create(ctx, key, []byte("x"), CreateOptions{Derived: true}); !errors.Is(err, legajo.ErrConflict) {
			t.Fatalf("second derived Create: %v, want ErrConflict", err)
		}
		mustGet(t, st, key, data)
	})

	t.Run("CreateGetStat", func(t *testing.T) {
		st := newStore(t)
		key := "expedientes/E-01/2026/03/20260314T101500.000Z_OL-0042-2026_ORIGINAL.pdf"
		data := []byte("%PDF-1.7 pretend")
		mustCreate(t, st, key, data)
		got, err := st.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("Get = %q, want %q", got, data)
		}
		info, err := st.Stat(ctx, key)
		if err != nil {
			t.Fatalf("Stat: %v", err)
		}
		if want := (ObjectInfo{Key: key, Size: int64(len(data))}); info != want {
			t.Fatalf("Stat = %+v, want %+v", info, want)
		}
	})

	t.Run("EmptyObject", func(t *testing.T) {
		st := newStore(t)
		mustCreate(t, st, "empty", nil)
		got, err := st.Get(ctx, "empty")
		if err != nil || len(got) != 0 {
			t.Fatalf("Get = %q, %v; want empty, nil", got, err)
		}
		if info, err := st.Stat(ctx, "empty"); err != nil || info.Size != 0 {
			t.Fatalf("Stat = %+v, %v; want size 0", info, err)
		}
	})

	t.Run("CreateExisting", func(t *testing.T) {
		st := newStore(t)
		key := "chain/E-01/000001.json"
		mustCreate(t, st, key, []byte("first"))
		err := st.Create(ctx, key, []byte("second, longer than the first"), CreateOptions{})
		if !errors.Is(err, legajo.ErrConflict) {
			t.Fatalf("second Create: %v, want ErrConflict", err)
		}
		mustGet(t, st, key, []byte("first"))
	})

	t.Run("ConcurrentCreate", func(t *testing.T) {
		st := newStore(t)
		const writers = 16
		key := "race/one-key"
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				<-start
				errs[i] = st.Create(ctx, key, fmt.Appendf(nil, "writer %02d", i), CreateOptions{})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("writers %d and %d both created %s", winner, i, key)
			case err == nil:
				winner = i
			case !errors.Is(err, legajo.ErrConflict):
				t.Errorf("writer %d: %v, want nil or ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no writer created %s", key)
		}
		mustGet(t, st, key, fmt.Appendf(nil, "writer %02d", winner))
	})

	t.Run("List", func(t *testing.T) {
		st := newStore(t)
		// Byte order across directory levels: '-' and '.' sort before '/',
		// '_' and letters after it.
		keys := []string{
			"list/a-c", "list/a/b", "list/a/b0/c", "list/a.d", "list/a0", "list/a_b",
			"list/A", "list/b/c/d/e", "list/b-", "list/z", "listx/q", "other/k",
		}
		for _, i := range []int{3, 0, 11, 7, 1, 9, 5, 2, 10, 4, 8, 6} { // not in order
			mustCreate(t, st, keys[i], []byte(keys[i]))
		}
		slices.Sort(keys)
		tests := []struct {
			name, prefix, startAfter string
		}{
			{"all", "", ""},
			{"dir", "list/", ""},
			{"partial segment", "list", ""},
			{"partial name", "list/a", ""},
			{"subdir", "list/a/", ""},
			{"deep", "list/b/c/", ""},
			{"after key", "list/", "list/a/b"},
			{"after non-key", "list/", "list/a/"},
			{"after dir name", "list/", "list/a/b0"},
			{"after prefix", "list/", "list/"},
			{"after before prefix", "list/", "a"},
			{"after all", "list/", "list/zz"},
			{"after dash", "", "list/a-c"},
			{"no match", "nothing/", ""},
			{"no match partial", "lisu", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var want []ObjectInfo
				for _, k := range keys {
					if strings.HasPrefix(k, tt.prefix) && k > tt.startAfter {
						want = append(want, ObjectInfo{Key: k, Size: int64(len(k))})
					}
				}
				got := list(t, st, tt.prefix, tt.startAfter)
				if !slices.Equal(got, want) {
					t.Errorf("List(%q, %q) =\n%v\nwant\n%v", tt.prefix, tt.startAfter, got, want)
				}
			})
		}
		t.Run("stop", func(t *testing.T) {
			stop := errors.New("enough")
			var seen []string
			err := st.List(ctx, "list/", "", func(o ObjectInfo) error {
				seen = append(seen, o.Key)
				if len(seen) == 3 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) {
				t.Fatalf("List returned %v, want fn's error", err)
			}
			if len(seen) != 3 {
				t.Fatalf("fn called %d times after it stopped the walk, want 3", len(seen))
			}
		})
	})

	t.Run("NotFound", func(t *testing.T) {
		st := newStore(t)
		mustCreate(t, st, "dir/file", []byte("x"))
		for _, key := range []string{"missing", "dir", "dir/missing", "dir/file/below"} {
			if _, err := st.Get(ctx, key); !errors.Is(err, legajo.ErrNotFound) {
				t.Errorf("Get(%q): %v, want ErrNotFound", key, err)
			}
			if _, err := st.Stat(ctx, key); !errors.Is(err, legajo.ErrNotFound) {
				t.Errorf("Stat(%q): %v, want ErrNotFound", key, err)
			}
		}
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		st := newStore(t)
		bad := []string{
			"", "/abs", "trailing/", "a//b", "..", "a/../b", "a/./b", ".hidden", "a/.tmp/x",
			"space here", "acentuación", "back\\slash", "q?x", "pct%20", "nul\x00",
			strings.Repeat("k", maxKeyLen+1),
		}
		for _, key := range bad {
			if err := st.Create(ctx, key, []byte("x"), CreateOptions{}); !errors.Is(err, legajo.ErrInvalid) {
				t.Errorf("Create(%q): %v, want ErrInvalid", key, err)
			}
			if _, err := st.Get(ctx, key); !errors.Is(err, legajo.ErrInvalid) {
				t.Errorf("Get(%q): %v, want ErrInvalid", key, err)
			}
			if _, err := st.Stat(ctx, key); !errors.Is(err, legajo.ErrInvalid) {
				t.Errorf("Stat(%q): %v, want ErrInvalid", key, err)
			}
		}
		for _, prefix := range []string{"/", "/a", "a//", "../", "a/..", "x y"} {
			err := st.List(ctx, prefix, "", func(ObjectInfo) error { return nil })
			if !errors.Is(err, legajo.ErrInvalid) {
				t.Errorf("List(%q): %v, want ErrInvalid", prefix, err)
			}
		}
		// Nothing was written.
		if got := list(t, st, "", ""); len(got) != 0 {
			t.Errorf("store holds %v after invalid writes", got)
		}
		// A long valid key is fine.
		long := strings.Repeat("k", 200) + "/" + strings.Repeat("k", 200)
		mustCreate(t, st, long, []byte("x"))
	})

	t.Run("LargeObject", func(t *testing.T) {
		// 5 MiB: must go up in one conditional PUT, not a multipart upload
		// that would drop the condition.
		st := newStore(t)
		data := make([]byte, 5<<20)
		rand.Read(data)
		key := "large/scan.pdf"
		mustCreate(t, st, key, data)
		if info, err := st.Stat(ctx, key); err != nil || info.Size != int64(len(data)) {
			t.Fatalf("Stat = %+v, %v; want size %d", info, err, len(data))
		}
		other := bytes.Repeat([]byte{'x'}, len(data))
		if err := st.Create(ctx, key, other, CreateOptions{}); !errors.Is(err, legajo.ErrConflict) {
			t.Fatalf("second Create of a 5 MiB object: %v, want ErrConflict", err)
		}
		mustGet(t, st, key, data)
	})

	t.Run("CanceledContext", func(t *testing.T) {
		st := newStore(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := st.Create(cctx, "canceled", []byte("x"), CreateOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Create with a canceled context: %v, want context.Canceled", err)
		}
		if _, err := st.Stat(ctx, "canceled"); !errors.Is(err, legajo.ErrNotFound) {
			t.Fatalf("Stat after canceled Create: %v, want ErrNotFound", err)
		}
	})

	t.Run("RetainUntilWithoutLocking", func(t *testing.T) {
		st := newStore(t)
		if st.Locking() {
			t.Skip("store has Object Lock; see the backend's own test")
		}
		opts := CreateOptions{ContentType: "application/pdf", RetainUntil: time.Now().Add(-time.Hour)}
		if err := st.Create(ctx, "kept", []byte("x"), opts); err != nil {
			t.Fatalf("Create with RetainUntil on a store without locking: %v", err)
		}
	})
}

func mustCreate(t testing.TB, st Store, key string, data []byte) {
	t.Helper()
	if err := st.Create(context.Background(), key, data, CreateOptions{}); err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
}

func mustGet(t testing.TB, st Store, key string, want []byte) {
	t.Helper()
	got, err := st.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %.20q…, want %d bytes %.20q…", key, len(got), got, len(want), want)
	}
}

func list(t testing.TB, st Store, prefix, startAfter string) []ObjectInfo {
	t.Helper()
	var got []ObjectInfo
	err := st.List(context.Background(), prefix, startAfter, func(o ObjectInfo) error {
		got = append(got, o)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q, %q): %v", prefix, startAfter, err)
	}
	return got
}

func TestFSStore(t *testing.T) {
	testStore(t, func(t *testing.T) Store { return newFSStore(t) })
}

func TestS3Store(t *testing.T) {
	testStore(t, func(t *testing.T) Store { return newS3Store(t, S3Config{}) })
}
