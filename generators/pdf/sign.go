package pdf

// signatures draws the signature blocks that go on this tanto.
func (p *page) signatures() {
	var signers []signer
	for _, s := range p.d.Signers {
		if s.On(p.tanto.Name) {
			signers = append(signers, signer{s.Caption, s.Name, s.Position})
		}
	}
	if len(signers) == 0 {
		return
	}
	p.space(6)
	if p.d.Type.Layout == "oficio" {
		p.signatureRow(signers[:1])
		signers = signers[1:]
	}
	per := 2
	if len(signers) == 3 || len(signers) >= 5 {
		per = 3
	}
	for i := 0; i < len(signers); i += per {
		p.signatureRow(signers[i:min(i+per, len(signers))])
	}
}

type signer struct{ caption, name, position string }

const signatureH = 38.0

func (p *page) signatureRow(row []signer) {
	f := p.f
	p.ensure(signatureH)
	y := f.GetY()
	colW := contentW / float64(max(len(row), 2))
	if len(row) == 1 {
		colW = contentW
	}
	bottom := y
	for i, s := range row {
		x := marginL + float64(i)*colW
		if len(row) == 1 {
			x = marginL
		}
		lineW := min(colW-8, 70)
		f.SetXY(x, y)
		p.font("B", 9)
		f.MultiCell(colW, 4, text(s.caption), "", "C", false)
		ly := f.GetY() + 15
		f.Line(x+(colW-lineW)/2, ly, x+(colW+lineW)/2, ly)
		f.SetXY(x, ly+1)
		p.font("B", 9)
		f.MultiCell(colW, 4, text(s.name), "", "C", false)
		f.SetX(x)
		p.font("", 8.5)
		f.MultiCell(colW, 3.7, text(s.position), "", "C", false)
		bottom = max(bottom, f.GetY())
	}
	f.SetXY(marginL, bottom+5)
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

// acuseBox is the receipt the receiver fills in on the tanto that comes back
// signed: without it the document stays pending.
func (p *page) acuseBox() {
	f := p.f
	const h = 36.0
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
	f.CellFormat(contentW-46, 4, text("Recibí el original de este documento. Escriba con letra de molde y firme:"), "", 2, "L", false, 0, "")
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
