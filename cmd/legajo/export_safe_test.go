package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTrailExportsAreSafeToOpen: subjects, a trámite and a reason typed
// as formulas reach the trail as text. The CSV neutralises every cell
// that begins with = + - @ (a leading single quote, as OWASP recommends);
// the XLSX keeps them as string cells, unchanged and never formulas.
func TestTrailExportsAreSafeToOpen(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "USER": "ana"}
	raw, err := os.ReadFile("../../fixtures/documents/tarjeta-informativa.json")
	if err != nil {
		t.Fatal(err)
	}
	hyperlink := `=HYPERLINK("http://x","y")`
	subjects := []string{hyperlink, "@SUM(A1)", "+1", "-1"}
	var folios []string
	for i, subject := range subjects {
		var fields map[string]any
		json.Unmarshal(raw, &fields)
		fields["asunto"] = subject
		b, _ := json.Marshal(fields)
		path := filepath.Join(t.TempDir(), "datos.json")
		os.WriteFile(path, b, 0o600)
		args := []string{"emit", "--type", "tarjeta-informativa", "--data", path, "--json"}
		if i == 0 {
			args = append(args, "--tramite", "=1+1")
		}
		code, out, errs := run(t, env, args...)
		if code != 0 {
			t.Fatalf("emit %q: exit %d: %s", subject, code, errs)
		}
		var res struct{ Folio string }
		json.Unmarshal([]byte(out), &res)
		folios = append(folios, res.Folio)
	}
	if code, _, errs := run(t, env, "cancel", folios[3], "--reason", "@SUM(A1) se emitió por error"); code != 0 {
		t.Fatalf("cancel: exit %d: %s", code, errs)
	}

	dir := t.TempDir()
	csvPath, xlsxPath := filepath.Join(dir, "rastro.csv"), filepath.Join(dir, "rastro.xlsx")
	for _, out := range []string{csvPath, xlsxPath} {
		if code, _, errs := run(t, env, "trail", "--expediente", "dti", "--out", out); code != 0 {
			t.Fatalf("trail %s: exit %d: %s", filepath.Ext(out), code, errs)
		}
	}

	b, _ := os.ReadFile(csvPath)
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]bool{}
	for _, rec := range records {
		for _, c := range rec {
			cells[c] = true
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("CSV cell %q would be taken for a formula", c)
			}
		}
	}
	for _, want := range append(subjects, "=1+1", "@SUM(A1) se emitió por error") {
		if !cells["'"+want] {
			t.Errorf("CSV: no cell %q", "'"+want)
		}
	}

	d := dumpXLSX(t, xlsxPath)
	if strings.Contains(d, "fórmula") {
		t.Errorf("the XLSX trail holds a formula:\n%s", d)
	}
	for _, want := range append(subjects, "=1+1", "@SUM(A1) se emitió por error") {
		if !regexp.MustCompile(`(?m)^[A-Z]+\d+ texto ` + regexp.QuoteMeta(want) + `$`).MatchString(d) {
			t.Errorf("XLSX: no text cell %q", want)
		}
	}
	xb, _ := os.ReadFile(xlsxPath)
	zr, err := zip.NewReader(bytes.NewReader(xb), int64(len(xb)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/") {
			rc, _ := zf.Open()
			x, _ := io.ReadAll(rc)
			rc.Close()
			if regexp.MustCompile(`<f[ >]`).Match(x) {
				t.Errorf("%s holds a formula element", zf.Name)
			}
		}
	}
}

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Oficio de liberación", "Oficio de liberación"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"1-2", "1-2"},
		{"26/11/2026 16:30:00", "26/11/2026 16:30:00"},
	}
	for _, tt := range tests {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
