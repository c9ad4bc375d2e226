package chart

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

// sampleCharts are one chart of each shape the statistics draw: months ×
// types stacked, age buckets grouped, long área names (horizontal), money.
func sampleCharts() []legajo.Chart {
	months := []string{"enero de 2026", "febrero de 2026", "marzo de 2026", "abril de 2026"}
	axis := []string{"ene 2026", "feb 2026", "mar 2026", "abr 2026"}
	return []legajo.Chart{
		{ID: "documentos-tipo", Title: "Documentos por mes y tipo", Category: "Mes", Value: "Documentos", Kind: legajo.ChartStacked,
			Categories: months, Axis: axis, Series: []legajo.Series{
				{Name: "Minuta de reunión", Values: []float64{12, 30, 8, 0}},
				{Name: "Oficio de liberación de sistema", Values: []float64{3, 4, 5, 6}},
				{Name: "Acuse de recepción de cuenta de correo electrónico", Values: []float64{1, 0, 2, 9}},
			}},
		{ID: "pendientes", Title: "Pendientes", Category: "Antigüedad", Value: "Documentos", Kind: legajo.ChartGrouped,
			Categories: []string{"Hasta 7 días", "8 a 15 días", "16 a 30 días", "31 a 90 días", "Más de 90 días"},
			Series:     []legajo.Series{{Name: "Pendientes de acuse", Values: []float64{5, 3, 2, 1, 7}}, {Name: "Pendientes de firma", Values: []float64{1, 0, 0, 2, 0}}}},
		{ID: "fallas", Title: "Fallas", Category: "Área", Value: "Reportes de falla", Kind: legajo.ChartStacked,
			Categories: []string{"Hospital General de Tuxpan", "Jurisdicción Sanitaria de Pánuco", "Subdirección de Recursos Materiales y Servicios Generales"},
			Series: []legajo.Series{{Name: "Resueltas en 24 h o menos", Values: []float64{3, 1, 0}}, {Name: "Resueltas entre 24 y 72 h", Values: []float64{1, 2, 1}},
				{Name: "Resueltas en más de 72 h", Values: []float64{0, 1, 0}}, {Name: "Sin resolver", Values: []float64{1, 0, 0}}},
			Extra: []legajo.Series{{Name: "Mediana de resolución (horas)", Values: []float64{20, 30, math.NaN()}}}},
		{ID: "telefonia", Title: "Telefonía", Category: "Mes", Value: "Pesos", Kind: legajo.ChartStacked, Money: true,
			Categories: months, Axis: axis, Series: []legajo.Series{{Name: "Oficinas Centrales", Values: []float64{15234.5, 14100, 16000.25, 15500}}, {Name: "Hospital Regional de Xalapa", Values: []float64{8000, 7600, 9100, 8300}}}},
		{ID: "vacia", Title: "Vacía", Category: "Mes", Value: "Documentos", Categories: months, Axis: axis},
	}
}

func TestSVG(t *testing.T) {
	look := os.Getenv("LEGAJO_CHART_LOOK") // a directory: the charts are written there to be looked at
	for _, c := range sampleCharts() {
		t.Run(c.ID, func(t *testing.T) {
			b, err := SVG(c)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("<svg")) {
				t.Errorf("does not start with <svg: %.40q", b)
			}
			// Well-formed, and every label drawn as text with its accents.
			var texts []string
			d := xml.NewDecoder(bytes.NewReader(b))
			inText := false
			for {
				tok, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("SVG is not well-formed: %v", err)
				}
				switch tok := tok.(type) {
				case xml.StartElement:
					inText = tok.Name.Local == "text"
				case xml.CharData:
					if inText {
						texts = append(texts, string(tok))
					}
				case xml.EndElement:
					inText = false
				}
			}
			all := strings.Join(texts, "\n")
			want := []string{c.Value}
			for _, s := range c.Series { // the legend may cut a long name
				want = append(want, string([]rune(s.Name)[:min(12, len([]rune(s.Name)))]))
			}
			for _, l := range c.AxisLabels() {
				want = append(want, shorten([]string{l}, 28)[0])
			}
			for _, w := range want {
				if !strings.Contains(all, w) {
					t.Errorf("SVG has no text %q; it has %q", w, texts)
				}
			}
			if c.Money && !strings.Contains(all, "$") {
				t.Errorf("money axis without $: %q", texts)
			}
			if look != "" {
				os.WriteFile(filepath.Join(look, c.ID+".svg"), b, 0o644)
			}
		})
	}
}

func TestPNG(t *testing.T) {
	look := os.Getenv("LEGAJO_CHART_LOOK")
	for _, c := range sampleCharts() {
		b, err := PNG(c, 500, 230, 150)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		// 500 pt at 150 dpi.
		if w := img.Bounds().Dx(); w < 1040 || w > 1043 {
			t.Errorf("%s: width %d px, want 1041", c.ID, w)
		}
		if look != "" {
			os.WriteFile(filepath.Join(look, c.ID+".png"), b, 0o644)
		}
	}
}

func TestTicks(t *testing.T) {
	for _, tk := range (ticks{money: true}).Ticks(0, 12500) {
		if tk.Label != "" && !strings.HasPrefix(tk.Label, "$") {
			t.Errorf("money tick %q", tk.Label)
		}
		if tk.Value != math.Trunc(tk.Value) {
			t.Errorf("fractional tick %v", tk.Value)
		}
	}
	if got := group(1234567); got != "1,234,567" {
		t.Errorf("group = %q", got)
	}
}

// BenchmarkChart draws one chart of a year as the page's SVG and as the
// Informe's PNG.
func BenchmarkChart(b *testing.B) {
	c := sampleCharts()[0]
	b.Run("svg", func(b *testing.B) {
		for b.Loop() {
			if _, err := SVG(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("png-150dpi", func(b *testing.B) {
		for b.Loop() {
			if _, err := PNG(c, 485, 215, 150); err != nil {
				b.Fatal(err)
			}
		}
	})
}
