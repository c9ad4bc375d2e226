package pdf

import (
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Text metrics of the body, in millimetres.
const (
	bodySize = 10.0
	bodyLH   = lineH + 0.4 // body text line height
	gridLH   = 4.2
	tableLH  = 3.8
)

// body lays out the definition's blocks, then the closing block, and
// paginates them together (see flow.go).
func (p *page) body() {
	d := p.d
	p.fs.ok = false
	var items []item
	lastStart, lastKind := 0, legajo.BlockKind("")
	for i, b := range d.Type.Body {
		if !d.Holds(b.When) {
			continue
		}
		start := len(items)
		switch b.Kind {
		case legajo.BlockTitle:
			items = p.titleItems(items, p.expand(b.Text), i)
		case legajo.BlockHeading:
			items = p.headingItems(items, p.expand(b.Text), i)
		case legajo.BlockText:
			s := p.expand(b.Text)
			items = p.textItems(items, s, i, kindLine)
			if strings.HasSuffix(strings.TrimSpace(s), ":") {
				// it introduces what follows
				items[len(items)-1].keep = true
				items = append(items, item{h: 2.5, shrink: 1, glue: true, keep: true})
			} else {
				items = append(items, gap(2.5, 1))
			}
		case legajo.BlockData:
			var cells []gridCell
			for _, name := range b.Fields {
				if v := d.Display(name, p.tanto); v != "" {
					fd := d.Type.Field(name)
					cells = append(cells, gridCell{label: fd.Label, value: v, alt: p.otherDisplay(fd, d.Values[name].Text, v), align: valueAlign(fd)})
				}
			}
			items = p.gridItems(items, cells, b.Columns, i)
			items = append(items, gap(3, 1.5))
		case legajo.BlockTable:
			f := d.Type.Field(b.Fields[0])
			if v, ok := d.Values[f.Name]; ok && len(v.Rows) > 0 {
				items = p.tableItems(items, f, v.Rows, p.tableTitle(i, f), i)
				items = append(items, gap(3, 1.5))
			}
		case legajo.BlockField:
			if v := d.Display(b.Fields[0], p.tanto); v != "" {
				items = p.headingItems(items, d.Type.Field(b.Fields[0]).Label, i)
				items = p.textItems(items, v, i, kindLine)
				items = append(items, gap(2.5, 1))
			}
		}
		if len(items) > start {
			lastStart, lastKind = start, b.Kind
		}
	}
	items = p.keepWithTail(items, lastStart, lastKind == legajo.BlockText)
	items = p.tail(items)
	p.flow(items)
}

// keepWithTail joins the end of the body to the closing block, so the
// closing never stands on a page without body text: the last lines (at
// least two, by the widow rule) move with it. A short formula of the
// template that ends the body («Leída la presente minuta, la firman…»)
// belongs to the closing, so what comes before it moves too.
func (p *page) keepWithTail(items []item, lastStart int, lastIsText bool) []item {
	end := len(items)
	if lastIsText {
		lines := 0
		for _, it := range items[lastStart:] {
			if it.rec.Kind == kindLine {
				lines++
			}
		}
		if lines <= 3 {
			end = lastStart
		}
	}
	from, need := end, 2
	for k := end - 1; k >= 0 && need > 0; k-- {
		if items[k].rec.IsBody() {
			from = k
			need--
		}
	}
	for k := from; k < len(items); k++ {
		items[k].keep = true
	}
	return items
}

// otherDisplay is how a value prints on the tantos that are not like this
// one (a secret is masked on some): a cell is measured with both so every
// tanto paginates alike. It returns "" when both print the same.
func (p *page) otherDisplay(fd *legajo.Field, raw, shown string) string {
	if fd == nil || !p.d.Type.HasSecrets() {
		return ""
	}
	if o := legajo.FormatValue(fd, raw, !p.tanto.Delivered); o != shown {
		return o
	}
	return ""
}

func (p *page) titleItems(items []item, s string, block int) []item {
	p.setFont("B", 11)
	lines := p.wrap(text(s), contentW)
	h := float64(len(lines)) * 5.5
	items = append(items, item{h: h + 2, keep: true, rec: placed{Kind: kindTitle, Block: block},
		draw: func(y, _ float64) { p.drawLines(lines, marginL, y, contentW, 5.5, "B", 11, "C") }})
	return items
}

func (p *page) headingItems(items []item, s string, block int) []item {
	p.setFont("B", 10)
	lines := p.wrap(text(s), contentW)
	h := float64(len(lines))*5 + 2
	return append(items, item{h: h, keep: true, rec: placed{Kind: kindHeading, Block: block},
		draw: func(y, _ float64) { p.drawLines(lines, marginL, y+1, contentW, 5, "B", 10, "L") }})
}

// textItems appends s as justified body text, one item per line. A blank
// line separates paragraphs and is a space; a single line break (a list)
// ends a line without justifying it but keeps the paragraph. A paragraph
// of two or more lines never leaves its first line alone at the bottom of
// a page nor its last alone at the top (no orphans, no widows).
func (p *page) textItems(items []item, s string, block int, kind string) []item {
	p.setFont("", bodySize)
	lines := p.wrap(text(s), contentW)
	blank := func(l wline) bool { return l.end && l.s == "" }
	for start := 0; start < len(lines); {
		if blank(lines[start]) {
			items = append(items, gap(bodyLH, bodyLH/2))
			start++
			continue
		}
		end := start
		for end+1 < len(lines) && !blank(lines[end+1]) {
			end++
		}
		para := lines[start : end+1]
		start = end + 1
		p.paras++
		part, n := p.paras, len(para)
		for k, l := range para {
			items = append(items, item{
				h:    bodyLH,
				keep: n > 1 && (k == 0 || k == n-2),
				rec:  placed{Kind: kind, Block: block, Part: part, Line: k + 1, Lines: n},
				draw: func(y, _ float64) {
					p.setFont("", bodySize)
					p.f.SetXY(marginL, y)
					p.textLine(l, contentW, bodyLH, "J")
				},
			})
		}
	}
	return items
}

// drawLines draws wrapped lines from (x, y), each in a cell of width w.
func (p *page) drawLines(lines []wline, x, y, w, lh float64, style string, size float64, align string) {
	p.setFont(style, size)
	for i, l := range lines {
		p.f.SetXY(x, y+float64(i)*lh)
		p.textLine(l, w, lh, align)
	}
}

// drawNow draws items one after the other from the current position on
// the current page: the head of page one, which is never paginated.
func (p *page) drawNow(items []item) {
	y := p.f.GetY()
	for _, it := range items {
		if it.draw != nil {
			it.draw(y, it.h)
		}
		y += it.h
	}
	p.f.SetXY(marginL, y)
}

type gridCell struct {
	label, value string
	alt          string // the value as other tantos print it, if different
	align        string // of the value: "L", or "R" for amounts
}

// gridItems lays out framed label/value cells, one or two pairs per row.
// An odd last pair of a two-column grid spans the row, so no half-row is
// left empty.
func (p *page) gridItems(items []item, cells []gridCell, columns, block int) []item {
	if len(cells) == 0 {
		return items
	}
	labelW := 48.0
	if columns == 2 {
		labelW = 30.0
	}
	_, bottom := p.f.GetAutoPageBreak()
	usable := pageH - bottom - bodyTop
	for i := 0; i < len(cells); i += columns {
		row := cells[i:min(i+columns, len(cells))]
		colW := contentW / float64(len(row))
		type laid struct{ label, value []wline }
		cols := make([]laid, len(row))
		h := 0.0
		for j, c := range row {
			p.setFont("B", 8)
			cols[j].label = p.wrap(text(c.label), labelW)
			p.setFont("", 9)
			cols[j].value = p.wrap(text(c.value), colW-labelW)
			n := max(len(cols[j].label), len(cols[j].value))
			if c.alt != "" {
				n = max(n, len(p.wrap(text(c.alt), colW-labelW)))
			}
			h = max(h, float64(n)*gridLH)
		}
		h += 2
		if h > usable {
			// Too long for a framed cell: label, then flowing text.
			for _, c := range row {
				items = p.headingItems(items, c.label, block)
				items = p.textItems(items, c.value, block, kindLine)
			}
			continue
		}
		items = append(items, item{h: h, rec: placed{Kind: kindGrid, Block: block, Line: i/columns + 1},
			draw: func(y, h float64) {
				f := p.f
				for j, c := range row {
					x := marginL + float64(j)*colW
					f.SetFillColor(235, 235, 235)
					f.Rect(x, y, labelW, h, "FD")
					f.Rect(x+labelW, y, colW-labelW, h, "D")
					p.drawLines(cols[j].label, x, y+1, labelW, gridLH, "B", 8, "L")
					p.drawLines(cols[j].value, x+labelW, y+1, colW-labelW, gridLH, "", 9, c.align)
				}
				f.SetFillColor(255, 255, 255)
			}})
	}
	return items
}

// tableTitle names a table in its continuation caption: the heading right
// above it, as the reader saw it, or else the field's label.
func (p *page) tableTitle(block int, fd *legajo.Field) string {
	body := p.d.Type.Body
	for k := block - 1; k >= 0; k-- {
		if !p.d.Holds(body[k].When) {
			continue
		}
		if body[k].Kind == legajo.BlockHeading {
			return p.expand(body[k].Text)
		}
		break
	}
	return fd.Label
}

// tableItems lays out a table field: a header, then a row per item. The
// header stays with at least two rows and the last row never starts a page
// alone; a page the table continues on repeats «Título (continuación)» and
// the header.
func (p *page) tableItems(items []item, fd *legajo.Field, rows []legajo.Row, title string, block int) []item {
	total := 0.0
	for _, c := range fd.Columns {
		total += colWeight(c)
	}
	widths := make([]float64, len(fd.Columns))
	for i, c := range fd.Columns {
		widths[i] = contentW * colWeight(c) / total
	}
	p.setFont("B", 8)
	heads := make([][]wline, len(fd.Columns))
	hh := 0.0
	for i, c := range fd.Columns {
		heads[i] = p.wrap(text(c.Label), widths[i])
		hh = max(hh, float64(len(heads[i]))*tableLH)
	}
	hh += 2
	drawHeader := func(y float64) {
		f := p.f
		x := marginL
		f.SetFillColor(220, 220, 220)
		for i := range fd.Columns {
			f.Rect(x, y, widths[i], hh, "FD")
			p.drawLines(heads[i], x, y+1, widths[i], tableLH, "B", 8, "C")
			x += widths[i]
		}
		f.SetFillColor(255, 255, 255)
	}
	caption := title + " (continuación)"
	p.setFont("BI", 8)
	capLines := p.wrap(text(caption), contentW)
	capH := float64(len(capLines))*4 + 1
	cont := &tableHead{
		h:    capH + hh,
		capH: capH,
		draw: func(y float64) {
			p.drawLines(capLines, marginL, y, contentW, 4, "BI", 8, "L")
			drawHeader(y + capH)
		},
		rec: placed{Kind: kindCaption, Block: block, Text: caption},
	}
	items = append(items, item{h: hh, keep: true, rec: placed{Kind: kindHeader, Block: block, Lines: len(rows)},
		draw: func(y, _ float64) { drawHeader(y) }})
	n := len(rows)
	reveal := p.d.Type.HasSecrets()
	p.setFont("", 8.5)
	for k, r := range rows {
		cells := make([][]wline, len(fd.Columns))
		h := 0.0
		for i := range fd.Columns {
			c := &fd.Columns[i]
			shown := cellText(c, r[c.Name], p.tanto.Delivered)
			cells[i] = p.wrap(text(shown), widths[i])
			lines := len(cells[i])
			if reveal {
				if o := cellText(c, r[c.Name], !p.tanto.Delivered); o != shown {
					lines = max(lines, len(p.wrap(text(o), widths[i])))
				}
			}
			h = max(h, float64(lines)*tableLH)
		}
		h += 2
		items = append(items, item{
			h:     h,
			keep:  k == 0 || k == n-2,
			table: cont,
			rec:   placed{Kind: kindRow, Block: block, Line: k + 1, Lines: n},
			draw: func(y, h float64) {
				x := marginL
				for i := range fd.Columns {
					p.f.Rect(x, y, widths[i], h, "D")
					p.drawLines(cells[i], x, y+1, widths[i], tableLH, "", 8.5, columnAlign(&fd.Columns[i]))
					x += widths[i]
				}
			},
		})
	}
	return items
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

// valueAlign aligns a grid value: amounts and quantities right, so the
// figures of a totals box line up.
func valueAlign(fd *legajo.Field) string {
	if fd != nil && (fd.Type == legajo.FieldMoney || fd.Type == legajo.FieldNumber) {
		return "R"
	}
	return "L"
}

// cellText formats a table cell: short dates fit a column.
func cellText(c *legajo.Field, v string, reveal bool) string {
	if c.Type == legajo.FieldDate && v != "" {
		if t, err := time.Parse(legajo.DateLayout, v); err == nil {
			return legajo.ShortDate(t)
		}
	}
	return legajo.FormatValue(c, v, reveal)
}
