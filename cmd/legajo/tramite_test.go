package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// TestCasesCommand: `legajo tramites` lists the open cases a server filed,
// replayed from the archive, and --vencidos the ones with a plazo passed.
func TestCasesCommand(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	day := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return day }}
	ctx := context.Background()
	a, err := m.openApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.office.Cases == nil {
		t.Fatal("cases are off with the default configuration")
	}
	if err := a.office.Cases.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range []legajo.OpenCaseRequest{
		{Procedure: "respaldo-bd", Area: "Subdirección de Recursos Financieros", Subject: "Respaldo del SIAFF", Due: day.Add(48 * time.Hour), Author: "ana"},
		{Procedure: "micrositios", Area: "Comunicación Social", Subject: "Micrositio de vacunación", Due: day.Add(30 * 24 * time.Hour), Author: "ana"},
	} {
		if _, err := a.office.OpenCase(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()

	code, out, errs := run(t, env, "tramites", "--json")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"number":"TR/0002/2026"`) {
		t.Fatalf("tramites: exit %d\n%s%s", code, out, errs)
	}
	// The cases' chain verifies with everything else, and fsck finds
	// nothing to record.
	if code, out, errs := run(t, env, "verify", "--json"); code != 0 || !strings.Contains(out, `"expediente": "tramites"`) {
		t.Errorf("verify: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs := run(t, env, "fsck", "--grace", "0s", "--json"); code != 0 || strings.Contains(out, "descartado") {
		t.Errorf("fsck: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, env, "tramites", "--vencidos", "--json") // the test clock is 26 November
	var c struct {
		Number  string `json:"number"`
		Overdue bool   `json:"overdue"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || c.Number != "TR/0001/2026" || !c.Overdue {
		t.Errorf("tramites --vencidos: exit %d\n%s%s", code, out, errs)
	}
}
