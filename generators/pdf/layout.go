package pdf

import (
	"strings"

	"github.com/sesver/legajo"
)

// oficioHead: número de oficio, asunto, lugar y fecha on the right;
// destinatario and "P R E S E N T E" on the left.
func (p *page) oficioHead() {
	f, d := p.f, p.d
	const w = 100.0
	x := pageW - marginR - w
	p.rightLine(x, w, "OFICIO No.", p.folioText())
	p.rightLine(x, w, "ASUNTO:", p.expand(d.Type.Subject))
	p.font("", 9.5)
	f.SetX(x)
	f.MultiCell(w, lineH, text(d.Institution.Place+", a "+legajo.LongDate(d.Date)+"."), "", "R", false)
	p.space(6)
	p.recipient()
	p.font("B", 10)
	f.CellFormat(contentW, 5, "P R E S E N T E", "", 1, "L", false, 0, "")
	p.space(4)
}

// rightLine writes "LABEL value" aligned right within w from x, wrapping
// the value.
func (p *page) rightLine(x, w float64, label, value string) {
	f := p.f
	p.font("B", 9.5)
	lw := f.GetStringWidth(text(label)) + 2
	y := f.GetY()
	f.SetXY(x, y)
	f.CellFormat(lw, lineH, text(label), "", 0, "L", false, 0, "")
	p.font("", 9.5)
	f.MultiCell(w-lw, lineH, text(value), "", "L", false)
}

func (p *page) recipient() {
	f := p.f
	for i, t := range p.d.Type.Recipient {
		s := p.expand(t)
		if s == "" {
			continue
		}
		if i == 0 {
			p.font("B", 10)
		} else {
			p.font("", 10)
		}
		f.MultiCell(contentW*0.7, lineH, text(s), "", "L", false)
	}
}

func (p *page) folioText() string {
	if p.d.Draft() {
		return "(se asigna al emitir)"
	}
	return p.d.Folio.String()
}

// tarjetaHead: TARJETA INFORMATIVA, then PARA / DE / ASUNTO / FECHA.
func (p *page) tarjetaHead() {
	f, d := p.f, p.d
	p.title(p.expand(d.Type.Heading), 13)
	p.font("B", 9.5)
	f.CellFormat(contentW, 5, text("No. "+p.folioText()), "", 1, "R", false, 0, "")
	p.space(2)
	var para []string
	for _, t := range d.Type.Recipient {
		if s := p.expand(t); s != "" {
			para = append(para, s)
		}
	}
	var de string
	if d.Sender != nil {
		de = d.Sender.Name + "\n" + d.Sender.Position
	}
	rows := [][2]string{
		{"PARA:", strings.Join(para, "\n")},
		{"DE:", de},
		{"ASUNTO:", p.expand(d.Type.Subject)},
		{"FECHA:", d.Institution.Place + ", a " + legajo.LongDate(d.Date) + "."},
	}
	for _, r := range rows {
		if r[1] == "" {
			continue
		}
		y := f.GetY()
		p.font("B", 10)
		f.CellFormat(25, lineH+0.4, text(r[0]), "", 0, "L", false, 0, "")
		p.font("", 10)
		f.SetXY(marginL+25, y)
		f.MultiCell(contentW-25, lineH+0.4, text(r[1]), "", "L", false)
		p.space(1.5)
	}
	f.SetDrawColor(120, 120, 120)
	f.Line(marginL, f.GetY()+1, pageW-marginR, f.GetY()+1)
	f.SetDrawColor(0, 0, 0)
	p.space(5)
}

// formatoHead: centred title, then folio, date and asunto in a framed grid.
func (p *page) formatoHead() {
	f, d := p.f, p.d
	p.title(p.expand(d.Type.Heading), 12.5)
	p.space(1)
	const folioW = 68.0
	p.cellPair(marginL, folioW, "Folio", p.folioText())
	p.cellPair(marginL+folioW, contentW-folioW, "Lugar y fecha", d.Institution.Place+", a "+legajo.LongDate(d.Date))
	f.SetY(f.GetY() + 6.5)
	if s := p.expand(d.Type.Subject); s != "" {
		p.drawNow(p.gridItems(nil, []gridCell{{label: "Asunto", value: s, align: "L"}}, 1, -1))
	}
	p.space(3)
}

// cellPair writes one framed label/value cell of height 6.5 at x without
// moving down.
func (p *page) cellPair(x, w float64, label, value string) {
	f := p.f
	y := f.GetY()
	p.font("B", 8)
	lw := f.GetStringWidth(text(label)) + 4
	f.SetFillColor(235, 235, 235)
	f.SetXY(x, y)
	f.CellFormat(lw, 6.5, text(label), "1", 0, "L", true, 0, "")
	// shrink a long value rather than let it cross the frame
	size := 9.0
	p.font("", size)
	for size > 6.5 && f.GetStringWidth(text(value)) > w-lw-2 {
		size -= 0.5
		p.font("", size)
	}
	f.CellFormat(w-lw, 6.5, text(value), "1", 0, "L", false, 0, "")
	f.SetFillColor(255, 255, 255)
	f.SetXY(marginL, y)
}

func (p *page) title(s string, size float64) {
	p.font("B", size)
	p.f.MultiCell(contentW, size*0.5, text(s), "", "C", false)
	p.space(2)
}

// label renders an etiqueta: a framed 4 × 2½ inch label at the top of the
// page, to cut out and stick on the medium; not filed.
func (p *page) label() {
	f, d := p.f, p.d
	f.SetAutoPageBreak(false, 0)
	f.AddPage()
	if d.Institution.TestEnvironment() {
		testBand(f)
	}
	const x, y, w, h = marginL, 20.0, 101.6, 63.5
	f.SetLineWidth(0.4)
	f.Rect(x, y, w, h, "D")
	f.SetLineWidth(0.2)
	f.SetXY(x+3, y+3)
	p.font("B", 7)
	f.MultiCell(w-6-18, 3.2, text(strings.ToUpper(d.Institution.Name)+" · "+lastUnit(d.Institution)), "", "L", false)
	f.SetX(x + 3)
	p.font("B", 10)
	f.MultiCell(w-6-16, 4.4, text(p.expand(d.Type.Heading)), "", "L", false)
	f.SetX(x + 3)
	p.drawQR(x+w-18, y+2, 16)
	f.SetY(y + 19)
	for _, b := range d.Type.Body {
		if !d.Holds(b.When) || b.Kind != legajo.BlockData {
			continue
		}
		for _, name := range b.Fields {
			fd := d.Type.Field(name)
			v := d.Display(name, p.tanto)
			if v == "" {
				continue
			}
			f.SetX(x + 3)
			p.font("B", 8)
			lw := f.GetStringWidth(text(fd.Label+":")) + 1.5
			f.CellFormat(lw, 4.2, text(fd.Label+":"), "", 0, "L", false, 0, "")
			p.font("", 8.5)
			f.MultiCell(w-6-lw, 4.2, text(v), "", "L", false)
		}
	}
	if !d.Draft() {
		f.SetXY(x+3, y+h-6)
		p.font("", 7)
		f.CellFormat(w-6, 3.5, text("Folio "+d.Folio.String()), "", 0, "R", false, 0, "")
	}
	// a dashed guide to cut along
	f.SetDashPattern([]float64{1.5, 1.5}, 0)
	f.SetDrawColor(150, 150, 150)
	f.Rect(x-3, y-3, w+6, h+6, "D")
	f.SetDashPattern(nil, 0)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(x-3, y+h+4)
	p.font("I", 7)
	f.CellFormat(w+6, 3, text("Recorte por la línea punteada y adhiera la etiqueta al medio de respaldo."), "", 0, "L", false, 0, "")
}

func lastUnit(inst legajo.Institution) string {
	if len(inst.Units) == 0 {
		return ""
	}
	return inst.Units[len(inst.Units)-1]
}
