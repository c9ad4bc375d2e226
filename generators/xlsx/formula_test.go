package xlsx_test

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/xlsx"
)

// injections are what a clerk could type into a subject, a trámite or a
// reason hoping that a spreadsheet runs it.
var injections = []string{`=HYPERLINK("http://x","y")`, `@SUM(A1)`, `+1`, `-1`, `=1+1`}

// TestTrailKeepsTextAsText: text that looks like a formula is written as
// a string cell, never as a formula, whatever column it lands in.
func TestTrailKeepsTextAsText(t *testing.T) {
	var evs []legajo.TrailEvent
	for i, s := range injections {
		evs = append(evs, legajo.TrailEvent{At: at("2026-03-02 09:30").Add(time.Duration(i) * time.Minute), Event: legajo.EventCancelado,
			Folio: "SESVER/DA/DTI/TI/000" + string(rune('1'+i)) + "/2026", Type: "tarjeta-informativa", Title: s,
			Subject: s, Area: s, Tramite: s, Expediente: "dti", Author: s, Reason: s, Status: legajo.StatusCancelado})
	}
	b := writeTrail(t, evs, info(true))
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(xlsx.TrailSheet)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for r, row := range rows {
		for c, v := range row {
			if !isInjection(v) {
				continue
			}
			found++
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, _ := f.GetCellFormula(xlsx.TrailSheet, cell); fm != "" {
				t.Errorf("%s %q is a formula: %q", cell, v, fm)
			}
			if ty, _ := f.GetCellType(xlsx.TrailSheet, cell); ty != excelize.CellTypeInlineString && ty != excelize.CellTypeSharedString {
				t.Errorf("%s %q is of type %v, not a string", cell, v, ty)
			}
		}
	}
	if want := len(injections) * 6; found != want {
		t.Errorf("%d cells hold the injected text unchanged, want %d", found, want)
	}
	if d := dump(t, b); strings.Contains(d, "fórmula") || !strings.Contains(d, `texto =HYPERLINK("http://x","y")`) {
		t.Errorf("the dump shows a formula or lost the text:\n%s", d)
	}
	// And in the package itself: no <f> element in any sheet.
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	formula := regexp.MustCompile(`<f[ >]`)
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") {
			continue
		}
		rc, _ := zf.Open()
		x, _ := io.ReadAll(rc)
		rc.Close()
		if formula.Match(x) {
			t.Errorf("%s holds a formula", zf.Name)
		}
	}
}

func isInjection(s string) bool {
	for _, x := range injections {
		if s == x {
			return true
		}
	}
	return false
}
