package legajo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/internal/mailtest"
	"github.com/sesver/legajo/mail"
)

// A case turned to a person reaches their mailbox on the real SMTP server,
// with the case, who turned it and the link; a person without an address,
// and a turno to a section alone, get nothing, and fail nothing.
func TestCaseTurnoByMail(t *testing.T) {
	srv := mailtest.Open(t)
	ctx := context.Background()
	o, _ := caseOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	users := o.Archive.(legajo.Users)
	stamp := time.Now().Format("150405.000000")
	luis := legajo.User{Login: "luis", Name: "Luis Hernández Cruz", Role: legajo.RoleCapturista, Email: "luis." + stamp + "@ssaver.gob.mx"}
	marta := legajo.User{Login: "marta", Name: "Marta Ríos", Role: legajo.RoleCapturista} // no address
	ana := legajo.User{Login: "ana", Name: "Ana Lucía Pérez", Role: legajo.RoleCapturista}
	for _, u := range []legajo.User{luis, marta, ana} {
		if _, err := users.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	smtp, err := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, From: "dti@ssaver.gob.mx", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	notices := &legajo.Notices{Mailer: smtp, Institution: "Departamento de Tecnologías de la Información", Zone: mexico,
		Now: func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, mexico) }}
	o.Cases.Notifier = legajo.CaseMail{Mail: notices, Users: users, BaseURL: "https://legajo.example.gob.mx/"}
	var failed []string
	o.Cases.Logf = func(f string, args ...any) { failed = append(failed, f) }
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "Almacén", Subject: "Respaldo de la base de inventarios",
		Assignee: "luis", Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Assignee: "marta", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseAssigned, Section: "Sección de Sistemas", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if len(failed) != 0 {
		t.Fatalf("notifications failed: %v", failed)
	}
	got := srv.For(t, luis.Email, 1)
	m := srv.Message(t, got[0].ID)
	for _, want := range []string{c.Number, "Respaldo de la base de inventarios", "Ana Lucía Pérez",
		"https://legajo.example.gob.mx/tramites/" + legajo.CaseSlug(c.Number)} {
		if !strings.Contains(m.Subject+"\n"+m.Text, want) {
			t.Errorf("the turno's message lacks %q:\n%s\n%s", want, m.Subject, m.Text)
		}
	}
	srv.For(t, luis.Email, 1) // still one: the section's turno told nobody
}

// The daily summary: a person with an overdue case gets one message a day
// naming it, however often the sweep runs; a person with nothing due gets
// none.
func TestCaseDigestByMail(t *testing.T) {
	srv := mailtest.Open(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, mexico) // a Friday
	o, clock := caseOffice(t, start)
	users := o.Archive.(legajo.Users)
	stamp := time.Now().Format("150405.000000")
	luis := legajo.User{Login: "luis", Name: "Luis Hernández Cruz", Role: legajo.RoleCapturista, Email: "luis.resumen." + stamp + "@ssaver.gob.mx"}
	rosa := legajo.User{Login: "rosa", Name: "Rosa Elena Durán", Role: legajo.RoleCapturista, Email: "rosa.resumen." + stamp + "@ssaver.gob.mx"}
	for _, u := range []legajo.User{luis, rosa} {
		if _, err := users.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	smtp, err := mail.New(mail.Config{Host: srv.Host, Port: srv.Port, From: "dti@ssaver.gob.mx", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	notices := &legajo.Notices{Mailer: smtp, Institution: "Departamento de Tecnologías de la Información", Zone: mexico,
		Now: func() time.Time { return *clock }}
	cm := legajo.CaseMail{Mail: notices, Users: users, BaseURL: "https://legajo.example.gob.mx"}
	due := start.Add(24 * time.Hour)
	c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "respaldo-bd", Area: "Almacén", Subject: "Respaldo de la base de inventarios",
		Assignee: "luis", Due: due, Author: "rosa"})
	if err != nil {
		t.Fatal(err)
	}
	*clock = start.Add(72 * time.Hour)
	for range 3 { // the sweep runs again the same day
		if n, err := cm.Digests(ctx, o.Cases, *clock); err != nil || n != 1 {
			t.Fatalf("Digests = %d, %v; want luis told", n, err)
		}
	}
	got := srv.For(t, luis.Email, 1)
	m := srv.Message(t, got[0].ID)
	for _, want := range []string{"1 vencido", c.Number, "Respaldo de la base de inventarios", "28 de noviembre de 2026",
		"https://legajo.example.gob.mx/tramites/" + legajo.CaseSlug(c.Number)} {
		if !strings.Contains(m.Subject+"\n"+m.Text, want) {
			t.Errorf("the summary lacks %q:\n%s\n%s", want, m.Subject, m.Text)
		}
	}
	srv.None(t, rosa.Email)
	// Another server sharing the archive, or this one restarted, has no
	// memory of the day: the day's claim in the archive keeps it to one
	// summary. The next day there is another.
	other := legajo.CaseMail{Mail: &legajo.Notices{Mailer: smtp, Zone: mexico, Now: func() time.Time { return *clock }}, Users: users}
	if _, err := other.Digests(ctx, o.Cases, *clock); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	srv.For(t, luis.Email, 1)
	*clock = clock.Add(24 * time.Hour)
	if _, err := other.Digests(ctx, o.Cases, *clock); err != nil {
		t.Fatal(err)
	}
	srv.For(t, luis.Email, 2)
}
