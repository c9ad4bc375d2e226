package pdf

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sesver/legajo"
)

// Inventario writes an inventario documental (kind general, transferencia
// or baja) of the yearly expedientes in rows, as legajo.Inventory defines
// it, to print and sign: landscape Letter, the table's header repeated on
// every page, the totals and the signatures at the end, «Página n de m» at
// the foot. An unknown kind is legajo.ErrInvalid.
func (r *Renderer) Inventario(w io.Writer, kind string, rows []legajo.ExpedienteSummary, info legajo.InstrumentInfo) error {
	def, err := legajo.Inventory(kind, rows, info)
	if err != nil {
		return err
	}
	printed(def)
	captions := map[string]string{legajo.InventoryGeneral: "general del archivo de trámite",
		legajo.InventoryTransferencia: "de transferencia primaria", legajo.InventoryBaja: "de baja documental"}
	return r.instrument(w, def, "INVENTARIO", captions[kind], info)
}

// printed leaves out of def the columns only a spreadsheet has room for.
func printed(def *legajo.Instrument) {
	var keep []int
	var cols []legajo.InstrumentColumn
	for i, c := range def.Columns {
		if !c.SpreadsheetOnly {
			keep = append(keep, i)
			cols = append(cols, c)
		}
	}
	rows := make([][]any, len(def.Rows))
	for r, row := range def.Rows {
		for _, i := range keep {
			rows[r] = append(rows[r], row[i])
		}
	}
	def.Columns, def.Rows = cols, rows
}

// Landscape Letter geometry for instruments, in millimetres.
const (
	landW        = pageH
	landH        = pageW
	landContentW = landW - marginL - marginR
	landFooter   = 17.0 // reserved at the bottom
	landLine     = 2.8  // table line height
	headSize     = 5.5  // table header, points
	cellSize     = 6.0  // table cells, points
)

// landscape is an instrument being laid out on landscape pages.
type landscape struct {
	*sheet
	cols  []legajo.InstrumentColumn
	width []float64
}

// instrument lays out an instrument defined in the root package.
func (r *Renderer) instrument(w io.Writer, def *legajo.Instrument, mark, caption string, info legajo.InstrumentInfo) error {
	at := info.At
	s := r.newSheet(info.Institution, mark, caption, def.Title, at)
	f := s.f
	l := &landscape{sheet: s, cols: def.Columns}
	f.SetMargins(marginL, bodyTop, marginR)
	f.SetAutoPageBreak(false, 0)
	f.SetHeaderFuncMode(func() { l.header(mark, caption) }, true)
	f.SetFooterFunc(func() { l.footer(def.Sheet, at) })
	l.widths(def.Rows)
	l.addPage()

	s.font("B", 12)
	f.CellFormat(landContentW, 6, text(def.Title), "", 1, "C", false, 0, "")
	f.Ln(1.5)
	l.fields(def.Left, def.Right)
	f.Ln(3)
	l.tableHeader()
	if len(def.Rows) == 0 {
		s.font("I", 8)
		f.CellFormat(landContentW, 7, text(legajo.NoRows), "1", 1, "C", false, 0, "")
	}
	for _, row := range def.Rows {
		l.row(row)
	}
	// The totals, the notes and the signatures stay together: a page of
	// signatures alone could be taken off the inventory it closes.
	s.font("I", 7.5)
	end := 3 + totalsH + sigH
	for _, n := range def.Notes {
		end += float64(len(f.SplitLines([]byte(text(n)), landContentW)))*3.6 + 1
	}
	l.ensure(end)
	f.Ln(3)
	l.totals(def.Totals)
	for _, n := range def.Notes {
		s.font("I", 7.5)
		f.MultiCell(landContentW, 3.6, text(n), "", "J", false)
		f.Ln(1)
	}
	l.signatures(def.Signers)
	return s.finish(w)
}

// widths shares the page width out. Every column first gets what it
// cannot do without: its title's longest word, its whole value when it
// is a date or a number, the longest piece of a code. Wrapped columns get
// room for their longest word, and what is left goes to them in the
// proportions of their longest texts: words break only where they must.
func (l *landscape) widths(rows [][]any) {
	f := l.f
	const maxNeed = 30.0
	n := len(l.cols)
	hard, soft := make([]float64, n), make([]float64, n)
	pad := 2*f.GetCellMargin() + 0.4
	l.font("B", headSize)
	for i, c := range l.cols {
		for _, word := range strings.Fields(title(c)) {
			hard[i] = max(hard[i], f.GetStringWidth(text(word))+pad)
		}
	}
	// A wrapped column's share of what is left follows its longest text:
	// rows are as short as they can be when their cells wrap to about
	// the same number of lines.
	weight := make([]float64, n)
	l.font("", cellSize)
	for _, row := range rows {
		for i, c := range l.cols {
			v := valueText(row[i])
			switch c.Kind {
			case legajo.ColumnDate, legajo.ColumnInteger:
				hard[i] = max(hard[i], f.GetStringWidth(text(v))+pad)
			case legajo.ColumnText:
				// one line in a spreadsheet; on paper a code may break
				// after a dot or a slash
				for _, word := range strings.Fields(v) {
					for _, piece := range pieces(word) {
						hard[i] = max(hard[i], min(maxNeed, f.GetStringWidth(text(piece))+pad))
					}
				}
			default:
				weight[i] = max(weight[i], f.GetStringWidth(text(v)))
				for _, word := range strings.Fields(v) {
					for _, piece := range pieces(word) {
						soft[i] = max(soft[i], min(maxNeed, f.GetStringWidth(text(piece))+pad))
					}
				}
			}
		}
	}
	l.width = make([]float64, n)
	used, wanted, weights := 0.0, 0.0, 0.0
	for i := range l.cols {
		l.width[i] = hard[i]
		used += hard[i]
		soft[i] = max(0, soft[i]-hard[i])
		wanted += soft[i]
		weights += weight[i]
	}
	budget := landContentW - used
	if budget < 0 {
		// more than the page holds: shrink every column alike
		for i := range l.width {
			l.width[i] *= landContentW / used
		}
		return
	}
	share := min(1, budget/max(wanted, 0.001))
	for i := range l.cols {
		l.width[i] += soft[i] * share
	}
	budget -= wanted * share
	for i := range l.cols {
		if weights > 0 {
			l.width[i] += budget * weight[i] / weights
		} else {
			l.width[i] += budget / float64(n)
		}
	}
}

func (l *landscape) addPage() {
	l.f.AddPageFormat("L", fpdf.SizeType{Wd: pageW, Ht: pageH})
}

// ensure starts a new page unless h millimetres fit above the footer.
func (l *landscape) ensure(h float64) bool {
	if l.f.GetY()+h > landH-landFooter {
		l.addPage()
		return true
	}
	return false
}

// header draws the letterhead, the instrument's mark framed on the right
// and the rule under them.
func (l *landscape) header(mark, caption string) {
	f := l.f
	letterhead(f, l.inst, l.r.logoType, marginT)
	const w = 60.0
	bx, by := landW-marginR-w, marginT-1
	f.SetLineWidth(0.5)
	f.Rect(bx, by, w, 17, "D")
	f.SetLineWidth(0.2)
	f.SetXY(bx, by+2)
	l.font("B", 15)
	f.CellFormat(w, 7, text(mark), "", 2, "C", false, 0, "")
	l.font("", 7.5)
	f.CellFormat(w, 4, text(caption), "", 2, "C", false, 0, "")
	f.SetDrawColor(150, 120, 60)
	f.SetLineWidth(0.6)
	f.Line(marginL, bodyTop-6, landW-marginR, bodyTop-6)
	f.SetLineWidth(0.2)
	f.SetDrawColor(0, 0, 0)
	if legend := l.inst.YearLegend(l.info.Date.Year()); legend != "" {
		f.SetXY(marginL, bodyTop-5)
		l.font("I", 7.5)
		f.CellFormat(landContentW, 3.5, text(legend), "", 0, "C", false, 0, "")
	}
	f.SetXY(marginL, bodyTop)
}

func (l *landscape) footer(name string, at time.Time) {
	f := l.f
	top := landH - 13
	f.SetDrawColor(150, 120, 60)
	f.Line(marginL, top, landW-marginR, top)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(marginL, top+1)
	l.font("B", 8)
	f.CellFormat(landContentW-40, 4, text(name), "", 0, "L", false, 0, "")
	l.font("", 8)
	f.CellFormat(40, 4, text("Página "+strconv.Itoa(f.PageNo())+" de {nb}"), "", 2, "R", false, 0, "")
	f.SetX(marginL)
	l.font("", cellSize)
	line := "Generado por Legajo el " + at.Format("02/01/2006") + " a las " + at.Format("15:04") + " horas"
	if l.inst.Address != "" {
		line += " · " + l.inst.Address
	}
	f.CellFormat(landContentW, 3.2, text(line), "", 2, "L", false, 0, "")
}

// fields prints the identification fields in two framed groups side by
// side.
func (l *landscape) fields(left, right []legajo.InstrumentField) {
	f := l.f
	const labelW, lh = 38.0, 4.4
	half := (landContentW - 6) / 2
	y0 := f.GetY()
	for i := 0; i < max(len(left), len(right)); i++ {
		y := y0 + float64(i)*lh
		for j, group := range [][]legajo.InstrumentField{left, right} {
			if i >= len(group) {
				continue
			}
			x := marginL + float64(j)*(half+6)
			f.SetXY(x, y)
			f.SetFillColor(235, 235, 235)
			l.font("B", 7.5)
			f.CellFormat(labelW, lh, text(group[i].Label), "1", 0, "L", true, 0, "")
			l.font("", 8)
			f.CellFormat(half-labelW, lh, text(fieldText(group[i].Value)), "1", 0, "L", false, 0, "")
			f.SetFillColor(255, 255, 255)
		}
	}
	f.SetXY(marginL, y0+float64(max(len(left), len(right)))*lh)
}

// fieldText writes a field's value; a blank string is a line to fill.
func fieldText(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "______________________________"
		}
		return x
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if x.Hour() != 0 || x.Minute() != 0 {
			return x.Format("02/01/2006 15:04")
		}
		return legajo.ShortDate(x)
	}
	return valueText(v)
}

// valueText writes a table value: dates dd/mm/aaaa, numbers with digits
// only, blanks empty.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return legajo.ShortDate(x)
	}
	return ""
}

// title is a column's title as printed: its short form when it has one.
func title(c legajo.InstrumentColumn) string {
	if c.Short != "" {
		return c.Short
	}
	return c.Title
}

// pieces splits a word where a line may break inside it: after a slash,
// a dot or a hyphen (SESVER.08C.09/2026/1 gives SESVER., 08C., 09/,
// 2026/, 1).
func pieces(word string) []string {
	var out []string
	start := 0
	for i, r := range word {
		if (r == '/' || r == '.' || r == '-') && i+1 < len(word) {
			out = append(out, word[start:i+1])
			start = i + 1
		}
	}
	return append(out, word[start:])
}

// lines splits a cell's text to its column's width in the current font:
// at spaces, inside a long word only after a slash, dot or hyphen, and
// between letters only when a piece alone is wider than the column.
func (l *landscape) lines(s string, w float64) []string {
	f := l.f
	avail := w - 2*f.GetCellMargin()
	width := func(x string) float64 { return f.GetStringWidth(text(x)) }
	var out []string
	line := ""
	add := func(piece, sep string) {
		switch {
		case line == "":
			line = piece
		case width(line+sep+piece) <= avail:
			line += sep + piece
		default:
			out = append(out, line)
			line = piece
		}
		// a piece wider than the column breaks between letters
		for width(line) > avail && len([]rune(line)) > 1 {
			r := []rune(line)
			n := len(r) - 1
			for n > 1 && width(string(r[:n])) > avail {
				n--
			}
			out = append(out, string(r[:n]))
			line = string(r[n:])
		}
	}
	for _, word := range strings.Fields(s) {
		for j, piece := range pieces(word) {
			sep := " "
			if j > 0 {
				sep = ""
			}
			add(piece, sep)
		}
	}
	out = append(out, line)
	for i := range out {
		out[i] = text(out[i])
	}
	return out
}

// tableHeader prints the column titles, wrapped, on a grey band; it is
// repeated at the top of every page the table reaches.
func (l *landscape) tableHeader() {
	f := l.f
	l.font("B", headSize)
	split := make([][]string, len(l.cols))
	n := 1
	for i, c := range l.cols {
		split[i] = l.lines(title(c), l.width[i])
		n = max(n, len(split[i]))
	}
	h := float64(n)*2.6 + 1.4
	x, y := f.GetXY()
	f.SetFillColor(225, 225, 225)
	for i := range l.cols {
		f.Rect(x, y, l.width[i], h, "FD")
		top := y + (h-float64(len(split[i]))*2.6)/2
		for j, s := range split[i] {
			f.SetXY(x, top+float64(j)*2.6)
			f.CellFormat(l.width[i], 2.6, s, "", 0, "C", false, 0, "")
		}
		x += l.width[i]
	}
	f.SetFillColor(255, 255, 255)
	f.SetXY(marginL, y+h)
}

// row prints one row of wrapped cells, on a new page under the repeated
// header when it does not fit.
func (l *landscape) row(values []any) {
	f := l.f
	l.font("", cellSize)
	split := make([][]string, len(l.cols))
	n := 1
	for i := range l.cols {
		split[i] = l.lines(valueText(values[i]), l.width[i])
		n = max(n, len(split[i]))
	}
	h := float64(n)*landLine + 1.4
	if l.ensure(h) {
		l.tableHeader()
		l.font("", cellSize)
	}
	x, y := f.GetXY()
	for i, c := range l.cols {
		f.Rect(x, y, l.width[i], h, "D")
		align := "L"
		switch c.Kind {
		case legajo.ColumnInteger:
			align = "R"
		case legajo.ColumnDate:
			align = "C"
		}
		for j, s := range split[i] {
			f.SetXY(x, y+0.7+float64(j)*landLine)
			f.CellFormat(l.width[i], landLine, s, "", 0, align, false, 0, "")
		}
		x += l.width[i]
	}
	f.SetXY(marginL, y+h)
}

// Heights of the closing blocks: totals, and signatures with their
// space to sign.
const (
	totalsH = 5 + 2*4.6 + 4
	sigH    = 4 + 30
)

// totals prints the instrument's totals as one framed band of label and
// value pairs.
func (l *landscape) totals(totals []legajo.InstrumentField) {
	if len(totals) == 0 {
		return
	}
	f := l.f
	const lh = 4.6
	l.font("B", 8.5)
	f.CellFormat(landContentW, 5, text("Totales"), "", 1, "L", false, 0, "")
	w := landContentW / float64(len(totals))
	x, y := f.GetXY()
	for i, t := range totals {
		f.SetXY(x+float64(i)*w, y)
		f.SetFillColor(235, 235, 235)
		l.font("B", 7)
		f.CellFormat(w, lh, text(t.Label), "1", 0, "C", true, 0, "")
		f.SetXY(x+float64(i)*w, y+lh)
		l.font("", 8.5)
		v := ""
		if t.Value != "" {
			v = fieldText(t.Value) // a blank string stays an empty box to fill
		}
		f.CellFormat(w, lh+1, text(v), "1", 0, "C", false, 0, "")
	}
	f.SetFillColor(255, 255, 255)
	f.SetXY(marginL, y+2*lh+4)
}

// signatures prints the signature blocks side by side: caption, space to
// sign, a rule, and the name and position when known.
func (l *landscape) signatures(signers []legajo.InstrumentSigner) {
	if len(signers) == 0 {
		return
	}
	f := l.f
	f.Ln(4)
	w := landContentW / float64(len(signers))
	y := f.GetY()
	for i, s := range signers {
		x := marginL + float64(i)*w
		f.SetXY(x+4, y)
		l.font("B", 7.5)
		f.MultiCell(w-8, 3.4, text(s.Caption), "", "C", false)
		f.Line(x+8, y+20, x+w-8, y+20)
		f.SetXY(x+4, y+21)
		who := s.Who
		if who == "" {
			who = "Nombre y cargo"
		}
		l.font("", 7.5)
		f.MultiCell(w-8, 3.4, text(who), "", "C", false)
	}
	f.SetXY(marginL, y+30)
}
