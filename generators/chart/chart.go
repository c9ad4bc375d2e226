// Package chart draws the charts of the statistics (legajo.Chart) as SVG
// for the web page and as PNG for the Informe del Departamento. It is the
// only package that imports gonum.org/v1/plot.
//
// gonum/plot was chosen over hand-drawn SVG and over other Go plotting
// libraries because it is a pure-Go, well-kept library (no cgo, no browser,
// no JavaScript) that does the real work a chart needs — nice axis ticks,
// stacked and grouped bars, legends, text measured with real font metrics
// (Liberation, so accents and ñ are drawn and sized right) — and draws the
// same plot to several back ends: vgsvg for the page, vgimg for PNG. The
// Informe embeds PNG rather than gonum's vgpdf: vgpdf writes a standalone
// PDF with its own copy of fpdf, which cannot be placed on a page of the
// Informe that generators/pdf lays out, while a PNG at print resolution is
// placed by fpdf like the letterhead's logo.
package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/sesver/legajo"
)

// Palette is the colours of the series in order: the Okabe–Ito palette,
// told apart by people with the common colour-vision deficiencies, and
// dark enough to read on paper. The XLSX charts use the same.
var Palette = []string{"0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00", "999999", "F0E442"}

// seriesColor is the colour of series s, the i-th of its chart: its own,
// or the palette's.
func seriesColor(s legajo.Series, i int) string {
	if s.Color != "" {
		return s.Color
	}
	return Palette[i%len(Palette)]
}

func rgb(hex string) color.Color {
	v, _ := strconv.ParseUint(hex, 16, 32)
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}
}

// Size of a chart on the page, in points.
const (
	Width  = 560
	Height = 300
)

// SVG draws c as an SVG element (no XML declaration), to be placed in an
// HTML page; it scales to its container through its viewBox.
func SVG(c legajo.Chart) ([]byte, error) {
	canvas := vgsvg.New(Width, Height)
	if err := drawChart(c, draw.New(canvas)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart: %s: %w", c.ID, err)
	}
	out := b.Bytes()
	if i := bytes.Index(out, []byte("<svg")); i > 0 {
		out = out[i:]
	}
	// Arial has Liberation Sans's metrics: where Liberation is not
	// installed, the labels still fit the space measured for them.
	return bytes.ReplaceAll(out, []byte("font-family:Liberation Sans;"), []byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
}

// PNG draws c as a PNG of w × h points at dpi dots per inch.
func PNG(c legajo.Chart, w, h float64, dpi int) ([]byte, error) {
	canvas := vgimg.NewWith(vgimg.UseWH(vg.Length(w), vg.Length(h)), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	if err := drawChart(c, draw.New(canvas)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart: %s: %w", c.ID, err)
	}
	return b.Bytes(), nil
}

// horizontal tells whether the categories' labels are too long to stand
// under vertical bars (áreas, procedures); months are not.
func horizontal(c legajo.Chart) bool {
	for _, l := range c.AxisLabels() {
		if len([]rune(l)) > 10 {
			return true
		}
	}
	return false
}

const fontSize = 10

func drawChart(c legajo.Chart, dc draw.Canvas) error {
	p := plot.New()
	p.BackgroundColor = color.White
	txt := func(size float64) font.Font { return font.From(sans, vg.Length(size)) }
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = txt(fontSize + 1)
		ax.Tick.Label.Font = txt(fontSize)
	}
	labels := c.AxisLabels()
	horiz := horizontal(c)
	n := len(labels)
	if n == 0 {
		labels, n = []string{"Sin datos"}, 1
	}
	// Bar width: the space of one category, shared by the series when
	// grouped.
	// of the canvas, less the axes and the legend, roughly.
	span := float64(dc.Max.X-dc.Min.X) * 0.55 / float64(n)
	if horiz {
		span = float64(dc.Max.Y-dc.Min.Y-40) / float64(n)
	}
	barW := math.Min(span*0.7, 48)
	groups := 1
	if c.Kind == legajo.ChartGrouped && len(c.Series) > 1 {
		groups = len(c.Series)
	}
	barW /= float64(groups)
	grid := plotter.NewGrid()
	grid.Vertical.Width, grid.Horizontal.Width = 0, 0
	if horiz {
		grid.Vertical.Width = vg.Points(0.5)
		grid.Vertical.Color = color.Gray{Y: 220}
	} else {
		grid.Horizontal.Width = vg.Points(0.5)
		grid.Horizontal.Color = color.Gray{Y: 220}
	}
	p.Add(grid) // first: under the bars
	var prev *plotter.BarChart
	var legend []*plotter.BarChart
	for i, s := range c.Series {
		vals := make(plotter.Values, n)
		for j := range vals {
			k := j
			if horiz { // the first category on top, as in the table
				k = n - 1 - j
			}
			if k < len(s.Values) && !math.IsNaN(s.Values[k]) {
				vals[j] = s.Values[k]
			}
		}
		bars, err := plotter.NewBarChart(vals, vg.Length(barW))
		if err != nil {
			return fmt.Errorf("chart: %s: %w", c.ID, err)
		}
		bars.Color = rgb(seriesColor(s, i))
		bars.LineStyle.Width = 0
		bars.Horizontal = horiz
		if groups > 1 {
			off := (float64(i) - float64(groups-1)/2) * barW
			if horiz { // the first series on top
				off = -off
			}
			bars.Offset = vg.Length(off)
		} else if prev != nil {
			bars.StackOn(prev)
		}
		prev = bars
		p.Add(bars)
		legend = append(legend, bars)
	}
	value, cat := &p.Y, &p.X
	if horiz {
		value, cat = &p.X, &p.Y
		p.NominalY(reversed(shorten(labels, 28))...)
	} else {
		p.NominalX(labels...)
	}
	cat.Label.Text = ""
	cat.Min, cat.Max = -0.5, float64(n)-0.5 // every category, bars or not
	value.Label.Text = c.Value
	value.Min = 0
	value.Tick.Marker = ticks{money: c.Money}
	if max := maxValue(c, groups > 1); max == 0 {
		value.Max = 1
	} else {
		value.Max = max * 1.05
	}
	leg := plot.NewLegend()
	leg.TextStyle.Font = txt(fontSize - 0.5)
	leg.ThumbnailWidth = vg.Points(10)
	leg.Padding = vg.Points(3)
	leg.Top, leg.Left = true, true

	// The legend stands beside the plot, never over its bars, and takes
	// at most 40 % of the width: longer names are cut (the table has them
	// whole).
	extra := leg.ThumbnailWidth + vg.Points(16)
	maxW := (dc.Max.X-dc.Min.X)*0.4 - extra
	lw := vg.Length(0)
	for i, s := range c.Series {
		name := []rune(s.Name)
		label := s.Name
		for len(name) > 4 && leg.TextStyle.Width(label) > maxW {
			name = name[:len(name)-1]
			label = strings.TrimSpace(string(name)) + "…"
		}
		leg.Add(label, legend[i])
		lw = max(lw, leg.TextStyle.Width(label))
	}
	lw += extra
	pad := vg.Points(6)
	plotArea := draw.Crop(dc, pad, -lw, pad, -2*pad)
	legendArea := draw.Crop(dc, dc.Max.X-dc.Min.X-lw+2*pad, 0, 0, -2*pad)
	p.Draw(plotArea)
	leg.Draw(legendArea)
	return nil
}

// sans is the face of every text: Liberation Sans, metric-compatible
// with Arial, which browsers substitute when it is not installed.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func shorten(labels []string, max int) []string {
	out := make([]string, len(labels))
	for i, l := range labels {
		r := []rune(l)
		if len(r) > max {
			l = strings.TrimSpace(string(r[:max-1])) + "…"
		}
		out[i] = l
	}
	return out
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// maxValue is the top of the value axis: the highest stack, or bar when
// grouped.
func maxValue(c legajo.Chart, grouped bool) float64 {
	var max float64
	for j := range c.Categories {
		if grouped {
			for _, s := range c.Series {
				if j < len(s.Values) && s.Values[j] > max {
					max = s.Values[j]
				}
			}
		} else if t := c.Total(j); t > max {
			max = t
		}
	}
	return max
}

// ticks marks the value axis with round numbers, whole ones only (a count
// of documents has no halves), written as Mexicans read them: 1,500 and
// $12,000.
type ticks struct{ money bool }

func (t ticks) Ticks(min, max float64) []plot.Tick {
	// A step of 1, 2 or 5 times a power of ten giving four to ten marks.
	step := 1.0
	for (max-min)/step > 8 {
		switch d := step / math.Pow(10, math.Floor(math.Log10(step))); d {
		case 1:
			step *= 2
		case 2:
			step *= 2.5
		default:
			step *= 2
		}
	}
	var out []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		label := group(int64(v))
		if t.money {
			label = "$" + label
		}
		out = append(out, plot.Tick{Value: v, Label: label})
	}
	return out
}

func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
