package archive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// keyLog notes the keys read through it. Once waiting is set, a listing
// of a document's pointers waits (up to 10 s) for a read to have started
// since, or to start beside it, and notes whether one did.
type keyLog struct {
	Store
	mu      sync.Mutex
	gets    []string
	waiting bool
	started chan struct{} // closed by the first read while waiting
	began   bool          // started is closed
	listed  bool          // a listing has waited
	beside  bool          // a read started while a listing waited
}

func (l *keyLog) Get(ctx context.Context, key string) ([]byte, error) {
	l.mu.Lock()
	l.gets = append(l.gets, key)
	if l.waiting && !l.began {
		l.began = true
		close(l.started)
	}
	l.mu.Unlock()
	return l.Store.Get(ctx, key)
}

func (l *keyLog) List(ctx context.Context, prefix, after string, fn func(ObjectInfo) error) error {
	l.mu.Lock()
	wait, started := l.waiting && !l.listed, l.started
	l.listed = true
	l.mu.Unlock()
	if wait && strings.HasPrefix(prefix, docRoot) {
		select {
		case <-started:
			l.mu.Lock()
			l.beside = true
			l.mu.Unlock()
		case <-time.After(10 * time.Second):
		}
	}
	return l.Store.List(ctx, prefix, after, fn)
}

// expect arms the next listing to wait for a read, and forgets the keys
// read so far.
func (l *keyLog) expect() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gets, l.waiting, l.started, l.began, l.listed, l.beside = nil, true, make(chan struct{}), false, false, false
}

// forget forgets the keys read so far; listings do not wait.
func (l *keyLog) forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gets, l.waiting, l.beside = nil, false, false
}

func (l *keyLog) read() (keys []string, beside bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.gets), l.beside
}

// recordText is what a record says, in one string to compare: its entries
// and what was read of each object.
func recordText(rec *legajo.Record) string {
	var b strings.Builder
	for _, e := range rec.Entries {
		fmt.Fprintf(&b, "%s %s %s\n", e.Key, e.Event, e.Hash)
	}
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range rec.Read {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "%s %+v\n", k, rec.Read[k])
	}
	fmt.Fprintf(&b, "%d manifests, status %s\n", len(rec.Manifests), rec.Status)
	return b.String()
}

// TestRecordLayout reads a record again through an archive that remembers
// the keys it was read from: the remembered keys are read while the
// pointers are listed, each key once, and what the record says is what an
// archive that never read it says, after a new event, a forged file, a
// removed file and a removed pointer.
func TestRecordLayout(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, _ := newOffice(t, st)
		folio := emitOne(t, o)
		lg := &keyLog{Store: st}
		reader, err := New(lg, legajo.DefaultExpedientes())
		if err != nil {
			t.Fatal(err)
		}
		// fresh is what a process that never read the folio reads.
		fresh := func() string {
			t.Helper()
			a, err := New(st, legajo.DefaultExpedientes())
			if err != nil {
				t.Fatal(err)
			}
			rec, err := a.RecordWithObjects(ctx, folio)
			if err != nil {
				t.Fatal(err)
			}
			return recordText(rec)
		}
		again := func(what string) (keys []string) {
			t.Helper()
			lg.expect()
			rec, err := reader.RecordWithObjects(ctx, folio)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got, want := recordText(rec), fresh(); got != want {
				t.Errorf("%s: the record read again says\n%s\na fresh read says\n%s", what, got, want)
			}
			keys, beside := lg.read()
			if !beside {
				t.Errorf("%s: nothing was read while the pointers were listed", what)
			}
			for i, k := range keys {
				if slices.Contains(keys[:i], k) {
					t.Errorf("%s: %s read twice", what, k)
				}
			}
			return keys
		}

		// The first read has nothing to guess from.
		lg.forget()
		if _, err := reader.RecordWithObjects(ctx, folio); err != nil {
			t.Fatal(err)
		}
		first, beside := lg.read()
		if beside {
			t.Error("the first read of a folio read something while its pointers were listed")
		}
		if keys := again("unchanged"); !sameKeys(keys, first) {
			t.Errorf("read again, unchanged: %v; the first read: %v", keys, first)
		}

		// Another process files the acuse: its pointer, entry and files
		// are read after the guess.
		acuse, err := o.Acuse(ctx, folio, pdfScan(t), "acuse.pdf", "ana")
		if err != nil {
			t.Fatal(err)
		}
		keys := again("after the acuse")
		for _, k := range []string{pointerKey(acuse), acuse.Key, acuse.Objects[0].Key} {
			if !slices.Contains(keys, k) {
				t.Errorf("after the acuse, %s was not read (read: %v)", k, keys)
			}
		}

		// Someone with write access forges the copy, removes the acuse's
		// scan, then the acuse's pointer.
		emitted, _ := func() (legajo.Entry, bool) {
			rec, err := reader.Record(ctx, folio)
			if err != nil {
				t.Fatal(err)
			}
			return rec.Emitted()
		}()
		var copia string
		for _, obj := range emitted.Objects {
			if obj.Kind == "pdf" && obj.Tanto == "COPIA" {
				copia = obj.Key
			}
		}
		tm := tampererOf(t, unwrap(st))
		tm.put(t, copia, []byte("%PDF-1.4 otro documento"))
		tm.remove(t, acuse.Objects[0].Key)
		keys = again("forged and removed")
		rec, _ := reader.RecordWithObjects(ctx, folio)
		if got := rec.Read[copia]; got.SHA256 == "" || got.SHA256 == emittedSHA(emitted, copia) {
			t.Errorf("the forged copy was read as %+v", got)
		}
		if got := rec.Read[acuse.Objects[0].Key]; !got.Missing {
			t.Errorf("the removed scan was read as %+v", got)
		}
		if !slices.Contains(keys, copia) {
			t.Errorf("the copy was not read again: %v", keys)
		}
		tm.remove(t, pointerKey(acuse))
		again("without the acuse's pointer")
		if rec, err := reader.RecordWithObjects(ctx, folio); err != nil || len(rec.Entries) != 1 {
			t.Errorf("without the acuse's pointer: %v, %d entries", err, len(rec.Entries))
		}
	})
}

func sameKeys(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(k string) bool { return !slices.Contains(b, k) })
}

func emittedSHA(e legajo.Entry, key string) string {
	for _, obj := range e.Objects {
		if obj.Key == key {
			return obj.SHA256
		}
	}
	return ""
}
