package pdf

import "strings"

type signer struct{ caption, name, position string }

// signerRows groups the signature blocks that go on this tanto into rows:
// two side by side, or three when there are three or five and more.
func (p *page) signerRows() [][]signer {
	var signers []signer
	for _, s := range p.d.Signers {
		if s.On(p.tanto.Name) {
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

// signatures draws the signature blocks that go on this tanto.
func (p *page) signatures() {
	rows := p.signerRows()
	if len(rows) == 0 {
		return
	}
	p.space(6)
	for _, row := range rows {
		p.signatureRow(row)
	}
}

func signatureWidths(n int) (colW, textW float64) {
	colW = contentW / float64(max(n, 2))
	if n == 1 {
		colW = contentW
	}
	return colW, min(colW-4, 80)
}

// signatureRowHeight is the height a row of signature blocks takes.
func (p *page) signatureRowHeight(row []signer) float64 {
	_, textW := signatureWidths(len(row))
	h := 0.0
	for _, s := range row {
		p.font("B", 9)
		hh := float64(p.lines(text(s.caption), textW))*4 + 14 + float64(p.lines(text(s.name), textW))*4
		p.font("", 8.5)
		hh += float64(p.lines(text(s.position), textW)) * 3.7
		h = max(h, hh)
	}
	return h
}

// signatureRow draws signature blocks side by side; a lone one is centred.
// The row is kept whole on one page.
func (p *page) signatureRow(row []signer) {
	f := p.f
	colW, textW := signatureWidths(len(row))
	h := p.signatureRowHeight(row)
	p.ensure(h + 2)
	y := f.GetY()
	for i, s := range row {
		x := marginL + float64(i)*colW + (colW-textW)/2
		f.SetXY(x, y)
		p.font("B", 9)
		f.MultiCell(textW, 4, text(s.caption), "", "C", false)
		ly := f.GetY() + 13
		lineW := min(textW, 70)
		f.Line(x+(textW-lineW)/2, ly, x+(textW+lineW)/2, ly)
		f.SetXY(x, ly+1)
		f.MultiCell(textW, 4, text(s.name), "", "C", false)
		f.SetX(x)
		p.font("", 8.5)
		f.MultiCell(textW, 3.7, text(s.position), "", "C", false)
	}
	f.SetXY(marginL, y+h+4)
}

// tailHeight is the height of what should not be split from the signatures:
// the closing, the signature blocks, the c.c.p. list and the acuse box.
func (p *page) tailHeight() float64 {
	h := 0.0
	if !p.d.Type.Closing.IsZero() {
		p.font("", 10)
		h += 2 + float64(p.lines(text(p.expand(p.d.Type.Closing)), contentW))*(lineH+0.4)
	}
	if rows := p.signerRows(); len(rows) > 0 {
		h += 6
		for _, row := range rows {
			h += p.signatureRowHeight(row) + 4
		}
	}
	p.font("", 7.5)
	for _, c := range p.d.Copies {
		h += float64(p.lines(text(c), contentW-10)) * 3.4
	}
	if len(p.d.Copies) > 0 {
		h += 2
	}
	if p.tanto.Acuse {
		h += acuseH + 6
	}
	return h
}

// keepTail moves the closing, signatures, c.c.p. and acuse box to a new
// page together when they would otherwise be split across pages, as long as
// they fit on one.
func (p *page) keepTail() {
	_, bottom := p.f.GetAutoPageBreak()
	h := p.tailHeight()
	if p.f.GetY()+h > pageH-bottom && h <= pageH-bottom-bodyTop {
		p.f.AddPage()
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

// copies writes the c.c.p. list.
func (p *page) copies() {
	if len(p.d.Copies) == 0 {
		return
	}
	f := p.f
	p.ensure(4 * float64(min(len(p.d.Copies), 4)))
	p.space(2)
	for i, c := range p.d.Copies {
		p.font("", 7.5)
		y := f.GetY()
		if i == 0 {
			f.CellFormat(10, 3.4, "c.c.p.", "", 0, "L", false, 0, "")
		}
		f.SetXY(marginL+10, y)
		f.MultiCell(contentW-10, 3.4, text(c), "", "L", false)
	}
}

const acuseH = 36.0

// acuseBox is the receipt the receiver fills in on the tanto that comes back
// signed: without it the document stays pending.
func (p *page) acuseBox() {
	f := p.f
	const h = acuseH
	p.space(4)
	p.ensure(h + 2)
	y := f.GetY()
	f.SetLineWidth(0.4)
	f.Rect(marginL, y, contentW, h, "D")
	f.SetLineWidth(0.2)
	f.SetXY(marginL+3, y+2)
	p.font("B", 9.5)
	f.CellFormat(contentW-6, 4.5, "ACUSE DE RECIBIDO", "", 2, "L", false, 0, "")
	p.font("", 8)
	f.CellFormat(contentW-46, 4, text(p.acuseWording()+" Escriba con letra de molde y firme:"), "", 2, "L", false, 0, "")
	field := func(label string, x, y, w float64) {
		f.SetXY(x, y)
		p.font("", 8.5)
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
	p.font("I", 7)
	f.SetTextColor(140, 140, 140)
	f.CellFormat(37, 4, "Sello", "", 0, "C", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.SetXY(marginL, y+h+2)
}
