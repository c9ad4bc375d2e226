package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// Two processes share one store, each with a running sealer, and file at
// once: every entry ends up in the log exactly once, within a few seconds,
// and the log verifies.
func TestSealersRace(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var archives []*Archive
		var offices []*legajo.Office
		var wg sync.WaitGroup
		for range 2 {
			o, a := newOffice(t, st)
			a.UseKey(testSigner())
			archives, offices = append(archives, a), append(offices, o)
			wg.Go(func() { a.RunSealer(ctx, func(err error) { t.Errorf("sealer: %v", err) }) })
		}
		var mu sync.Mutex
		var keys []string
		var emits sync.WaitGroup
		for i := range 8 {
			emits.Go(func() {
				o := offices[i%2]
				res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
				if err != nil {
					t.Error(err)
					return
				}
				f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
				rec, err := o.Archive.Record(ctx, f)
				if err != nil {
					t.Error(err)
					return
				}
				e, _ := rec.Emitted()
				mu.Lock()
				keys = append(keys, e.Key)
				mu.Unlock()
			})
		}
		emits.Wait()
		deadline := time.Now().Add(10 * time.Second)
		for _, key := range keys {
			for {
				_, err := archives[0].Inclusion(ctx, key)
				if err == nil {
					break
				}
				if !errors.Is(err, legajo.ErrNotFound) || time.Now().After(deadline) {
					t.Fatalf("%s not sealed: %v", key, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		cancel()
		wg.Wait()
		a, _ := New(st, legajo.DefaultExpedientes())
		a.Trust(&testSigner().Verifier)
		vs, err := a.VerifyAll(context.Background(), AuditOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if !v.OK() {
				t.Errorf("%s: %+v", v.Expediente, v.Findings)
			}
			if v.Expediente == "registro" && v.Entries != 8 {
				t.Errorf("the log has %d leaves, want 8", v.Entries)
			}
		}
	})
}

// An archive filed before it had a key: the first lote adopts its
// unsigned entries, and verify accepts them; an unsigned entry appended
// after that is never sealed and is reported.
func TestLegacyAdoption(t *testing.T) {
	ctx := context.Background()
	_, o, a := newFSOffice(t)
	for range 2 {
		if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"}); err != nil {
			t.Fatal(err)
		}
	}
	a.UseKey(testSigner())
	if n, err := a.Seal(ctx, true); err != nil || n != 2 {
		t.Fatalf("adoption sealed %d, %v; want 2", n, err)
	}
	// Someone without the key appends an unsigned entry, well linked.
	a2, _ := New(a.st, legajo.DefaultExpedientes())
	if _, err := (&legajo.Office{Catalog: o.Catalog, Archive: a2, Renderer: o.Renderer, Institution: o.Institution,
		Directory: o.Directory, Now: o.Now}).Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "eva"}); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Seal(ctx, true); err != nil || n != 0 {
		t.Fatalf("the unsigned entry was sealed: %d, %v", n, err)
	}
	v := verifyFresh(t, a.st)
	got := map[string][]string{}
	for _, x := range v {
		for _, f := range x.Findings {
			got[f.Key] = append(got[f.Key], f.Problem)
		}
	}
	if len(got) != 1 || !contains(got[chainKey("dti", 3)], "sin firma") {
		t.Errorf("findings %v; want only entry 3 unsigned", got)
	}
}

// verifyFresh verifies st as a fresh process with the public key.
func verifyFresh(t *testing.T, st Store) []legajo.Verification {
	t.Helper()
	a, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	a.Trust(&testSigner().Verifier)
	vs, err := a.VerifyAll(context.Background(), AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// verify while clerks file, with a sealer running, finds nothing wrong:
// objects of filings still running, entries not yet sealed and folios
// claimed but not yet committed are left alone.
func TestVerifyWhileFiling(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		o, a := newOffice(t, st)
		o.Now = time.Now // filings are recent, as in a live system
		a.UseKey(testSigner())
		var wg sync.WaitGroup
		wg.Go(func() { a.RunSealer(ctx, func(err error) { t.Errorf("sealer: %v", err) }) })
		var filed atomic.Int64
		for range 4 {
			wg.Go(func() {
				for ctx.Err() == nil {
					if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"}); err != nil {
						if ctx.Err() == nil {
							t.Error(err)
						}
						return
					}
					filed.Add(1)
				}
			})
		}
		for filed.Load() < 4 {
			time.Sleep(20 * time.Millisecond)
		}
		// Verify over and over while at least eight more are filed.
		until := filed.Load() + 8
		for round := 0; round < 3 || filed.Load() < until; round++ {
			for _, v := range verifyFresh(t, st) {
				if !v.OK() {
					t.Errorf("round %d, %s: %d findings while filing: %+v", round, v.Expediente, len(v.Findings), v.Findings)
				}
			}
		}
		cancel()
		wg.Wait()
	})
}

// A process that filed and died before sealing: another process's sealer
// takes its entries over.
func TestSealerTakesOver(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	o, dead := newOffice(t, st)
	dead.UseKey(testSigner())
	var keys []string
	for range 3 {
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		rec, _ := o.Archive.Record(ctx, f)
		e, _ := rec.Emitted()
		keys = append(keys, e.Key)
	}
	_, live := newOffice(t, st)
	live.UseKey(testSigner())
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { live.RunSealer(sctx, func(err error) { t.Errorf("sealer: %v", err) }) })
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(takeover + 5*time.Second)
	for _, key := range keys {
		for {
			if _, err := live.Inclusion(ctx, key); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s was never sealed by the live process", key)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// listCounter counts the chain entries a store's listings return.
type listCounter struct {
	Store
	listed atomic.Int64 // chain entries listed
	calls  atomic.Int64 // lists of any prefix
}

func (c *listCounter) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	c.calls.Add(1)
	return c.Store.List(ctx, prefix, startAfter, func(o ObjectInfo) error {
		if strings.HasPrefix(o.Key, chainRoot) {
			c.listed.Add(1)
		}
		return fn(o)
	})
}

// A process that starts on a sealed archive finds a chain's head by
// probing keys from the last entry the log sealed, without listing the
// chain: after the entries appended since the seal, and with nothing after
// it. Every append lands right after the true head.
func TestHeadAfterSealed(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		a.UseKey(testSigner())
		emit := func(o *legajo.Office) legajo.Entry {
			t.Helper()
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
			if err != nil {
				t.Fatal(err)
			}
			f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
			rec, err := o.Archive.Record(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			e, _ := rec.Emitted()
			return e
		}
		for range 6 {
			emit(o)
		}
		if _, err := a.Seal(ctx, false); err != nil {
			t.Fatal(err)
		}
		last := emit(o) // appended after the seal: not in the log
		// A new process on the same store, its log loaded as serve does.
		restart := func() (*legajo.Office, *listCounter) {
			t.Helper()
			c := &listCounter{Store: st}
			o2, a2 := newOffice(t, c)
			a2.UseKey(testSigner())
			if err := a2.LoadProofs(ctx); err != nil {
				t.Fatal(err)
			}
			c.listed.Store(0)
			return o2, c
		}
		o2, c := restart()
		next := emit(o2)
		if next.Expediente != last.Expediente || next.Seq != last.Seq+1 || next.Prev != last.Hash {
			t.Fatalf("appended %s seq %d after %s, want seq %d after the head %s", next.Key, next.Seq, next.Prev, last.Seq+1, last.Hash)
		}
		// The head was found by probing keys from the sealed head: no
		// chain was listed.
		if n := c.listed.Load(); n != 0 {
			t.Errorf("the first emission listed %d chain entries, want none", n)
		}
		if _, err := a.Seal(ctx, true); err != nil {
			t.Fatal(err)
		}
		o3, _ := restart()
		if e := emit(o3); e.Seq != next.Seq+1 || e.Prev != next.Hash {
			t.Fatalf("with nothing after the sealed head: seq %d after %s, want %d after %s", e.Seq, e.Prev, next.Seq+1, next.Hash)
		}
	})
}

// loteReads counts the reads of lotes.
type loteReads struct {
	Store
	n atomic.Int64
}

func (c *loteReads) Get(ctx context.Context, key string) ([]byte, error) {
	if strings.HasPrefix(key, loteRoot) {
		c.n.Add(1)
	}
	return c.Store.Get(ctx, key)
}

// Proving entries the log already holds reads no lote (a document page does
// not wait for storage under the log's lock); an entry another process
// sealed meanwhile is found by reading the lotes it lacks.
func TestInclusionsReadLotesOnlyWhenNeeded(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		a.UseKey(testSigner())
		emit := func() string {
			t.Helper()
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: "minuta", Data: sample(t, "minuta"), Author: "ana"})
			if err != nil {
				t.Fatal(err)
			}
			f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
			rec, err := a.Record(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			e, _ := rec.Emitted()
			if _, err := a.Seal(ctx, true); err != nil {
				t.Fatal(err)
			}
			return e.Key
		}
		first := emit()
		c := &loteReads{Store: st}
		_, b := newOffice(t, c) // another process, the reader
		b.UseKey(testSigner())
		prove := func(key string) legajo.Inclusion {
			t.Helper()
			incs, err := b.Inclusions(ctx, []string{key})
			if err != nil || len(incs) != 1 {
				t.Fatal(incs, err)
			}
			return incs[0]
		}
		if inc := prove(first); inc.Index < 0 || !inc.Checked {
			t.Fatalf("first entry: %+v", inc)
		}
		c.n.Store(0)
		for range 3 {
			if inc := prove(first); inc.Index < 0 || !inc.Checked {
				t.Fatalf("first entry again: %+v", inc)
			}
		}
		if n := c.n.Load(); n != 0 {
			t.Errorf("proving a sealed entry the log holds read %d lotes, want 0", n)
		}
		second := emit() // sealed by the other process
		if inc := prove(second); inc.Index < 0 || !inc.Checked || inc.Size < 2 {
			t.Fatalf("entry sealed by another process: %+v", inc)
		}
		if c.n.Load() == 0 {
			t.Error("an entry sealed by another process was proven without reading its lote")
		}
	})
}

// findHead finds the last entry of chains of every length by probing, and
// lists a chain with a hole whole, so that an append never fills the hole
// or lands before the end.
func TestFindHeadProbes(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		for _, n := range []int64{0, 1, 2, 3, 7, 8, 9, 100} {
			exp := fmt.Sprintf("probe-%d", n)
			for seq := int64(1); seq <= n; seq++ {
				mustCreate(t, st, chainKey(exp, seq), []byte(fmt.Sprintf("entry %d", seq)))
			}
			c := &listCounter{Store: st}
			a, err := New(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			var h head
			if err := a.findHead(ctx, exp, &h); err != nil {
				t.Fatal(err)
			}
			if h.seq != n {
				t.Errorf("chain of %d entries: head %d", n, h.seq)
			}
			if n > 0 && c.calls.Load() != 0 {
				t.Errorf("chain of %d entries: listed %d times", n, c.calls.Load())
			}
		}
		// Entries 1–47 and 49–50: 48 is gone, where the probe's halving
		// looks (32 exists, 64 not, 48 not, then 40, 44, 46, 47 exist).
		exp := "probe-hole"
		for seq := int64(1); seq <= 50; seq++ {
			if seq != 48 {
				mustCreate(t, st, chainKey(exp, seq), []byte(fmt.Sprintf("entry %d", seq)))
			}
		}
		a, err := New(st, nil)
		if err != nil {
			t.Fatal(err)
		}
		var h head
		if err := a.findHead(ctx, exp, &h); err != nil {
			t.Fatal(err)
		}
		if h.seq != 50 {
			t.Errorf("chain with a hole at 48: head %d, want 50", h.seq)
		}
	})
}
