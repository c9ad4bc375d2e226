package pdf

import (
	"strings"

	"github.com/sesver/legajo"
)

type signer struct{ caption, name, position string }

// signerRows groups the signature blocks that go on tanto into rows: two
// side by side, or three when there are three or five and more.
func (p *page) signerRows(tanto string) [][]signer {
	var signers []signer
	for _, s := range p.d.Signers {
		if s.On(tanto) {
			signers = append(signers, signer{s.Caption, s.Name, s.Position})
		}
	}
	per := 2
	if len(signers) == 3 || len(signers) >= 5 {
		per = 3
	}
	var rows [][]signer
	for i := 0; i < len(signers); i += per {
		rows = append(rows, signers[i:min(i+per, len(signers))])
	}
	return rows
}

// tail appends the closing block (closing formula, signatures, c.c.p.,
// acuse box) to items, kept together and with the end of the body. Every
// tanto reserves the room of its tallest closing block: the tantos of a
// document carry different signatures and only one has the acuse box, yet
// all break their pages at the same places.
func (p *page) tail(items []item) []item {
	mine, h, shrink := p.tailOf(p.tanto)
	maxH, maxShrink := h, shrink
	for _, t := range p.d.Type.Tantos {
		if t.Name != p.tanto.Name {
			_, th, ts := p.tailOf(t)
			maxH, maxShrink = max(maxH, th), max(maxShrink, ts)
		}
	}
	if maxH > h {
		mine = append(mine, item{h: maxH - h, shrink: maxShrink - shrink, rec: placed{Kind: kindReserved, Block: -1}})
	} else if maxShrink > shrink {
		// equal heights, different spaces: the same total may give way
		mine = append(mine, item{shrink: maxShrink - shrink, rec: placed{Kind: kindReserved, Block: -1}})
	}
	for k := range mine {
		mine[k].keep = k < len(mine)-1
	}
	return append(items, mine...)
}

// tailOf lays out the closing block of tanto, and measures it.
func (p *page) tailOf(tanto legajo.Tanto) (items []item, h, shrink float64) {
	d := p.d
	if !d.Type.Closing.IsZero() {
		items = append(items, gap(2, 1))
		items = p.textItems(items, p.expand(d.Type.Closing), -1, kindClosing)
	}
	rows := p.signerRows(tanto.Name)
	if len(rows) > 0 {
		items = append(items, gap(6, 3))
		for i, row := range rows {
			if i > 0 {
				items = append(items, gap(4, 2))
			}
			items = append(items, p.signatureRow(row))
		}
	}
	if len(d.Copies) > 0 {
		if len(rows) > 0 {
			items = append(items, gap(6, 3))
		} else {
			items = append(items, gap(2, 1))
		}
		items = append(items, p.copies())
	}
	if tanto.Acuse {
		items = append(items, gap(4, 2), p.acuseBox())
	}
	for _, it := range items {
		h += it.h
		shrink += it.shrink
	}
	return items, h, shrink
}

func signatureWidths(n int) (colW, textW float64) {
	colW = contentW / float64(max(n, 2))
	if n == 1 {
		colW = contentW
	}
	return colW, min(colW-4, 80)
}

// Signature block metrics: the room left for the handwritten signature,
// and line heights.
const (
	signRoom   = 13.0
	signLH     = 4.0 // caption and name
	positionLH = 3.7
)

// signatureRow lays out signature blocks side by side; a lone one is
// centred. All lines of a row sit at the same height, under the tallest
// caption; names and positions wrap below them.
func (p *page) signatureRow(row []signer) item {
	colW, textW := signatureWidths(len(row))
	type laid struct{ caption, name, position []wline }
	cols := make([]laid, len(row))
	capH, below := 0.0, 0.0
	for i, s := range row {
		p.setFont("B", 9)
		cols[i].caption = p.wrap(text(s.caption), textW)
		cols[i].name = p.wrap(text(s.name), textW)
		p.setFont("", 8.5)
		cols[i].position = p.wrap(text(s.position), textW)
		capH = max(capH, float64(len(cols[i].caption))*signLH)
		below = max(below, float64(len(cols[i].name))*signLH+float64(len(cols[i].position))*positionLH)
	}
	return item{
		h:   capH + signRoom + 1 + below,
		rec: placed{Kind: kindSign, Block: -1, Lines: len(row)},
		draw: func(y, _ float64) {
			lineY := y + capH + signRoom
			for i, c := range cols {
				x := marginL + float64(i)*colW + (colW-textW)/2
				p.drawLines(c.caption, x, y, textW, signLH, "B", 9, "C")
				lineW := min(textW, 70)
				p.f.Line(x+(textW-lineW)/2, lineY, x+(textW+lineW)/2, lineY)
				p.drawLines(c.name, x, lineY+1, textW, signLH, "B", 9, "C")
				p.drawLines(c.position, x, lineY+1+float64(len(c.name))*signLH, textW, positionLH, "", 8.5, "C")
			}
		},
	}
}

// acuseWording names the exemplar the receiver takes away.
func (p *page) acuseWording() string {
	for _, t := range p.d.Type.Tantos {
		if t.Delivered {
			if strings.EqualFold(t.Name, "COPIA") {
				return "Recibí la copia de este documento."
			}
			return "Recibí el " + strings.ToLower(t.Name) + " de este documento."
		}
	}
	return "Recibí este documento."
}

// copies lays out the c.c.p. list.
func (p *page) copies() item {
	p.setFont("", 7.5)
	var lines [][]wline
	h := 0.0
	for _, c := range p.d.Copies {
		l := p.wrap(text(c), contentW-10)
		lines = append(lines, l)
		h += float64(len(l)) * 3.4
	}
	return item{h: h, rec: placed{Kind: kindCopies, Block: -1}, draw: func(y, _ float64) {
		p.setFont("", 7.5)
		p.f.SetXY(marginL, y)
		p.f.CellFormat(10, 3.4, "c.c.p.", "", 0, "L", false, 0, "")
		for _, l := range lines {
			p.drawLines(l, marginL+10, y, contentW-10, 3.4, "", 7.5, "L")
			y += float64(len(l)) * 3.4
		}
	}}
}

const acuseH = 36.0

// acuseBox is the receipt the receiver fills in on the tanto that comes back
// signed: without it the document stays pending.
func (p *page) acuseBox() item {
	return item{h: acuseH + 2, rec: placed{Kind: kindAcuse, Block: -1}, draw: p.drawAcuse}
}

func (p *page) drawAcuse(y, _ float64) {
	f := p.f
	const h = acuseH
	f.SetLineWidth(0.4)
	f.Rect(marginL, y, contentW, h, "D")
	f.SetLineWidth(0.2)
	f.SetXY(marginL+3, y+2)
	p.setFont("B", 9.5)
	f.CellFormat(contentW-6, 4.5, "ACUSE DE RECIBIDO", "", 2, "L", false, 0, "")
	p.setFont("", 8)
	f.CellFormat(contentW-46, 4, text(p.acuseWording()+" Escriba con letra de molde y firme:"), "", 2, "L", false, 0, "")
	field := func(label string, x, y, w float64) {
		f.SetXY(x, y)
		p.setFont("", 8.5)
		lw := f.GetStringWidth(text(label)) + 1.5
		f.CellFormat(lw, 4, text(label), "", 0, "L", false, 0, "")
		f.Line(x+lw, y+4, x+w, y+4)
	}
	left := marginL + 3
	field("Recibí (nombre):", left, y+14, 120)
	field("Cargo:", left, y+21, 120)
	field("Firma:", left, y+28, 55)
	field("Fecha:", left+60, y+28, 35)
	field("Hora:", left+100, y+28, 20)
	// room for the receiving office's stamp
	sx := marginL + contentW - 40
	f.SetDrawColor(140, 140, 140)
	f.SetDashPattern([]float64{1, 1}, 0)
	f.Rect(sx, y+3, 37, h-6, "D")
	f.SetDashPattern(nil, 0)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(sx, y+h/2-2)
	p.setFont("I", 7)
	f.SetTextColor(140, 140, 140)
	f.CellFormat(37, 4, "Sello", "", 0, "C", false, 0, "")
	f.SetTextColor(0, 0, 0)
}
