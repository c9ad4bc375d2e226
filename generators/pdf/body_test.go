package pdf

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/go-pdf/fpdf"
)

var pdfRect = regexp.MustCompile(`([\d.]+) ([\d.]+) ([\d.]+) ([\d.-]+) re S`)

// TestGridAmountsAndOddPairs draws a two-column totals grid of three
// pairs and reads the page back: amounts end at their cell's right edge,
// and the odd last pair spans the row instead of leaving a half-row empty.
func TestGridAmountsAndOddPairs(t *testing.T) {
	f := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", SizeStr: "Letter"})
	f.SetCompression(false)
	f.SetAutoPageBreak(true, bodyBottom)
	f.AddPage()
	p := &page{f: f}
	cells := []gridCell{
		{label: "Total de paquetes contratados", value: "$4,073.00", align: "R"},
		{label: "Total de consumo", value: "$13,412.64", align: "R"},
		{label: "Total excedente", value: "$9,339.64", align: "R"},
	}
	y := 50.0
	for _, it := range p.gridItems(nil, cells, 2, 0) {
		it.draw(y, it.h)
		y += it.h
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	const k = 72 / 25.4 // points per millimetre
	colW := contentW / 2
	rights := map[string]float64{
		"$4,073.00":  marginL + colW,
		"$13,412.64": marginL + contentW,
		"$9,339.64":  marginL + contentW, // spans the row
	}
	p.setFont("", 9)
	found := 0
	for _, m := range pdfTextOp.FindAllStringSubmatch(buf.String(), -1) {
		right, ok := rights[m[3]]
		if !ok {
			continue
		}
		found++
		x, _ := strconv.ParseFloat(m[1], 64)
		end := x/k + f.GetStringWidth(m[3])
		if want := right - f.GetCellMargin(); math.Abs(end-want) > 0.2 {
			t.Errorf("%s ends at %.1f mm, want %.1f (right-aligned in its cell)", m[3], end, want)
		}
	}
	if found != len(rights) {
		t.Fatalf("found %d of %d amounts on the page", found, len(rights))
	}
	widest := 0.0
	for _, m := range pdfRect.FindAllStringSubmatch(buf.String(), -1) {
		w, _ := strconv.ParseFloat(m[3], 64)
		widest = max(widest, w/k)
	}
	if want := contentW - 30; math.Abs(widest-want) > 0.1 {
		t.Errorf("the odd pair's value cell is %.1f mm wide, want %.1f (the row less its label)", widest, want)
	}
}
