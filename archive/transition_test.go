package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

var cst = time.FixedZone("CST", -6*3600)

// emitOne issues an oficio de liberación (it waits for an acuse) and
// returns its folio.
func emitOne(t *testing.T, o *legajo.Office) legajo.Folio {
	t.Helper()
	res, err := o.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// count returns how many entries of rec record ev.
func count(rec *legajo.Record, ev legajo.EventKind) int {
	n := 0
	for _, e := range rec.Entries {
		if e.Event == ev {
			n++
		}
	}
	return n
}

// transitions are the status changes tested concurrently: each attempt by
// author returns the filing's error.
var transitions = []struct {
	name    string
	event   legajo.EventKind
	do      func(o *legajo.Office, f legajo.Folio, author string) error
	message string // the refusal, with %s for folio, date, time and author
}{
	{"cancelado", legajo.EventCancelado, func(o *legajo.Office, f legajo.Folio, author string) error {
		_, err := o.Cancel(context.Background(), f, "Se emitió con el nombre del sistema equivocado.", author)
		return err
	}, "El documento %s ya fue cancelado el %s a las %s por %s."},
	{"acuse", legajo.EventAcuse, func(o *legajo.Office, f legajo.Folio, author string) error {
		_, err := o.Acuse(context.Background(), f, []byte("%PDF-1.4\n% acuse de "+author+"\n%%EOF\n"), "acuse.pdf", author)
		return err
	}, "El documento %s ya tiene su acuse, registrado el %s a las %s por %s."},
}

// TestTransitionOnce makes several attempts at one status change of one
// document at once, from goroutines of one process and from several
// Archives on one store (as several processes would): exactly one is
// filed, and the others are told who made it and when, in Mexico's time.
func TestTransitionOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		for _, tr := range transitions {
			t.Run(tr.name, func(t *testing.T) {
				ctx := context.Background()
				c := &clock{}
				offices := make([]*legajo.Office, 3)
				for i := range offices {
					offices[i], _ = newOffice(t, st)
					offices[i].Now, offices[i].Zone = c.now, cst
				}
				folio := emitOne(t, offices[0])
				const perOffice = 2
				errs := make([]error, len(offices)*perOffice)
				var wg sync.WaitGroup
				for i := range errs {
					wg.Go(func() { errs[i] = tr.do(offices[i/perOffice], folio, fmt.Sprintf("clerk%d", i)) })
				}
				wg.Wait()
				winner := -1
				for i, err := range errs {
					if err == nil {
						if winner >= 0 {
							t.Fatalf("attempts %d and %d were both filed", winner, i)
						}
						winner = i
					}
				}
				if winner < 0 {
					t.Fatalf("no attempt was filed: %v", errs)
				}
				_, a := newOffice(t, st)
				rec, err := a.Record(ctx, folio)
				if err != nil {
					t.Fatal(err)
				}
				if n := count(rec, tr.event); n != 1 {
					t.Fatalf("%d %s entries filed, want 1", n, tr.event)
				}
				var e legajo.Entry
				for _, x := range rec.Entries {
					if x.Event == tr.event {
						e = x
					}
				}
				if e.Author != fmt.Sprintf("clerk%d", winner) {
					t.Errorf("the entry is by %s, the attempt filed was clerk%d's", e.Author, winner)
				}
				at := e.At.In(cst)
				want := fmt.Sprintf(tr.message, folio, legajo.LongDate(at), at.Format("15:04"), e.Author)
				for i, err := range errs {
					if i == winner {
						continue
					}
					var te *legajo.TransitionError
					if !errors.Is(err, legajo.ErrConflict) || !errors.As(err, &te) || err.Error() != want {
						t.Errorf("attempt %d: %v\nwant %q", i, err, want)
					}
				}
				if !strings.Contains(want, "26 de noviembre de 2026 a las 03:0") {
					t.Errorf("the refusal does not give the time in Mexico: %s", want)
				}
				if v, err := a.Verify(ctx, "dti"); err != nil || !v.OK() {
					t.Errorf("verify: %v %+v", err, v.Findings)
				}
			})
		}
	})
}

// TestTransitionOrder: a cancelled document takes no acuse, even one whose
// cancellation is still being filed; an acused one may be cancelled once.
func TestTransitionOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		o.Zone = cst
		cancel, acuse := transitions[0].do, transitions[1].do

		f := emitOne(t, o)
		if err := cancel(o, f, "ana"); err != nil {
			t.Fatal(err)
		}
		err := acuse(o, f, "beto")
		if !errors.Is(err, legajo.ErrConflict) || !regexp.MustCompile(`^El documento .* fue cancelado el 26 de noviembre de 2026 a las \d\d:\d\d por ana; no admite acuse\.$`).MatchString(err.Error()) {
			t.Errorf("acuse after the cancellation: %v", err)
		}

		// Another process is filing the cancellation: its transition is
		// taken, its entry not yet appended, so the record is still pending.
		f = emitOne(t, o)
		tr := transition{Event: legajo.EventCancelado, Author: "carla", At: o.Now().UTC(), Expediente: "dti", Nonce: "otro"}
		if err := a.transit(ctx, f, tr, nil); err != nil {
			t.Fatal(err)
		}
		if rec, _ := a.Record(ctx, f); rec.Status != legajo.StatusPendiente {
			t.Fatalf("status %s", rec.Status)
		}
		if err := acuse(o, f, "beto"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "por carla; no admite acuse") {
			t.Errorf("acuse during a cancellation: %v", err)
		}

		f = emitOne(t, o)
		if err := acuse(o, f, "beto"); err != nil {
			t.Fatal(err)
		}
		if err := cancel(o, f, "ana"); err != nil {
			t.Errorf("cancellation after the acuse: %v", err)
		}
		if err := cancel(o, f, "ana"); !errors.Is(err, legajo.ErrConflict) {
			t.Errorf("second cancellation: %v", err)
		}
		rec, _ := a.Record(ctx, f)
		if rec.Status != legajo.StatusCancelado || count(rec, legajo.EventAcuse) != 1 || count(rec, legajo.EventCancelado) != 1 {
			t.Errorf("status %s with entries %+v", rec.Status, rec.Entries)
		}
	})
}

// breakingStore fails the Creates of keys under prefix while armed, as if
// the process died right before them.
type breakingStore struct {
	Store
	prefix string
	armed  atomic.Bool
}

func (b *breakingStore) Create(ctx context.Context, key string, data []byte, o CreateOptions) error {
	if b.armed.Load() && strings.HasPrefix(key, b.prefix) {
		return errInjected
	}
	return b.Store.Create(ctx, key, data, o)
}

// TestTransitionAbandoned: a transition whose filing died before its chain
// entry holds for staleAfter (the filing might still be running), then
// the next attempt takes <transition>-2. One that was filed holds forever,
// even when its folio pointer was lost.
func TestTransitionAbandoned(t *testing.T) {
	for _, tr := range transitions {
		for _, broken := range []string{chainRoot, docRoot} {
			t.Run(tr.name+"/"+strings.TrimSuffix(broken, "/"), func(t *testing.T) {
				ctx := context.Background()
				bs := &breakingStore{Store: newFSStore(t), prefix: broken}
				o, a := newOffice(t, bs)
				c := &clock{}
				o.Now = c.now
				f := emitOne(t, o)
				bs.armed.Store(true)
				err := tr.do(o, f, "ana")
				bs.armed.Store(false)
				committed := broken == docRoot // only the pointer was lost
				if (err == nil) != committed {
					t.Fatalf("first attempt: %v", err)
				}
				if err := tr.do(o, f, "beto"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "por ana") {
					t.Errorf("attempt right after: %v", err)
				}
				c.n.Add(int64(staleAfter / time.Second))
				err = tr.do(o, f, "beto")
				if committed {
					if !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "por ana") {
						t.Errorf("attempt after %v at a filed transition: %v", staleAfter, err)
					}
				} else if err != nil {
					t.Errorf("attempt after %v at an abandoned transition: %v", staleAfter, err)
				}
				if _, err := bs.Stat(ctx, stateKey(f, tr.event.Transition(), 2)); (err == nil) == committed {
					t.Errorf("%s-2: %v", tr.event.Transition(), err)
				}
				if err := tr.do(o, f, "carla"); !errors.Is(err, legajo.ErrConflict) {
					t.Errorf("attempt after the second: %v", err)
				}
				if _, err := a.Fsck(ctx, 0, c.now().Add(time.Hour), "fsck"); err != nil {
					t.Fatal(err)
				}
				rec, err := a.Record(ctx, f)
				if err != nil || count(rec, tr.event) != 1 {
					t.Errorf("record: %v %+v", err, rec)
				}
			})
		}
	}
}

// TestEmitLosesAltaToFsck: fsck (grace 0) annuls the folio of an emission
// whose files are stored and whose alta is not taken yet; the emission then
// fails with a clear error and files nothing, and its idempotency key
// tells retries so.
func TestEmitLosesAltaToFsck(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		hs := &hookStore{Store: st}
		o, a := newOffice(t, hs)
		o.Zone = cst
		_, fsckA := newOffice(t, st) // fsck in a process of its own
		var rep FsckReport
		var ferr error
		hs.before = func(key string, data []byte) {
			if strings.HasSuffix(key, "/alta") && strings.Contains(string(data), `"emitido"`) {
				rep, ferr = fsckA.Fsck(ctx, 0, o.Now(), "fsck")
			}
		}
		req := legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana", IdempotencyKey: "k1"}
		_, err := o.Emit(ctx, req)
		if ferr != nil {
			t.Fatal(ferr)
		}
		folio := "SESVER/DA/DTI/OL/0001/2026"
		if len(rep.Annulled) != 1 || rep.Annulled[0] != folio {
			t.Fatalf("fsck: %+v", rep)
		}
		re := regexp.MustCompile(`^El folio ` + folio + ` quedó anulado como emisión interrumpida el 26 de noviembre de 2026 a las 03:\d\d por fsck; el documento no se emitió`)
		if !errors.Is(err, legajo.ErrConflict) || !re.MatchString(err.Error()) {
			t.Fatalf("emission: %v", err)
		}
		f, _ := legajo.ParseFolio(folio, "SESVER/DA/DTI")
		rec, err := a.Record(ctx, f)
		if err != nil || rec.Status != legajo.StatusAnulado || len(rec.Entries) != 1 {
			t.Errorf("record: %v %+v", err, rec)
		}
		if _, err := o.Emit(ctx, req); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "use una clave nueva") {
			t.Errorf("retry with the key: %v", err)
		}
		hs.before = nil
		if _, err := a.Fsck(ctx, 0, o.Now().Add(time.Hour), "fsck"); err != nil {
			t.Fatal(err)
		}
		if v, err := a.Verify(ctx, "dti"); err != nil || !v.OK() {
			t.Errorf("verify: %v %+v", err, v.Findings)
		}
	})
}

// TestFsckLeavesCommittingEmission: fsck (grace 0) runs when an emission
// has taken its alta and not yet appended its entry: it leaves the folio
// alone, and the emission is filed.
func TestFsckLeavesCommittingEmission(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		hs := &hookStore{Store: st}
		o, a := newOffice(t, hs)
		_, fsckA := newOffice(t, st) // fsck in a process of its own
		var rep FsckReport
		var ferr error
		ran := false
		hs.before = func(key string, data []byte) {
			if strings.HasPrefix(key, chainRoot) && strings.Contains(string(data), `"emitido"`) && !ran {
				ran = true
				rep, ferr = fsckA.Fsck(ctx, 0, o.Now(), "fsck")
			}
		}
		f := emitOne(t, o)
		if ferr != nil || !ran {
			t.Fatalf("fsck: ran %v, %v", ran, ferr)
		}
		if len(rep.Annulled)+len(rep.Deleted) != 0 {
			t.Errorf("fsck during the commit: %+v", rep)
		}
		rec, err := a.Record(ctx, f)
		if err != nil || rec.Status != legajo.StatusPendiente || len(rec.Entries) != 1 {
			t.Errorf("record: %v %+v", err, rec)
		}
	})
}

// hookStore calls before ahead of each Create.
type hookStore struct {
	Store
	before func(key string, data []byte)
}

func (h *hookStore) Create(ctx context.Context, key string, data []byte, o CreateOptions) error {
	if h.before != nil {
		h.before(key, data)
	}
	return h.Store.Create(ctx, key, data, o)
}

// TestFsckWhileEmitting runs fsck with no grace in a loop while 8 clerks
// emit: no document that was issued is ever annulled, and the emissions
// that lost their folio to fsck say so.
func TestFsckWhileEmitting(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		o.Now = time.Now
		_, fsckA := newOffice(t, st) // fsck in a process of its own
		// The clerks stop by the clock, not when fsck does: on S3 an fsck
		// appending from another process can wait for them to pause.
		deadline := time.Now().Add(3 * time.Second)
		var mu sync.Mutex
		var issued []string
		lost := map[string]bool{} // folios whose emission lost its alta to fsck
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for time.Now().Before(deadline) {
					res, err := o.Emit(ctx, legajo.EmitRequest{Type: "minuta", Data: sample(t, "minuta"), Author: "ana"})
					mu.Lock()
					switch {
					case err == nil:
						issued = append(issued, res.Folio)
					case strings.Contains(err.Error(), "quedó anulado como emisión interrumpida"):
						f, _, _ := strings.Cut(strings.TrimPrefix(err.Error(), "El folio "), " ")
						lost[f] = true
					default:
						t.Error(err)
					}
					mu.Unlock()
				}
			})
		}
		runs := 0
		var annulled []string
		for time.Now().Before(deadline) {
			rep, err := fsckA.Fsck(ctx, 0, time.Now(), "fsck")
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Deleted) != 0 {
				t.Errorf("fsck while emitting reports deleted documents: %v", rep.Deleted)
			}
			annulled = append(annulled, rep.Annulled...)
			runs++
		}
		wg.Wait()
		if len(issued) < 8 || runs < 1 {
			t.Fatalf("%d documents issued, fsck ran %d times", len(issued), runs)
		}
		t.Logf("%d issued, %d lost their folio to fsck, fsck ran %d times and annulled %d", len(issued), len(lost), runs, len(annulled))
		// Every emission that lost its folio lost it to an annulment, and
		// each folio was annulled once. An annulled folio no emission
		// reports is one fsck took while its emission was still making
		// sure of the number (Archive.AllocateFolio looks for a document
		// under it): that emission moved on to the next number, and the
		// annulled one is accounted for; it must not be an issued folio
		// (checked below).
		once := map[string]bool{}
		for _, f := range annulled {
			if once[f] {
				t.Errorf("%s annulled twice", f)
			}
			once[f] = true
		}
		for f := range lost {
			if !once[f] {
				t.Errorf("the emission of %s lost its folio, but fsck did not annul it", f)
			}
		}
		for _, s := range issued {
			if once[s] {
				t.Errorf("issued folio %s is among the annulled", s)
			}
		}
		for _, s := range issued {
			f, _ := legajo.ParseFolio(s, "SESVER/DA/DTI")
			rec, err := a.Record(ctx, f)
			if err != nil {
				t.Errorf("%s: %v", s, err)
				continue
			}
			if rec.Status == legajo.StatusAnulado || count(rec, legajo.EventAnulado) != 0 {
				t.Errorf("issued document %s was annulled: %+v", s, rec.Entries)
			}
		}
		// The files of the documents being issued were left alone.
		discarded := map[string]bool{}
		a.Entries(ctx, "dti", time.Time{}, time.Time{}, func(e legajo.Entry) error {
			for _, obj := range e.Objects {
				discarded[obj.Key] = discarded[obj.Key] || e.Event == legajo.EventDescartado
			}
			return nil
		})
		for _, s := range issued {
			f, _ := legajo.ParseFolio(s, "SESVER/DA/DTI")
			rec, err := a.Record(ctx, f)
			if err != nil {
				continue // reported above
			}
			e, _ := rec.Emitted()
			for _, obj := range e.Objects {
				if discarded[obj.Key] {
					t.Errorf("%s, of issued document %s, is recorded as discarded", obj.Key, s)
				}
			}
		}
		rep, err := fsckA.Fsck(ctx, 0, time.Now().Add(time.Hour), "fsck")
		if err != nil || len(rep.Deleted) != 0 || len(rep.Discarded) == 0 && len(lost) > 0 {
			t.Errorf("last fsck: %v %+v", err, rep)
		}
		if v, err := a.Verify(ctx, "dti"); err != nil || !v.OK() {
			t.Errorf("verify: %v %+v", err, v.Findings)
		}
	})
}

// TestFsckReportsDeleted deletes a filed document behind Legajo's back:
// fsck reports it as deleted, again on every run, and never annuls it.
func TestFsckReportsDeleted(t *testing.T) {
	tests := []struct {
		name        string
		keepPointer bool
		keepFiles   bool
		cancel      bool
		// sealed: the archive keeps a signed log; its transition objects
		// are deleted too, so only the log remembers the document.
		sealed bool
	}{
		{name: "everything"},
		{name: "everything and its transitions, sealed", sealed: true},
		{name: "pointer left", keepPointer: true},
		{name: "files left, cancelled before", keepFiles: true, cancel: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir, o, a := newFSOffice(t)
			if tt.sealed {
				a.UseKey(testSigner())
			}
			emitOne(t, o)
			f := emitOne(t, o)
			if tt.cancel {
				if _, err := o.Cancel(ctx, f, "Se emitió con el nombre del sistema equivocado.", "ana"); err != nil {
					t.Fatal(err)
				}
			}
			rec, err := a.Record(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			rm := func(key string) {
				t.Helper()
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(key))); err != nil {
					t.Fatal(err)
				}
			}
			for _, e := range rec.Entries {
				rm(e.Key)
				if !tt.keepPointer {
					rm(pointerKey(e))
				}
				if !tt.keepFiles {
					for _, obj := range e.Objects {
						rm(obj.Key)
					}
				}
			}
			if tt.sealed {
				if _, err := a.Seal(ctx, true); err != nil {
					t.Fatal(err)
				}
				if err := os.RemoveAll(filepath.Join(dir, "estados", f.Slug())); err != nil {
					t.Fatal(err)
				}
			}
			a2, err := New(a.Store(), legajo.DefaultExpedientes()) // a process that starts afterwards
			if err != nil {
				t.Fatal(err)
			}
			if tt.sealed {
				a2.Trust(&testSigner().Verifier)
			}
			for run := range 2 {
				rep, err := a2.Fsck(ctx, 0, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "fsck")
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Deleted) != 1 || rep.Deleted[0] != f.String() || len(rep.Annulled) != 0 {
					t.Errorf("fsck run %d: %+v", run+1, rep)
				}
			}
			if rec, err := a2.Record(ctx, f); err == nil && count(rec, legajo.EventAnulado) != 0 {
				t.Errorf("the deleted document was annulled: %+v", rec.Entries)
			}
		})
	}
}

// TestAltaTaken: issuing and registering received correspondence each take
// their document's alta, which then refuses an annulment.
func TestAltaTaken(t *testing.T) {
	ctx := context.Background()
	o, a := newOffice(t, newFSStore(t))
	emitted := emitOne(t, o)
	res, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
		"tipo": "Tarjeta", "fecha_recepcion": "2026-11-25", "hora_recepcion": "09:15", "remitente": "Lic. Sofía Ramírez Mora",
		"cargo": "Jefa del Departamento de Adquisiciones", "area": "Departamento de Adquisiciones",
		"asunto": "Solicitud de restablecimiento de contraseña"}, Scan: pdfScan(t), ScanName: "tarjeta.pdf", Author: "beto"})
	if err != nil {
		t.Fatal(err)
	}
	received, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
	for _, tt := range []struct {
		folio  legajo.Folio
		event  legajo.EventKind
		author string
	}{{emitted, legajo.EventEmitido, "ana"}, {received, legajo.EventRecibido, "beto"}} {
		tr, err := a.readTransition(ctx, stateKey(tt.folio, "alta", 1))
		if err != nil || tr.Event != tt.event || tr.Author != tt.author {
			t.Errorf("%s: alta %+v, %v", tt.folio, tr, err)
		}
		annul := transition{Event: legajo.EventAnulado, Author: "fsck", At: o.Now().Add(time.Hour).UTC(), Expediente: tr.Expediente}
		err = a.transit(ctx, tt.folio, annul, nil)
		if !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "ya tiene documento, registrado el 26 de noviembre de 2026") {
			t.Errorf("%s: annulment: %v", tt.folio, err)
		}
	}
}
