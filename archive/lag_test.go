package archive

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// recorder is a StoreObserver that counts calls by operation and outcome.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
	errs  map[string]int
}

func (r *recorder) ObserveStore(op, backend string, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[op+" "+backend]++
	if err != nil {
		r.errs[op]++
	}
}

// TestBehindAndSealedHeads files through an observed Store: the wrapper
// changes nothing of what is filed (the fs staging included), the observer
// hears every kind of call, and Behind and SealedHeads tell exactly how far
// a position and the log are from each chain's end, on both backends.
func TestBehindAndSealedHeads(t *testing.T) {
	eachStore(t, func(t *testing.T, raw Store) {
		ctx := context.Background()
		rec := &recorder{calls: map[string]int{}, errs: map[string]int{}}
		backend := Backend(raw)
		st := Observe(raw, backend, rec)
		if Backend(st) != backend || (backend != "fs" && backend != "s3") {
			t.Fatalf("backend %q, through the wrapper %q", backend, Backend(st))
		}
		o, a := newOffice(t, st)
		a.UseKey(testSigner())
		if n, first, err := a.Behind(ctx, "dti", 0); err != nil || n != 0 || !first.IsZero() {
			t.Fatalf("empty chain: %d %v %v", n, first, err)
		}
		if heads, err := a.SealedHeads(ctx); err != nil || len(heads) != 0 {
			t.Fatalf("nothing sealed yet: %v %v", heads, err)
		}
		// 13 entries: not a power of two, so probing forward overshoots
		// and halving back must land on the end.
		const n = 13
		var at []time.Time
		for range n {
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
			if err != nil {
				t.Fatal(err)
			}
			at = append(at, res.Date)
		}
		for _, seq := range []int64{-1, 0, 1, 5, 12, 13, 20} {
			got, first, err := a.Behind(ctx, "dti", seq)
			want := int64(n) - max(seq, 0)
			if want < 0 {
				want = 0
			}
			if err != nil || got != want {
				t.Errorf("Behind(%d) = %d, %v; want %d", seq, got, err, want)
			}
			if want > 0 && !first.Equal(at[max(seq, 0)]) {
				t.Errorf("Behind(%d): first filed at %v, want %v", seq, first, at[max(seq, 0)])
			}
		}
		if _, _, err := a.Behind(ctx, "no-existe", 0); !errors.Is(err, legajo.ErrNotFound) {
			t.Errorf("unknown expediente: %v", err)
		}
		if heads, err := a.SealedHeads(ctx); err != nil || heads["dti"] != 0 {
			t.Fatalf("before sealing: %v %v", heads, err)
		}
		if _, err := a.Seal(ctx, true); err != nil {
			t.Fatal(err)
		}
		heads, err := a.SealedHeads(ctx)
		if err != nil || heads["dti"] != n {
			t.Fatalf("after sealing: %v %v, want dti at %d", heads, err, n)
		}
		if got, _, _ := a.Behind(ctx, "dti", heads["dti"]); got != 0 {
			t.Errorf("sealed everything, yet %d behind", got)
		}
		// Another process, without the key, does not seal.
		other, err := New(st, legajo.DefaultExpedientes())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.SealedHeads(ctx); !errors.Is(err, legajo.ErrNotFound) {
			t.Errorf("a process without the key: %v, want ErrNotFound", err)
		}
		if v := verifyFresh(t, raw); len(v) == 0 {
			t.Fatal("nothing verified")
		} else {
			for _, x := range v {
				if !x.OK() {
					t.Errorf("filed through the wrapper, %s does not verify: %+v", x.Expediente, x)
				}
			}
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		for _, op := range []string{OpGet, OpHead, OpList, OpPutIfAbsent} {
			if rec.calls[op+" "+backend] == 0 {
				t.Errorf("no %s observed on %s: %v", op, backend, rec.calls)
			}
		}
	})
}

// TestSealedHeadsWaitsOnlyItsContext: while a sealer holds the log (a lote
// waiting on storage), SealedHeads gives up when its context ends instead
// of holding a metrics scrape.
func TestSealedHeadsWaitsOnlyItsContext(t *testing.T) {
	_, a := newOffice(t, newFSStore(t))
	a.UseKey(testSigner())
	a.log.mu.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	_, err := a.SealedHeads(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 2*time.Second {
		t.Errorf("with the log held: %v after %v, want the context's deadline", err, time.Since(t0))
	}
	a.log.mu.Unlock()
	if heads, err := a.SealedHeads(context.Background()); err != nil || len(heads) != 0 {
		t.Errorf("once released: %v %v", heads, err)
	}
}
