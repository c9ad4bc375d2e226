package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// testProcedure is a small procedure with a decision, a wait and a plazo.
func testProcedures() *legajo.Procedures {
	p := &legajo.Procedimiento{ID: "prueba", Name: "Prueba", Section: "Sección de Sistemas", Objective: "Probar.", Frequency: "Eventual",
		Steps: []legajo.Step{
			{N: "1", Who: "Sección de Sistemas", Action: "Recibe.", Wait: "el área envía la información"},
			{N: "2", Who: "Sección de Sistemas", Action: "Decide.", Deadlines: []legajo.Deadline{{Hours: 24, Then: "Reenvía."}},
				Decision: &legajo.Decision{Question: "¿Procede?", Branches: []legajo.Branch{{Answer: "Sí", Goto: "3"}, {Answer: "No", Goto: "2A"}}}},
			{N: "2A", Who: "Sección de Sistemas", Action: "Informa.", End: true},
			{N: "3", Who: "Sección de Sistemas", Action: "Entrega.", End: true},
		}}
	if err := p.Check(nil); err != nil {
		panic(err)
	}
	return legajo.NewProcedures([]*legajo.Procedimiento{p})
}

func newCases(a *Archive, now func() time.Time) *legajo.Cases {
	return &legajo.Cases{Log: a, Procedures: testProcedures(), Calendar: &legajo.Calendar{}, Now: now}
}

func TestCaseNumbersGapFreeAcrossProcesses(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		var as []*Archive
		for range 2 { // two processes sharing the storage
			a, err := New(st, legajo.DefaultExpedientes())
			if err != nil {
				t.Fatal(err)
			}
			as = append(as, a)
		}
		const workers, each = 6, 5
		var mu sync.Mutex
		var got []int
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					f, err := as[w%2].AllocateCase(ctx, 2026, []byte(fmt.Sprintf("w%d-%d", w, i)))
					if err != nil {
						t.Error(err)
						return
					}
					if f.Serie != legajo.CaseSerie || f.Year != 2026 || f.Prefix != "" {
						t.Errorf("case number %+v", f)
					}
					mu.Lock()
					got = append(got, f.Number)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		sort.Ints(got)
		for i, n := range got {
			if n != i+1 {
				t.Fatalf("numbers %v: not 1..%d without gaps or repeats", got, workers*each)
			}
		}
		f, err := as[0].AllocateCase(ctx, 2027, []byte("next year"))
		if err != nil || f.String() != "TR/0001/2027" {
			t.Errorf("first case of 2027 = %s, %v", f, err)
		}
		// Folios of documents are a different series.
		doc, err := as[0].AllocateFolio(ctx, "SESVER/DA/DTI", "TR", 2026, []byte("a document serie TR"))
		if err != nil || doc.Number != 1 {
			t.Errorf("document folio TR = %s, %v; case numbers must not use it", doc, err)
		}
	})
}

func TestCaseEventsFiledOnceAndReplayed(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		now := func() time.Time { return clock }
		a1, _ := New(st, legajo.DefaultExpedientes())
		a2, _ := New(st, legajo.DefaultExpedientes())
		cs1, cs2 := newCases(a1, now), newCases(a2, now)
		for _, cs := range []*legajo.Cases{cs1, cs2} {
			if err := cs.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
		c, err := cs1.Open(ctx, legajo.OpenCaseRequest{Procedure: "prueba", Area: "Subdirección de Recursos Humanos", Subject: "Alta de sistema de incidencias", Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != "TR/0001/2026" || c.Step != "1" || c.Status != legajo.CaseAbierto || c.Section != "Sección de Sistemas" {
			t.Fatalf("opened %+v", c)
		}
		if err := cs2.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// Two people in two processes complete step 1 at the same moment:
		// one wins, the other is told and files nothing.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, cs := range []*legajo.Cases{cs1, cs2} {
			wg.Go(func() {
				_, errs[i] = cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "1", Author: fmt.Sprint("persona", i)})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, legajo.ErrConflict):
				t.Errorf("loser: %v, want ErrConflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d filings of the same event won, want 1 (%v)", won, errs)
		}
		for _, cs := range []*legajo.Cases{cs1, cs2} {
			if err := cs.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		}
		clock = clock.Add(time.Hour)
		if _, err := cs2.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseResumed, Author: "luis"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs2.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Section: "Sección de Sistemas", Assignee: "luis", Due: clock.Add(48 * time.Hour), Author: "ana"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs2.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseDecided, Step: "2", Answer: "Sí", Author: "luis"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs2.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "3", Author: "luis"}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs2.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseClosed, Author: "luis"}); err != nil {
			t.Fatal(err)
		}
		// A process started now rebuilds every case from the chain alone.
		a3, _ := New(st, legajo.DefaultExpedientes())
		cs3 := newCases(a3, now)
		if err := cs3.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if err := cs1.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		want, _ := cs2.Get(c.Number)
		for name, cs := range map[string]*legajo.Cases{"replayed": cs3, "followed": cs1} {
			got, err := cs.Get(c.Number)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCase(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Errorf("%s case differs:\n got %s\nwant %s", name, gj, wj)
			}
		}
		if want.Status != legajo.CaseCerrado || len(want.Events) != 7 || len(want.Steps) != 3 {
			t.Errorf("final case: status %s, %d events, %d steps", want.Status, len(want.Events), len(want.Steps))
		}
		// Every movement is a chain entry that verifies.
		v, err := a1.Verify(ctx, legajo.CaseExpediente)
		if err != nil || !v.OK() || v.Entries != 7 {
			t.Errorf("verify tramites: %d entries, %+v, %v", v.Entries, v.Findings, err)
		}
		rec, err := a1.Record(ctx, legajo.Folio{Serie: legajo.CaseSerie, Number: 1, Year: 2026})
		if err != nil || len(rec.Entries) != 7 {
			t.Errorf("record of the case: %v entries, %v", rec, err)
		}
	})
}

// sameCase compares cases as the API shows them.
func sameCase(a, b *legajo.Case) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestCaseEventAbandonedClaim(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	a, _ := New(st, legajo.DefaultExpedientes())
	clock := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	cs := newCases(a, func() time.Time { return clock })
	if err := cs.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := cs.Open(ctx, legajo.OpenCaseRequest{Procedure: "prueba", Area: "Área", Subject: "Asunto", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	// A process claimed event 2 and died before its chain entry.
	f := legajo.Folio{Serie: legajo.CaseSerie, Number: 1, Year: 2026}
	body, _ := json.Marshal(caseClaim{Kind: legajo.CaseHeld, Author: "muerto", At: clock, Nonce: "x"})
	if err := st.Create(ctx, caseEventKey(f, 2, 1), body, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseHeld, Reason: "espera de material", Author: "ana"}); !errors.Is(err, legajo.ErrConflict) {
		t.Fatalf("right after the dead claim: %v, want ErrConflict", err)
	}
	clock = clock.Add(staleAfter + time.Minute)
	got, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseHeld, Reason: "espera de material", Author: "ana"})
	if err != nil {
		t.Fatalf("after the claim went stale: %v", err)
	}
	if got.Status != legajo.CaseEnEspera || got.Waiting != "espera de material" {
		t.Errorf("case %s %q", got.Status, got.Waiting)
	}
	if _, err := st.Get(ctx, caseEventKey(f, 2, 2)); err != nil {
		t.Errorf("the event was claimed under the next key: %v", err)
	}
}

// A case number claimed by an opening that died before filing the case's
// first event is a gap fsck explains: it files «anulado», interrumpida, in
// the cases' chain, once, and the number is never given again. Numbers
// still within the grace, and openings holding the first event's claim,
// are left alone.
func TestFsckAnnulsCaseNumberGaps(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		a, err := New(st, legajo.DefaultExpedientes())
		if err != nil {
			t.Fatal(err)
		}
		clock := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		cs := newCases(a, func() time.Time { return clock })
		open := func() string {
			c, err := cs.Open(ctx, legajo.OpenCaseRequest{Procedure: "prueba", Area: "Almacén", Subject: "Prueba", Author: "ana"})
			if err != nil {
				t.Fatal(err)
			}
			return c.Number
		}
		// claim takes a number as Cases.Open does and dies there.
		claim := func(at time.Time) legajo.Folio {
			b, _ := json.Marshal(map[string]any{"procedure": "prueba", "author": "ana", "at": at, "nonce": randomToken()})
			f, err := a.AllocateCase(ctx, 2026, b)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		first := open()                               // TR/0001
		died := claim(clock)                          // TR/0002: died before its first event
		third := open()                               // TR/0003
		recent := claim(clock.Add(110 * time.Minute)) // TR/0004: may still be opening
		diedLater := claim(clock)                     // TR/0005: died holding its first event's claim
		if err := a.claimCaseEvent(ctx, diedLater, legajo.CaseEvent{Case: diedLater.String(), Seq: 1, Kind: legajo.CaseOpened, Author: "ana", At: clock}); err != nil {
			t.Fatal(err)
		}
		running := claim(clock) // TR/0006: its opening holds the first event right now
		now := clock.Add(2 * time.Hour)
		if err := a.claimCaseEvent(ctx, running, legajo.CaseEvent{Case: running.String(), Seq: 1, Kind: legajo.CaseOpened, Author: "ana", At: now}); err != nil {
			t.Fatal(err)
		}
		rep, err := a.Fsck(ctx, time.Hour, now, "fsck")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{died.String(), diedLater.String()}
		if fmt.Sprint(rep.Annulled) != fmt.Sprint(want) {
			t.Fatalf("annulled %v, want %v (recent %s and running %s left alone; %s and %s filed)", rep.Annulled, want, recent, running, first, third)
		}
		rec, err := a.Record(ctx, died)
		if err != nil || len(rec.Entries) != 1 || rec.Entries[0].Event != legajo.EventAnulado || rec.Entries[0].Reason != ReasonInterrupted {
			t.Fatalf("record of %s: %v %+v", died, err, rec)
		}
		if rep, err := a.Fsck(ctx, time.Hour, now.Add(time.Minute), "fsck"); err != nil || len(rep.Annulled) != 0 {
			t.Errorf("second fsck: %v %+v", err, rep)
		}
		// The cases replay as before; the chain verifies; the number is
		// not given again.
		again := newCases(a, func() time.Time { return now })
		if err := again.Sync(ctx); err != nil || again.Count() != 2 {
			t.Errorf("replayed %d cases (%v), want 2", again.Count(), err)
		}
		if v, err := a.Verify(ctx, legajo.CaseExpediente); err != nil || !v.OK() {
			t.Errorf("verify tramites: %v %+v", err, v.Findings)
		}
		if f := claim(now); f.Number != 7 {
			t.Errorf("next case number %s, want TR/0007/2026", f)
		}
		// The opening that held its first event cannot file it any more
		// than any other event number taken.
		for _, late := range []time.Duration{time.Minute, time.Hour} { // fsck's claim fresh, then stale
			if _, err := a.FileCase(ctx, legajo.CaseEvent{Case: diedLater.String(), Seq: 1, Kind: legajo.CaseOpened, Author: "ana", At: now.Add(late)}); !errors.Is(err, legajo.ErrConflict) {
				t.Errorf("opening an annulled number %s later: %v", late, err)
			}
		}
	})
}

// A notice is claimed once, whoever asks; keys the application would not
// make are refused, not stored.
func TestClaimNotice(t *testing.T) {
	ctx := context.Background()
	a, _ := New(newFSStore(t), legajo.DefaultExpedientes())
	at := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	b, _ := New(a.st, legajo.DefaultExpedientes()) // another process
	for i, arch := range []*Archive{a, b, a} {
		won, err := arch.ClaimNotice(ctx, "resumen/2026-11-30/luis.hernandez", at)
		if err != nil || won != (i == 0) {
			t.Errorf("claim %d: %v %v", i, won, err)
		}
	}
	if won, err := b.ClaimNotice(ctx, "resumen/2026-12-01/luis.hernandez", at); err != nil || !won {
		t.Errorf("the next day: %v %v", won, err)
	}
	for _, key := range []string{"", "../folios/x", "/abs", "resumen/día", "a b", "a\\b", strings.Repeat("x", 301)} {
		if _, err := a.ClaimNotice(ctx, key, at); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("key %q: %v", key, err)
		}
	}
}
