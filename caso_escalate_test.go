package legajo_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// fallaAtStep4 opens a falla de línea turned to «tecnico» and takes it to
// activity 4, where the manual's 24 h and 48 h run; it returns the moment
// activity 4 began.
func fallaAtStep4(t *testing.T, o *legajo.Office, clock *time.Time) (*legajo.Case, time.Time) {
	t.Helper()
	ctx := context.Background()
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "fallas-lineas", Area: "Jurisdicción Sanitaria V Xalapa",
		Subject: "Sin internet (reporte Telmex 44521)", Assignee: "tecnico", Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"1", "2", "3"} {
		if c, err = o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: s, Author: "tecnico"}); err != nil {
			t.Fatal(err)
		}
	}
	return c, *clock
}

// The sweep tells each plazo once, at its boundary and not a minute
// before: 24 hours after activity 4 began, and 48 hours after that.
func TestEscalateFallaBoundaries(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, mexico) // a Friday: hours run over the weekend
	o, clock := caseOffice(t, start)
	n := &notes{}
	o.Cases.Notifier = n
	c, began := fallaAtStep4(t, o, clock)
	n.got = nil // the turno's message
	for _, tt := range []struct {
		after time.Duration
		filed int
		told  string // the last message, when one is sent
	}{
		{24*time.Hour - time.Minute, 0, ""},
		{24 * time.Hour, 1, "24 horas at 2026-11-28 10:00"},
		{24*time.Hour + time.Minute, 0, ""}, // told already
		{30 * time.Hour, 0, ""},
		{72*time.Hour - time.Second, 0, ""},
		{72 * time.Hour, 1, "48 horas después del plazo anterior at 2026-11-30 10:00"},
		{200 * time.Hour, 0, ""},
	} {
		now := began.Add(tt.after)
		*clock = now
		before := len(n.got)
		filed, err := o.Cases.Escalate(ctx, now)
		if err != nil || filed != tt.filed || len(n.got)-before != tt.filed {
			t.Fatalf("after %s: filed %d (%v), told %d; want %d", tt.after, filed, err, len(n.got)-before, tt.filed)
		}
		if tt.told != "" && n.got[len(n.got)-1] != c.Number+" vencido → tecnico ("+tt.told+")" {
			t.Errorf("after %s: told %q", tt.after, n.got[len(n.got)-1])
		}
	}
	got, _ := o.Cases.Get(c.Number)
	var avisos []legajo.CaseEvent
	for _, ev := range got.Events {
		if ev.Kind == legajo.CaseNotified {
			avisos = append(avisos, ev)
		}
	}
	if len(avisos) != 2 || avisos[0].Author != legajo.NotifierAuthor || avisos[0].Assignee != "tecnico" || avisos[0].Step != "4" ||
		!strings.Contains(avisos[0].Reason, "ejecutivo de cuenta") || !strings.Contains(avisos[1].Reason, "línea telefónica") {
		t.Fatalf("avisos %+v", avisos)
	}
	if got.Step != "4" || got.Status != legajo.CaseAbierto {
		t.Errorf("an aviso moved the case: %s at %s", got.Status, got.Step)
	}

	// A server started later on the same archive reads the avisos from
	// the chain and tells nobody again.
	again := &legajo.Cases{Log: o.Cases.Log, Procedures: o.Cases.Procedures, Calendar: o.Cases.Calendar, Zone: mexico,
		Now: func() time.Time { return *clock }, Notifier: n}
	before := len(n.got)
	if filed, err := again.Escalate(ctx, began.Add(300*time.Hour)); err != nil || filed != 0 || len(n.got) != before {
		t.Errorf("after a restart: filed %d (%v), told %v", filed, err, n.got[before:])
	}

	// The case moves on: activity 5 has no plazo, so nothing more is told;
	// a turno's own fecha límite is a plazo of its own.
	*clock = began.Add(301 * time.Hour)
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseExpired, Step: "4", Author: "tecnico"}); err != nil {
		t.Fatal(err)
	}
	limit := time.Date(2026, 12, 14, 0, 0, 0, 0, mexico)
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Assignee: "marta", Due: limit, Author: "jefe"}); err != nil {
		t.Fatal(err)
	}
	if filed, _ := o.Cases.Escalate(ctx, limit.Add(-time.Second)); filed != 0 {
		t.Errorf("before the turno's date: %d avisos", filed)
	}
	before = len(n.got)
	if filed, _ := o.Cases.Escalate(ctx, limit); filed != 1 || len(n.got) != before+1 || !strings.HasSuffix(n.got[len(n.got)-1], "vencido → marta (fecha límite del turno at 2026-12-14 00:00)") {
		t.Errorf("the turno's date: filed %d, told %v", filed, n.got[before:])
	}
}

// lagging is another server's view of the archive that has not yet read
// what the first one filed: it files through the same archive but, once
// frozen, reads nothing new.
type lagging struct {
	legajo.CaseLog
	frozen atomic.Bool
}

func (l *lagging) CaseEvents(ctx context.Context, pos int64, fn func(legajo.CaseEvent) error) (int64, error) {
	if l.frozen.Load() {
		return pos, nil
	}
	return l.CaseLog.CaseEvents(ctx, pos, fn)
}

// Two servers sweeping the same archive: one files the aviso and sends
// it; the other's filing is refused and it sends nothing.
func TestEscalateOnceAcrossServers(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, mexico)
	o, clock := caseOffice(t, start)
	c, began := fallaAtStep4(t, o, clock)
	first, second := &notes{}, &notes{}
	o.Cases.Notifier = first
	log := &lagging{CaseLog: o.Cases.Log}
	other := &legajo.Cases{Log: log, Procedures: o.Cases.Procedures, Calendar: o.Cases.Calendar, Zone: mexico,
		Now: func() time.Time { return *clock }, Notifier: second}
	if err := other.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	log.frozen.Store(true)
	now := began.Add(25 * time.Hour)
	*clock = now
	if filed, err := o.Cases.Escalate(ctx, now); filed != 1 || err != nil {
		t.Fatalf("first server: %d %v", filed, err)
	}
	if filed, err := other.Escalate(ctx, now); filed != 0 || err != nil || len(second.got) != 0 {
		t.Fatalf("second server, behind: filed %d (%v), told %v", filed, err, second.got)
	}
	log.frozen.Store(false)
	if filed, err := other.Escalate(ctx, now.Add(time.Minute)); filed != 0 || err != nil || len(second.got) != 0 {
		t.Fatalf("second server, caught up: filed %d (%v), told %v", filed, err, second.got)
	}
	if len(first.got) != 1 || !strings.HasPrefix(first.got[0], c.Number+" vencido → tecnico (24 horas") {
		t.Errorf("first server told %v", first.got)
	}
}

// Plazos in días hábiles skip weekends, the rest days of the Ley Federal
// del Trabajo and the institution's own; a case nobody is turned to, or
// already attended, tells nobody.
func TestEscalateBusinessDays(t *testing.T) {
	ctx := context.Background()
	o, clock := caseOffice(t, time.Date(2026, 11, 13, 12, 0, 0, 0, mexico)) // Friday 13 November 2026
	proc := &legajo.Procedimiento{ID: "prueba-habiles", Name: "Prueba", Section: "Sección de Sistemas", Objective: "Probar.",
		Frequency: "Eventual", Steps: []legajo.Step{
			{N: "1", Who: "Sección de Sistemas", Action: "Espera el material.",
				Deadlines: []legajo.Deadline{{BusinessDays: 2, Then: "Reclama el material por oficio."}}},
			{N: "2", Who: "Sección de Sistemas", Action: "Entrega.", End: true},
		}}
	o.Cases.Procedures = legajo.NewProcedures([]*legajo.Procedimiento{proc})
	cal, err := legajo.NewCalendar([]string{"2026-11-18"}) // a day the institution closes
	if err != nil {
		t.Fatal(err)
	}
	o.Cases.SetCalendar(cal)
	n := &notes{}
	o.Cases.Notifier = n
	open := func(assignee string) *legajo.Case {
		c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "prueba-habiles", Area: "Almacén", Subject: "Material", Assignee: assignee, Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := open("luis")
	nobody := open("")
	// Saturday 14, Sunday 15, Monday 16 (Revolución, third Monday of
	// November) and Wednesday 18 (closed) do not count: the two días
	// hábiles are Tuesday 17 and Thursday 19, and the plazo ends when
	// Thursday ends.
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, mexico)
	for _, tt := range []struct {
		at    time.Time
		filed int
	}{
		{time.Date(2026, 11, 17, 23, 59, 0, 0, mexico), 0},
		{time.Date(2026, 11, 18, 12, 0, 0, 0, mexico), 0}, // would be the end without the closed day
		{end.Add(-time.Second), 0},
		{end, 1},
		{end.Add(72 * time.Hour), 0},
	} {
		*clock = tt.at
		n.got = nil
		if filed, err := o.Cases.Escalate(ctx, tt.at); err != nil || filed != tt.filed || len(n.got) != tt.filed {
			t.Errorf("at %s: filed %d (%v), told %v; want %d", tt.at.Format(time.DateTime), filed, err, n.got, tt.filed)
		}
	}
	if got, _ := o.Cases.Get(nobody.Number); got.Seq() != 1 {
		t.Errorf("a case turned to nobody got %d events", got.Seq()-1)
	}
	// Turned to someone after its plazo passed: they are told.
	*clock = end.Add(73 * time.Hour)
	if _, err := o.Cases.Act(ctx, nobody.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Assignee: "marta", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	n.got = nil
	if filed, _ := o.Cases.Escalate(ctx, *clock); filed != 1 || len(n.got) != 1 || !strings.Contains(n.got[0], "vencido → marta (2 días hábiles at 2026-11-20 00:00)") {
		t.Errorf("turned after the plazo: filed %d, told %v", filed, n.got)
	}
	// An attended case tells nothing.
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "1", Author: "luis"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "2", Author: "luis"}); err != nil {
		t.Fatal(err)
	}
	if filed, _ := o.Cases.Escalate(ctx, end.Add(1000*time.Hour)); filed != 0 {
		t.Errorf("attended: %d avisos", filed)
	}
}

// A message that fails after its aviso was filed is tried again by the
// next sweeps of the process that filed it, and sent once; after
// avisoTries failures it is given up, and the log says so.
func TestEscalateRetriesFailedMessage(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, mexico)
	o, clock := caseOffice(t, start)
	n := &notes{}
	o.Cases.Notifier = n
	var logged []string
	o.Cases.Logf = func(f string, args ...any) { logged = append(logged, f) }
	c, began := fallaAtStep4(t, o, clock)
	n.got, n.err = nil, errors.New("smtp: connection refused")
	now := began.Add(25 * time.Hour)
	if filed, err := o.Cases.Escalate(ctx, now); filed != 1 || err != nil {
		t.Fatalf("filed %d, %v", filed, err)
	}
	n.err = nil
	if filed, _ := o.Cases.Escalate(ctx, now.Add(time.Minute)); filed != 0 {
		t.Errorf("the retry filed %d avisos more", filed)
	}
	o.Cases.Escalate(ctx, now.Add(2*time.Minute))
	// The failed try is recorded by notes too: two calls, the second sent.
	if len(n.got) != 2 || n.got[0] != n.got[1] || !strings.HasPrefix(n.got[0], c.Number+" vencido → tecnico (24 horas") || len(logged) != 1 {
		t.Errorf("told %v, logged %v", n.got, logged)
	}

	// Failing every time: given up after 10 tries.
	d, _ := fallaAtStep4(t, o, clock)
	n.got, logged, n.err = nil, nil, errors.New("smtp: connection refused")
	for i := range 15 {
		o.Cases.Escalate(ctx, now.Add(time.Duration(i+3)*time.Minute))
	}
	if len(n.got) != 10 || len(logged) != 10 || !strings.Contains(logged[9], "given up") {
		t.Errorf("%s: %d tries, logged %v", d.Number, len(n.got), logged)
	}
}
