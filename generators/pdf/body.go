package pdf

import (
	"time"

	"github.com/sesver/legajo"
)

// body renders the definition's blocks in order.
func (p *page) body() {
	d := p.d
	for _, b := range d.Type.Body {
		if !d.Holds(b.When) {
			continue
		}
		switch b.Kind {
		case legajo.BlockTitle:
			p.ensure(20)
			p.title(p.expand(b.Text), 11)
		case legajo.BlockHeading:
			p.heading(p.expand(b.Text))
		case legajo.BlockText:
			p.paragraph(p.expand(b.Text))
			p.space(2.5)
		case legajo.BlockData:
			var cells []gridCell
			for _, name := range b.Fields {
				if v := d.Display(name, p.tanto); v != "" {
					cells = append(cells, gridCell{label: d.Type.Field(name).Label, value: v})
				}
			}
			p.gridRows(cells, b.Columns)
			p.space(3)
		case legajo.BlockTable:
			f := d.Type.Field(b.Fields[0])
			if v, ok := d.Values[f.Name]; ok && len(v.Rows) > 0 {
				p.table(f, v.Rows)
				p.space(3)
			}
		case legajo.BlockField:
			if v := d.Display(b.Fields[0], p.tanto); v != "" {
				p.heading(d.Type.Field(b.Fields[0]).Label)
				p.paragraph(v)
				p.space(2.5)
			}
		}
	}
}

func (p *page) heading(s string) {
	p.ensure(16) // keep a heading with at least two lines of what follows
	p.space(1)
	p.font("B", 10)
	p.f.MultiCell(contentW, 5, text(s), "", "L", false)
	p.space(1)
}

// paragraph writes justified text; blank lines separate paragraphs.
func (p *page) paragraph(s string) {
	p.font("", 10)
	p.f.MultiCell(contentW, lineH+0.4, text(s), "", "J", false)
}

// lines counts the lines s takes in width w with the current font.
func (p *page) lines(s string, w float64) int {
	if s == "" {
		return 1
	}
	return max(1, len(p.f.SplitLines([]byte(s), w)))
}

type gridCell struct{ label, value string }

// gridRows draws framed label/value cells, one or two pairs per row.
func (p *page) gridRows(cells []gridCell, columns int) {
	f := p.f
	if len(cells) == 0 {
		return
	}
	colW := contentW / float64(columns)
	labelW := 48.0
	if columns == 2 {
		labelW = 30.0
	}
	const lh = 4.2
	_, bottom := f.GetAutoPageBreak()
	usable := pageH - bottom - bodyTop
	for i := 0; i < len(cells); i += columns {
		row := cells[i:min(i+columns, len(cells))]
		h := 0.0
		for _, c := range row {
			p.font("B", 8)
			hl := float64(p.lines(text(c.label), labelW-2)) * lh
			p.font("", 9)
			hv := float64(p.lines(text(c.value), colW-labelW-2)) * lh
			h = max(h, hl, hv)
		}
		h += 2
		if h > usable {
			// Too long for a framed cell: label, then flowing text.
			for _, c := range row {
				p.heading(c.label)
				p.paragraph(c.value)
			}
			continue
		}
		p.ensure(h)
		y := f.GetY()
		for j, c := range row {
			x := marginL + float64(j)*colW
			f.SetFillColor(235, 235, 235)
			f.Rect(x, y, labelW, h, "FD")
			f.Rect(x+labelW, y, colW-labelW, h, "D")
			f.SetXY(x, y+1)
			p.font("B", 8)
			f.MultiCell(labelW, lh, text(c.label), "", "L", false)
			f.SetXY(x+labelW, y+1)
			p.font("", 9)
			f.MultiCell(colW-labelW, lh, text(c.value), "", "L", false)
		}
		f.SetFillColor(255, 255, 255)
		f.SetXY(marginL, y+h)
	}
}

// table draws a table field; rows that do not fit continue on the next
// page under a repeated header.
func (p *page) table(fd *legajo.Field, rows []legajo.Row) {
	f := p.f
	total := 0.0
	for _, c := range fd.Columns {
		total += colWeight(c)
	}
	widths := make([]float64, len(fd.Columns))
	for i, c := range fd.Columns {
		widths[i] = contentW * colWeight(c) / total
	}
	const lh = 3.8
	header := func() {
		p.font("B", 8)
		h := 0.0
		for i, c := range fd.Columns {
			h = max(h, float64(p.lines(text(c.Label), widths[i]-2))*lh)
		}
		h += 2
		y := f.GetY()
		x := marginL
		f.SetFillColor(220, 220, 220)
		for i, c := range fd.Columns {
			f.Rect(x, y, widths[i], h, "FD")
			f.SetXY(x, y+1)
			f.MultiCell(widths[i], lh, text(c.Label), "", "C", false)
			x += widths[i]
		}
		f.SetFillColor(255, 255, 255)
		f.SetXY(marginL, y+h)
	}
	auto, bottom := f.GetAutoPageBreak()
	f.SetAutoPageBreak(false, bottom)
	defer f.SetAutoPageBreak(auto, bottom)
	limit := pageH - bottom
	p.ensureNoBreak(14, limit)
	header()
	cells := make([]string, len(fd.Columns))
	for _, r := range rows {
		p.font("", 8.5)
		h := 0.0
		for i := range fd.Columns {
			c := &fd.Columns[i]
			cells[i] = text(cellText(c, r[c.Name], p.tanto))
			h = max(h, float64(p.lines(cells[i], widths[i]-2))*lh)
		}
		h += 2
		if f.GetY()+h > limit {
			f.AddPage()
			p.font("I", 7.5)
			f.CellFormat(contentW, 4, text("«"+fd.Label+"» (continuación)"), "", 1, "L", false, 0, "")
			header()
			p.font("", 8.5)
		}
		y := f.GetY()
		x := marginL
		for i := range fd.Columns {
			f.Rect(x, y, widths[i], h, "D")
			f.SetXY(x, y+1)
			f.MultiCell(widths[i], lh, cells[i], "", columnAlign(&fd.Columns[i]), false)
			x += widths[i]
		}
		f.SetXY(marginL, y+h)
	}
}

func (p *page) ensureNoBreak(h, limit float64) {
	if p.f.GetY()+h > limit {
		p.f.AddPage()
	}
}

func colWeight(c legajo.Field) float64 {
	if c.Width > 0 {
		return c.Width
	}
	return 1
}

func columnAlign(c *legajo.Field) string {
	switch c.Type {
	case legajo.FieldNumber, legajo.FieldMoney:
		return "R"
	case legajo.FieldDate, legajo.FieldTime:
		return "C"
	}
	return "L"
}

// cellText formats a table cell: short dates fit a column.
func cellText(c *legajo.Field, v string, tanto legajo.Tanto) string {
	if c.Type == legajo.FieldDate && v != "" {
		if t, err := time.Parse(legajo.DateLayout, v); err == nil {
			return legajo.ShortDate(t)
		}
	}
	return legajo.FormatValue(c, v, tanto.Delivered)
}
