package legajo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// caseOffice is an Office on a fresh fs archive with cases on, its clock
// at at.
func caseOffice(t testing.TB, at time.Time) (*legajo.Office, *time.Time) {
	t.Helper()
	st, err := archive.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	procs, err := templates.LoadProcedures(cat)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := at
	now := func() time.Time { return clock }
	cal, _ := legajo.NewCalendar(nil)
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(),
		Directory: fixtures.Directory(), Zone: mexico, Now: now}
	o.Cases = &legajo.Cases{Log: a, Procedures: procs, Calendar: cal, Zone: mexico, Now: now}
	if err := o.Cases.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return o, &clock
}

func TestCaseFollowsItsProcedure(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, mexico) // a Friday
	o, clock := caseOffice(t, start)
	cs := o.Cases
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "fallas-lineas", Area: "Jurisdicción Sanitaria VIII Xalapa",
		Subject: "Sin servicio de internet (reporte Telmex 44521)", Requester: "Dra. Ángela Núñez", Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Number != "TR/0001/2026" || c.Step != "1" || c.Section != "Sección de Redes y Telecomunicaciones" {
		t.Fatalf("opened %s at %s for %s", c.Number, c.Step, c.Section)
	}
	act := func(a legajo.CaseAction) *legajo.Case {
		t.Helper()
		if a.Author == "" {
			a.Author = "tecnico"
		}
		c, err := cs.Act(ctx, c.Number, a)
		if err != nil {
			t.Fatalf("%s at %s: %v", a.Kind, a.Step, err)
		}
		return c
	}
	for _, s := range []string{"1", "2", "3"} {
		c = act(legajo.CaseAction{Kind: legajo.CaseStepDone, Step: s})
	}
	if c.Step != "4" {
		t.Fatalf("step %s, want 4", c.Step)
	}
	// Step 4 runs the manual's plazos: 24 h, then 48 h after that.
	ps := c.Plazos(mustProc(t, cs, "fallas-lineas"), cs.Calendar)
	if len(ps) != 2 || !ps[0].Due.Equal(start.Add(24*time.Hour)) || !ps[1].Due.Equal(start.Add(72*time.Hour)) || ps[1].Goto != "5" {
		t.Fatalf("plazos %+v", ps)
	}
	for _, tt := range []struct {
		after   time.Duration
		overdue bool
		due     string
	}{
		{23 * time.Hour, false, "24 horas"},
		{25 * time.Hour, true, "48 horas después del plazo anterior"},
		{73 * time.Hour, true, "48 horas después del plazo anterior"},
	} {
		now := start.Add(tt.after)
		sw := cs.Sweep(now)
		if got := len(sw) == 1; got != tt.overdue {
			t.Errorf("after %s: sweep %d cases, want overdue=%v", tt.after, len(sw), tt.overdue)
		}
		q := cs.Bandeja(legajo.CaseFilter{Section: "Sección de Redes y Telecomunicaciones"}, now)
		if got := len(q.Overdue) == 1; got != tt.overdue || q.Total() != 1 {
			t.Errorf("after %s: bandeja %+v", tt.after, q)
		}
		next, ok := c.NextDue(mustProc(t, cs, "fallas-lineas"), cs.Calendar, now)
		if !ok || !strings.HasPrefix(next.Text, tt.due) {
			t.Errorf("after %s: next plazo %q", tt.after, next.Text)
		}
	}
	*clock = start.Add(30 * time.Hour)
	c = act(legajo.CaseAction{Kind: legajo.CaseDecided, Step: "4", Answer: "No"})
	if c.Step != "5" || len(cs.Sweep(start.Add(100*time.Hour))) != 0 {
		t.Fatalf("after «No»: step %s, sweep %v", c.Step, cs.Sweep(start.Add(100*time.Hour)))
	}
	c = act(legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "5"})
	c = act(legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "6"})
	if c.Status != legajo.CaseEnEspera || !strings.Contains(c.Waiting, "área afectada") || c.Step != "7" {
		t.Fatalf("after 6 (Pasa el tiempo): %s %q at %s", c.Status, c.Waiting, c.Step)
	}
	c = act(legajo.CaseAction{Kind: legajo.CaseResumed})
	c = act(legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "7"})
	c = act(legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "8"})
	if c.Status != legajo.CaseAtendido || c.Step != "" {
		t.Fatalf("after the last step: %s at %q", c.Status, c.Step)
	}
	c = act(legajo.CaseAction{Kind: legajo.CaseClosed, Reason: "Servicio restablecido."})
	if c.Status != legajo.CaseCerrado || len(c.Steps) != 8 || c.Steps[3].Answer != "No" || c.Steps[3].By != "tecnico" {
		t.Fatalf("closed: %s, steps %+v", c.Status, c.Steps)
	}
}

func mustProc(t testing.TB, cs *legajo.Cases, id string) *legajo.Procedimiento {
	p, err := cs.Procedures.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCaseRefusesWhatItsStateDoesNotAllow(t *testing.T) {
	ctx := context.Background()
	o, _ := caseOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	cs := o.Cases
	open := func() *legajo.Case {
		c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "red-voz-datos", Area: "Almacén central", Subject: "Ampliación de red", Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := open()
	closed := open()
	if _, err := cs.Act(ctx, closed.Number, legajo.CaseAction{Kind: legajo.CaseCancelledK, Reason: "El área retiró la solicitud por oficio.", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		number string
		a      legajo.CaseAction
		kind   error
		words  string
	}{
		{"a step that is not the current one (a stale page)", c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "2"}, legajo.ErrConflict, "ya no está en la actividad 2 sino en la 1"},
		{"a decision where the step asks none", c.Number, legajo.CaseAction{Kind: legajo.CaseDecided, Step: "1", Answer: "Sí"}, legajo.ErrInvalid, "no plantea una decisión"},
		{"on hold without saying for what", c.Number, legajo.CaseAction{Kind: legajo.CaseHeld, Reason: "  "}, legajo.ErrInvalid, "qué o a quién se espera"},
		{"a reason with a control character", c.Number, legajo.CaseAction{Kind: legajo.CaseHeld, Reason: "material\x00"}, legajo.ErrInvalid, "Motivo"},
		{"resume what does not wait", c.Number, legajo.CaseAction{Kind: legajo.CaseResumed}, legajo.ErrConflict, "no está en espera"},
		{"close before the end", c.Number, legajo.CaseAction{Kind: legajo.CaseClosed}, legajo.ErrConflict, "sigue en la actividad 1"},
		{"cancel without a reason", c.Number, legajo.CaseAction{Kind: legajo.CaseCancelledK, Reason: "no"}, legajo.ErrInvalid, "de 10 a 500 caracteres"},
		{"turn to nobody", c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned}, legajo.ErrInvalid, "sección o la persona"},
		{"anything on a cancelled case", closed.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "1"}, legajo.ErrConflict, "está cancelado"},
		{"an unknown case", "TR/0999/2026", legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "1"}, legajo.ErrNotFound, "No existe el trámite"},
		{"an unknown action", c.Number, legajo.CaseAction{Kind: "borrar"}, legajo.ErrInvalid, "Movimiento desconocido"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.a.Author = "ana"
			_, err := cs.Act(ctx, tt.number, tt.a)
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.words) {
				t.Fatalf("error %v, want %v saying %q", err, tt.kind, tt.words)
			}
		})
	}
	got, _ := cs.Get(c.Number)
	if len(got.Events) != 1 {
		t.Errorf("refused actions filed %d events", len(got.Events)-1)
	}
	// Decisions take only the branches of the manual.
	if _, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "1", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "2", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: "3", Author: "ana"}); !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "¿Es viable") {
		t.Errorf("completing a question step: %v", err)
	}
	if _, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseDecided, Step: "3", Answer: "Quizá", Author: "ana"}); !errors.Is(err, legajo.ErrInvalid) {
		t.Errorf("an answer not in the manual: %v", err)
	}
	c4, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseDecided, Step: "3", Answer: "No", Author: "ana"})
	if err != nil || c4.Step != "3A" {
		t.Fatalf("«No» leads to 3A: %v %v", c4, err)
	}
}

func TestOpenCaseValidates(t *testing.T) {
	ctx := context.Background()
	o, _ := caseOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	for _, tt := range []struct {
		name  string
		r     legajo.OpenCaseRequest
		field string
	}{
		{"no procedure", legajo.OpenCaseRequest{Area: "A", Subject: "S", Author: "ana"}, "procedimiento"},
		{"unknown procedure", legajo.OpenCaseRequest{Procedure: "inventado", Area: "A", Subject: "S", Author: "ana"}, "procedimiento"},
		{"no área", legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "   ", Subject: "S", Author: "ana"}, "area"},
		{"no asunto", legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "A", Author: "ana"}, "asunto"},
		{"asunto too long", legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "A", Subject: strings.Repeat("á", 301), Author: "ana"}, "asunto"},
		{"a line break in the área", legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "A\nB", Subject: "S", Author: "ana"}, "area"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.OpenCase(ctx, tt.r)
			var ve *legajo.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a validation error", err)
			}
			found := false
			for _, p := range ve.Problems {
				found = found || p.Field == tt.field
			}
			if !found {
				t.Errorf("problems %+v, want one for %s", ve.Problems, tt.field)
			}
		})
	}
	if o.Cases.Count() != 0 {
		t.Errorf("refused openings made %d cases", o.Cases.Count())
	}
	var none legajo.Office
	if _, err := none.OpenCase(ctx, legajo.OpenCaseRequest{}); !errors.Is(err, legajo.ErrUnavailable) {
		t.Errorf("an Office without cases: %v", err)
	}
}

func TestDocumentIssuedInsideACase(t *testing.T) {
	ctx := context.Background()
	o, _ := caseOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "red-voz-datos", Area: "Almacén central", Subject: "Ampliación de red", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := fixtures.SampleData("justificacion-tecnica")
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Emit(ctx, legajo.EmitRequest{Type: "justificacion-tecnica", Data: data, Tramite: "tr-0001-2026", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := o.Cases.Get(c.Number)
	if len(got.Documents) != 1 || got.Documents[0].Folio != res.Folio || got.Documents[0].Type != "justificacion-tecnica" || got.Documents[0].Step != "1" {
		t.Fatalf("documents of the case: %+v", got.Documents)
	}
	// Free text in the trámite field stays free; a case number must exist
	// and be open.
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "justificacion-tecnica", Data: data, Tramite: "Red del almacén", Author: "ana"}); err != nil {
		t.Errorf("free-text trámite: %v", err)
	}
	_, err = o.Emit(ctx, legajo.EmitRequest{Type: "justificacion-tecnica", Data: data, Tramite: "TR/0042/2026", Author: "ana"})
	if !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "No existe el trámite TR/0042/2026") {
		t.Errorf("unknown case number: %v", err)
	}
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseCancelledK, Reason: "Solicitud duplicada del área.", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	_, err = o.Emit(ctx, legajo.EmitRequest{Type: "justificacion-tecnica", Data: data, Tramite: c.Number, Author: "ana"})
	if !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "está cancelado") {
		t.Errorf("cancelled case: %v", err)
	}
}

// notes records the turnos a CaseNotifier is told of, as the e-mail
// module will be.
type notes struct {
	got []string
	err error
}

func (n *notes) CaseAssigned(_ context.Context, c legajo.Case, ev legajo.CaseEvent) error {
	n.got = append(n.got, c.Number+" → "+ev.Assignee+" ("+c.Subject+")")
	return n.err
}

func (n *notes) CaseOverdue(_ context.Context, c legajo.Case, ev legajo.CaseEvent, x legajo.Plazo) error {
	n.got = append(n.got, c.Number+" vencido → "+ev.Assignee+" ("+x.Limit+" at "+x.Due.In(mexico).Format("2006-01-02 15:04")+")")
	return n.err
}

func TestCaseTurnoNotifies(t *testing.T) {
	ctx := context.Background()
	o, _ := caseOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	n := &notes{}
	var logged []string
	o.Cases.Notifier = n
	o.Cases.Logf = func(f string, args ...any) { logged = append(logged, f) }
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "Almacén", Subject: "Respaldo", Assignee: "luis", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	n.err = errors.New("smtp: connection refused")
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Assignee: "marta", Author: "ana"}); err != nil {
		t.Fatalf("a notification that fails must not fail the turno: %v", err)
	}
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Section: "Sección de Sistemas", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(n.got, "; "); got != "TR/0001/2026 → luis (Respaldo); TR/0001/2026 → marta (Respaldo)" {
		t.Errorf("notified %q (a turno to a section alone notifies nobody)", got)
	}
	if len(logged) != 1 {
		t.Errorf("the failed notification was logged %d times", len(logged))
	}
}

// When the 48 h after the second e-mail pass, the manual orders a temporary
// line (activity 5): the case can be moved there without a decision.
func TestCaseDeadlineOrdersTheNextActivity(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, mexico)
	o, clock := caseOffice(t, start)
	cs := o.Cases
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "fallas-lineas", Area: "Jurisdicción Sanitaria V", Subject: "Sin línea", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"1", "2", "3"} {
		if c, err = cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: s, Author: "ana"}); err != nil {
			t.Fatal(err)
		}
	}
	*clock = start.Add(30 * time.Hour) // only the 24 h passed: it orders no other activity
	if _, err := cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseExpired, Step: "4", Author: "ana"}); !errors.Is(err, legajo.ErrConflict) {
		t.Fatalf("before the 48 h: %v", err)
	}
	*clock = start.Add(73 * time.Hour)
	c, err = cs.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseExpired, Step: "4", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	last := c.Events[len(c.Events)-1]
	if c.Step != "5" || c.Status != legajo.CaseAbierto || c.Steps[3].Answer != "plazo vencido" || !strings.Contains(last.Reason, "48 horas") {
		t.Errorf("after the plazo: at %s (%s), step 4 %+v, event %+v", c.Step, c.Status, c.Steps[3], last)
	}
	if len(cs.Sweep(*clock)) != 0 {
		t.Error("the case is still overdue at activity 5, which has no plazo")
	}
}
