package archive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// A follower reads new entries by key and stops at a missing one; listing
// goes past it. Entry 2 of 4 is removed by hand, as tampering would.
func TestEntriesAfter(t *testing.T) {
	ctx := context.Background()
	dir, o, a := newFSOffice(t)
	for range 4 {
		if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion")}); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(read func(context.Context, string, int64, func(legajo.Entry) error) error, after int64) []int64 {
		t.Helper()
		var out []int64
		if err := read(ctx, "dti", after, func(e legajo.Entry) error { out = append(out, e.Seq); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := seqs(a.EntriesAfter, 1); !slices.Equal(got, []int64{2, 3, 4}) {
		t.Errorf("EntriesAfter(1) = %v, want [2 3 4]", got)
	}
	if got := seqs(a.EntriesAfter, 4); len(got) != 0 {
		t.Errorf("EntriesAfter(4) = %v, want none", got)
	}
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(chainKey("dti", 2)))); err != nil {
		t.Fatal(err)
	}
	if got := seqs(a.EntriesAfter, 1); len(got) != 0 {
		t.Errorf("EntriesAfter(1) past a missing entry 2 = %v, want none", got)
	}
	if got := seqs(a.ListEntriesAfter, 0); !slices.Equal(got, []int64{1, 3, 4}) {
		t.Errorf("ListEntriesAfter(0) = %v, want [1 3 4]", got)
	}
	if got := seqs(a.ListEntriesAfter, 3); !slices.Equal(got, []int64{4}) {
		t.Errorf("ListEntriesAfter(3) = %v, want [4]", got)
	}
	if err := a.EntriesAfter(ctx, "no-existe", 0, func(legajo.Entry) error { return nil }); err == nil {
		t.Error("EntriesAfter of an unknown expediente: no error")
	}
}

// Appends on fs are staged in parallel and linked in order. Two Archives
// on one directory (two processes) append to one chain at once, so places
// handed out turn out taken and every appender after them moves: the chain
// must come out whole, each entry once, each linked to the one before.
func TestAppendStagedRaces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	exp := legajo.DefaultExpedientes()[0]
	var archives []*Archive
	for range 2 {
		st, err := OpenFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		a, err := New(st, legajo.DefaultExpedientes())
		if err != nil {
			t.Fatal(err)
		}
		archives = append(archives, a)
	}
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, a := range archives {
		for n := range each {
			wg.Go(func() {
				e := legajo.Entry{Expediente: exp.ID, Event: legajo.EventAnulado, Folio: fmt.Sprintf("P%d-%02d", i, n),
					At: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
				errs <- a.appendEntry(ctx, exp, &e)
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	prev := ""
	var n int64
	err := archives[0].ListEntriesAfter(ctx, exp.ID, 0, func(e legajo.Entry) error {
		n++
		if e.Seq != n || e.Prev != prev || seen[e.Folio] {
			t.Errorf("entry %d: seq %d, prev %.8s (want %.8s), %s seen before: %v", n, e.Seq, e.Prev, prev, e.Folio, seen[e.Folio])
		}
		seen[e.Folio], prev = true, e.Hash
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2*each {
		t.Errorf("%d entries, want %d", n, 2*each)
	}
}
