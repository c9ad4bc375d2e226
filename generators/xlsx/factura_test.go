package xlsx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// sampleWorkbook writes the sample bill as a carrier's XLSX: a title row,
// the headers, amounts as numbers formatted with thousands.
func sampleWorkbook(t testing.TB) []byte { return workbookOf(t, fixtures.SampleBill()) }

func workbookOf(t testing.TB, bill []byte) []byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bill)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	sw.SetRow("A1", []any{"Detalle de consumos por línea — SIANA"})
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
			if i > 0 && j >= 6 {
				v, err := strconv.ParseFloat(strings.ReplaceAll(c, ",", ""), 64)
				if err != nil {
					t.Fatal(err)
				}
				cells[j] = excelize.Cell{Value: v, StyleID: style}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The same bill read from XLSX and from CSV gives the same lines; rows are
// numbered as Excel shows them.
func TestReadSheetBill(t *testing.T) {
	fromCSV, err := legajo.ParseBill(fixtures.SampleBill(), legajo.DefaultBillLayout, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromXLSX, err := legajo.ParseBill(sampleWorkbook(t), legajo.DefaultBillLayout, ReadSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromXLSX.Lines) != len(fromCSV.Lines) {
		t.Fatalf("%d lines, want %d", len(fromXLSX.Lines), len(fromCSV.Lines))
	}
	for i, l := range fromXLSX.Lines {
		want := fromCSV.Lines[i]
		want.Row += 2 // the title and the blank row above the headers
		if l != want {
			t.Fatalf("line %d: %+v, want %+v", i, l, want)
		}
	}
	// A sum stored with Excel's binary tail reads as centavos.
	for in, want := range map[string]string{"606.59000000000003": "606.59", "0.30000000000000004": "0.30", "12.5": "12.5", "Línea 2.005": "Línea 2.005", "2288123456": "2288123456"} {
		if got := centavos(in); got != want {
			t.Errorf("centavos(%q) = %q, want %q", in, got, want)
		}
	}
	_, err = legajo.ParseBill([]byte("PK\x03\x04not a zip at all"), legajo.DefaultBillLayout, ReadSheet)
	var ve *legajo.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "El archivo de Excel no se pudo leer: no es un libro de Excel válido.") {
		t.Errorf("broken workbook: %v", err)
	}
}

// BenchmarkBillParse reads a 5,000-line bill, CSV against XLSX (the same
// cells, amounts as formatted numbers).
func BenchmarkBillParse(b *testing.B) {
	csv := fixtures.TelephonyBill(fixtures.SampleBillPeriod, 5000)
	for _, format := range []struct {
		name string
		data []byte
	}{{"csv", csv}, {"xlsx", workbookOf(b, csv)}} {
		b.Run(format.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(format.data)))
			for b.Loop() {
				if _, err := legajo.ParseBill(format.data, legajo.DefaultBillLayout, ReadSheet); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
