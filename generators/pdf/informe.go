package pdf

import (
	"bytes"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sesver/legajo"
)

// Informe is the monthly Informe del Departamento: the statistics of a
// period gathered for the jefa del departamento, each chart with its table.
type Informe struct {
	Institution legajo.Institution
	Stats       *legajo.Stats
	// Charts are the charts drawn as PNG by chart id (generators/chart),
	// ChartWidth points wide: a chart without one is printed as its table
	// alone.
	Charts map[string][]byte
	// By is who prepares it, by name, on the «Elaboró» line; Jefe is the
	// jefa or jefe del departamento, «Nombre, cargo», on «Vo. Bo.» ("" leaves
	// the line to fill).
	By      string
	Jefe    string
	Printed time.Time
}

// ChartWidth and ChartHeight are the size, in points, the Informe's charts
// are drawn at: the text block's width, so that their lettering prints at
// the size it was drawn.
const (
	ChartWidth  = contentW / 25.4 * 72
	ChartHeight = 215.0
)

// Informe writes the Informe del Departamento on Letter paper.
func (r *Renderer) Informe(w io.Writer, inf Informe) error {
	st := inf.Stats
	if st == nil {
		return legajo.Errorf(legajo.ErrInvalid, "El informe no tiene estadísticas.")
	}
	period := st.Filter.Period()
	s := r.newSheet(inf.Institution, "INFORME", "del Departamento", "Informe del Departamento — "+period, inf.Printed)
	f := s.f
	f.AddPage()
	s.title("INFORME DEL DEPARTAMENTO DE TECNOLOGÍAS DE LA INFORMACIÓN\n" + capitalize(period))
	area := st.Filter.Area
	if area == "" {
		area = "Todas las áreas"
	}
	s.pairs([][2]string{
		{"Periodo", period},
		{"Área", area},
		{"Documentos", legajo.Count(st.Documents, "documento emitido o registrado", "documentos emitidos o registrados") + " en el periodo"},
		{"Fecha", legajo.LongDate(inf.Printed)},
	}, 32)
	f.Ln(2)
	s.paragraph("Las cifras de este informe se obtienen del archivo de Legajo: los documentos, del índice que lo sigue; " +
		"los trámites, de sus movimientos archivados. Un mismo periodo da siempre las mismas cifras mientras el archivo no cambie.")
	f.Ln(2)
	for i, c := range st.Charts {
		s.informeChart(i+1, c, inf.Charts[c.ID])
	}
	s.signatures(inf.By, inf.Jefe)
	return s.finish(w)
}

// informeChart prints one chart: heading, caption, image and table.
func (s *sheet) informeChart(n int, c legajo.Chart, png []byte) {
	f := s.f
	imgH := 0.0
	if len(png) > 0 && !c.Empty() {
		imgH = contentW * ChartHeight / ChartWidth
	}
	// Heading, caption and chart on one page.
	s.ensure(24 + imgH)
	s.heading(strconv.Itoa(n) + ". " + c.Title)
	s.paragraph(c.Caption)
	f.Ln(1)
	if c.Empty() || len(c.Categories) == 0 {
		s.font("I", 9)
		f.CellFormat(contentW, 6, text("Sin datos en el periodo."), "", 1, "L", false, 0, "")
		f.Ln(3)
		return
	}
	if imgH > 0 {
		name := "chart-" + c.ID
		opt := fpdf.ImageOptions{ImageType: "PNG"}
		f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
		y := f.GetY()
		f.ImageOptions(name, marginL, y, contentW, imgH, false, opt, 0, "")
		f.SetY(y + imgH + 2)
	}
	cols := append(append([]legajo.Series{}, c.Series...), c.Extra...)
	catW := 48.0
	if len(cols) > 5 {
		catW = 38
	}
	valW := (contentW - catW) / float64(len(cols))
	tc := []column{{title: c.Category, w: catW, align: "L"}}
	for _, sr := range cols {
		tc = append(tc, column{title: sr.Name, w: valW, align: "R"})
	}
	s.wrappedHeader(tc)
	for i, cat := range c.Categories {
		cells := []string{cat}
		for _, sr := range cols {
			v := math.NaN()
			if i < len(sr.Values) {
				v = sr.Values[i]
			}
			cells = append(cells, c.FormatValue(sr, v))
		}
		s.tableRowRepeating(tc, cells)
	}
	f.Ln(5)
}

// wrappedHeader prints a table header whose titles wrap (series names are
// long): all cells as tall as the tallest.
func (s *sheet) wrappedHeader(cols []column) {
	f := s.f
	s.font("B", 7)
	const lh = 3.2
	lines := 1
	for _, c := range cols {
		lines = max(lines, len(f.SplitLines([]byte(text(c.title)), c.w-1)))
	}
	h := float64(lines)*lh + 1.6
	s.ensure(h + 8)
	x, y := f.GetXY()
	f.SetFillColor(225, 225, 225)
	for _, c := range cols {
		f.Rect(x, y, c.w, h, "FD")
		f.SetXY(x+0.5, y+0.8)
		f.MultiCell(c.w-1, lh, text(c.title), "", "C", false)
		x += c.w
	}
	f.SetFillColor(255, 255, 255)
	f.SetXY(marginL, y+h)
}

// tableRowRepeating is tableRow repeating the wrapped header on a new page.
func (s *sheet) tableRowRepeating(cols []column, cells []string) {
	f := s.f
	if _, bottom := f.GetAutoPageBreak(); f.GetY()+5.1 > pageH-bottom {
		f.AddPage()
		s.wrappedHeader(cols)
	}
	s.tableRow(cols, cells)
}

// signatures prints the «Elaboró» and «Vo. Bo.» lines side by side.
func (s *sheet) signatures(by, jefe string) {
	f := s.f
	s.ensure(32)
	f.Ln(14)
	y := f.GetY()
	const w = 70.0
	for i, sg := range [][2]string{{"ELABORÓ", by}, {"Vo. Bo.", jefe}} {
		x := marginL + float64(i)*(contentW-w)
		f.Line(x, y, x+w, y)
		f.SetXY(x, y+1)
		s.font("", 8.5)
		f.MultiCell(w, 4, text(sg[1]), "", "C", false)
		f.SetXY(x, f.GetY())
		s.font("B", 8.5)
		f.CellFormat(w, 4, text(sg[0]), "", 0, "C", false, 0, "")
	}
	f.Ln(6)
}
