package archive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// TestS3Frozen: a server that accepts connections and never answers makes
// every call fail with ErrUnavailable within its timeout, instead of
// hanging.
func TestS3Frozen(t *testing.T) {
	ctx := context.Background()
	cfg := s3TestConfig(t)
	server, err := url.Parse("http://" + cfg.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(server)
	var frozen atomic.Bool
	release := make(chan struct{})
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if frozen.Load() {
			select { // never answers
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(ps.Close)
	t.Cleanup(func() { close(release) })
	cfg.Endpoint, cfg.Timeout = strings.TrimPrefix(ps.URL, "http://"), time.Second
	st, err := OpenS3(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, "a/b.json", []byte("{}"), CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	frozen.Store(true)
	st.Close()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"get", func() error { _, err := st.Get(ctx, "a/b.json"); return err }},
		{"stat", func() error { _, err := st.Stat(ctx, "a/b.json"); return err }},
		{"create", func() error { return st.Create(ctx, "a/c.json", []byte("{}"), CreateOptions{}) }},
		{"list", func() error { return st.List(ctx, "a/", "", func(ObjectInfo) error { return nil }) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			err := c.call()
			if !errors.Is(err, legajo.ErrUnavailable) {
				t.Errorf("err = %v, want ErrUnavailable", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestS3Down: a server that is not there gives ErrUnavailable.
func TestS3Down(t *testing.T) {
	cfg := s3TestConfig(t)
	ps := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(ps.URL, "http://")
	ps.Close()
	cfg.Endpoint, cfg.Timeout = addr, time.Second
	_, err := OpenS3(context.Background(), cfg)
	if !errors.Is(err, legajo.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

// fullStore fails every Create as a full disk does, after its first n.
type fullStore struct {
	Store
	n atomic.Int64
}

func (s *fullStore) Create(ctx context.Context, key string, data []byte, opts CreateOptions) error {
	if s.n.Add(-1) < 0 {
		return createErr(key, fmt.Errorf("write: %w", syscall.ENOSPC))
	}
	return s.Store.Create(ctx, key, data, opts)
}

// TestDiskFull: ENOSPC is ErrFull, and an emission whose store fills up
// half way leaves no visible document.
func TestDiskFull(t *testing.T) {
	if err := createErr("k", syscall.ENOSPC); !errors.Is(err, legajo.ErrFull) {
		t.Fatalf("ENOSPC is %v, want ErrFull", err)
	}
	for n := range int64(6) {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			fs, err := OpenFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			st := &fullStore{Store: fs}
			st.n.Store(1 << 30)
			o, a := newOffice(t, st)
			st.n.Store(n)
			_, err = o.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
			if !errors.Is(err, legajo.ErrFull) {
				t.Fatalf("emit: %v, want ErrFull", err)
			}
			entries := 0
			err = a.Entries(context.Background(), "dti", time.Time{}, time.Time{}, func(legajo.Entry) error { entries++; return nil })
			if err != nil || entries != 0 {
				t.Errorf("after a failed emission: %d entries (%v)", entries, err)
			}
			// With room again, the next emission is filed whole.
			st.n.Store(1 << 30)
			if _, err := o.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"}); err != nil {
				t.Fatal(err)
			}
			entries = 0
			a.Entries(context.Background(), "dti", time.Time{}, time.Time{}, func(legajo.Entry) error { entries++; return nil })
			if entries != 1 {
				t.Errorf("after a good emission: %d entries, want 1", entries)
			}
		})
	}
}
