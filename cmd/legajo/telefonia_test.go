package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	if code, _, errs := run(t, env, "telefonia", "--periodo", "2026-10", sample); code == 0 || !strings.Contains(errs, "ya se importó") {
		t.Errorf("second import: exit %d: %s", code, errs)
	}
}
