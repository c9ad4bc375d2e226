package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo/fixtures"
)

// TestYearLegendsConfig: the legends of the years are read from the file,
// one per year; a legend that would not print, or for what is not a year,
// is refused naming year_legends. Without a file the demo has the sample
// logo; a file without a logo has none (not the sample's).
func TestYearLegendsConfig(t *testing.T) {
	load := func(yaml string) (*Config, error) {
		dir := t.TempDir()
		path := filepath.Join(dir, "legajo.yaml")
		if yaml != "" {
			if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		env := map[string]string{"LEGAJO_DATA": dir}
		if yaml != "" {
			env["LEGAJO_CONFIG"] = path
		}
		m := &Main{Getenv: func(k string) string { return env[k] }, Now: time.Now}
		return m.loadConfig()
	}
	const head = "institution:\n  name: Institución de Prueba\n  place: Xalapa-Enríquez, Ver.\n  folio_prefix: IP/DTI\n"
	c, err := load(head + "  year_legends:\n    2026: \"2026, Año de la Prueba\"\n    2027: \"2027, Año de Otra Prueba\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Institution.YearLegend(2026); got != "2026, Año de la Prueba" {
		t.Errorf("2026: %q", got)
	}
	if got := c.Institution.YearLegend(2028); got != "" {
		t.Errorf("2028 has no legend configured, got %q", got)
	}
	if c.Logo != nil {
		t.Error("a configured institution without a logo got the sample logo")
	}
	for _, bad := range []string{
		"  year_legends:\n    26: \"Año 26\"\n",
		"  year_legends:\n    2026: \"  \"\n",
		"  year_legends:\n    2026: \"2026, Año del 🐍\"\n",
		"  year_legends:\n    2026: \"primera línea\\nsegunda\"\n",
	} {
		if _, err := load(head + bad); err == nil || !strings.Contains(err.Error(), "year_legends") {
			t.Errorf("%q: want an error naming year_legends, got %v", bad, err)
		}
	}
	c, err = load("")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.Logo, fixtures.Logo()) {
		t.Error("without a configuration file, the demo should print the sample logo")
	}
	if c.BaseURLSet {
		t.Error("no file and no LEGAJO_BASE_URL, yet the base URL counts as configured")
	}
}
