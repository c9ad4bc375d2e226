package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// The command line imports a bill and prints its analysis; a bad bill
// exits with its problems by row and column and files nothing; the same
// bill twice is refused.
func TestTelephonyCommand(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	dir := t.TempDir()
	sample := filepath.Join(dir, "siana-octubre.csv")
	os.WriteFile(sample, fixtures.SampleBill(), 0o644)
	bad := filepath.Join(dir, "mala.csv")
	os.WriteFile(bad, []byte(strings.Replace(string(fixtures.SampleBill()), ",389.00,", ",389.OO,", 1)), 0o644)

	code, _, errs := run(t, env, "telefonia", "--periodo", "2026-10", bad)
	if code == 0 || !strings.Contains(errs, "columna «Renta mensual»: «389.OO» no es un importe") {
		t.Fatalf("bad bill: exit %d: %s", code, errs)
	}
	code, out, errs := run(t, env, "telefonia", "--periodo", "2026-10", "--author", "redes", sample)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"SESVER/DA/DTI/FT/0001/2026 archivada: cuenta maestra 2281004573, octubre de 2026, 400 líneas",
		"Jurisdicción Sanitaria No. VIII Veracruz: ", "excede su plan en $"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := run(t, env, "telefonia", "--periodo", "2026-10", sample); code == 0 || !strings.Contains(errs, "ya se importó") ||
		!strings.Contains(errs, "por redes con el folio SESVER/DA/DTI/FT/0001/2026") {
		t.Errorf("second import: exit %d: %s", code, errs)
	}

	// The analysis of what is filed, without importing.
	code, out, errs = run(t, env, "telefonia", "--analisis", "--periodo", "2026-10")
	if code != 0 || !strings.Contains(out, "SESVER/DA/DTI/FT/0001/2026 importada el ") || !strings.Contains(out, " por redes: cuenta maestra 2281004573") ||
		!strings.Contains(out, "excede su plan en $") {
		t.Errorf("analysis: exit %d: %s%s", code, out, errs)
	}
	t.Logf("%.300s", out)
	code, out, _ = run(t, env, "telefonia", "--analisis", "--json", "--periodo", "2026-10", "--cuenta", "2281004573")
	var bills []struct {
		Import   legajo.BillImport `json:"factura"`
		Analysis legajo.Analysis   `json:"analisis"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &bills) != nil || len(bills) != 1 || len(bills[0].Analysis.Lines) != fixtures.SampleBillLines {
		t.Errorf("analysis as JSON: exit %d: %.300s", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--periodo", "2026-09"}, "No hay factura telefónica importada de septiembre de 2026."},
		{[]string{"--periodo", "2026-10", "--cuenta", "77"}, "No hay factura telefónica importada de la cuenta maestra 77 de octubre de 2026."},
		{[]string{"--periodo", "octubre"}, "no es un mes válido"},
		{[]string{"--periodo", "2026-10", sample}, "no file with --analisis"},
	} {
		if code, _, errs := run(t, env, append([]string{"telefonia", "--analisis"}, c.args...)...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, errs)
		}
	}
}
