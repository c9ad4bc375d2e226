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
