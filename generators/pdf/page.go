package pdf

import (
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/sesver/legajo"
)

// header draws the letterhead and the tanto mark on every page.
func (p *page) header() {
	letterhead(p.f, p.d.Institution, p.r.logoType, marginT)
	p.tantoMark()
	headerRule(p.f, p.d.Institution, bodyTop, p.d.Date.Year())
	if p.d.Institution.TestEnvironment() {
		testBand(p.f)
	}
	if p.d.Draft() {
		p.watermark("BORRADOR")
	}
	p.f.SetXY(marginL, bodyTop)
}

// testEnvironmentMark is printed on every page issued where the
// verification page's address is this machine's: the QR code leads
// nowhere, and the document must not pass for an official one.
const testEnvironmentMark = "SIN VALIDEZ OFICIAL — ENTORNO DE PRUEBA"

// testBand writes testEnvironmentMark in a red band down the right edge
// of the page, between the text and the print margin: it covers nothing,
// and leaves the top to the «Foja n» stamp and the left edge to the note
// of a cancelled copy.
func testBand(f *fpdf.Fpdf) {
	const w, h = 180.0, 6.2 // along the edge, across it
	x, y := pageW-printMargin-0.5, (pageH-w)/2
	f.TransformBegin()
	f.TransformRotate(-90, x, y)
	f.SetDrawColor(170, 0, 0)
	f.SetFillColor(255, 235, 235)
	f.SetLineWidth(0.3)
	f.Rect(x, y, w, h, "FD")
	f.SetLineWidth(0.2)
	f.SetDrawColor(0, 0, 0)
	f.SetFillColor(255, 255, 255)
	f.SetTextColor(170, 0, 0)
	setFont(f, "Helvetica", "B", 10)
	f.SetXY(x, y)
	f.CellFormat(w, h, text(testEnvironmentMark), "", 0, "C", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.TransformEnd()
}

// letterhead draws the logo, the institution's name, units and legend at
// the top left of a page from top: documents and the auditors' sheets
// share it.
func letterhead(f *fpdf.Fpdf, inst legajo.Institution, logoType string, top float64) {
	x := marginL
	if logoType != "" {
		f.ImageOptions("logo", marginL, top, 0, 16, false, fpdf.ImageOptions{ImageType: logoType}, 0, "")
		x += 30
	}
	f.SetTextColor(0, 0, 0)
	f.SetXY(x, top)
	setFont(f, "Helvetica", "B", 11)
	f.CellFormat(110, 5, text(strings.ToUpper(inst.Name)), "", 2, "L", false, 0, "")
	setFont(f, "Helvetica", "", 8.5)
	for _, u := range inst.Units {
		f.CellFormat(110, 4, text(u), "", 2, "L", false, 0, "")
	}
	if inst.Legend != "" {
		setFont(f, "Helvetica", "I", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(110, 4, text(inst.Legend), "", 2, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
	}
}

// headerRule draws the gold rule above body (where the body starts) and,
// if one is configured for year, the legend of the year.
func headerRule(f *fpdf.Fpdf, inst legajo.Institution, body float64, year int) {
	f.SetDrawColor(150, 120, 60)
	f.SetLineWidth(0.6)
	f.Line(marginL, body-6, pageW-marginR, body-6)
	f.SetLineWidth(0.2)
	f.SetDrawColor(0, 0, 0)
	if legend := inst.YearLegend(year); legend != "" {
		f.SetXY(marginL, body-5)
		setFont(f, "Helvetica", "I", 7.5)
		f.CellFormat(contentW, 3.5, text(legend), "", 0, "C", false, 0, "")
	}
}

// tantoMark draws the large ORIGINAL / COPIA mark, with where the exemplar goes.
func (p *page) tantoMark() {
	f := p.f
	const w, x, y = 52.0, pageW - marginR - 52.0, tantoTop
	f.SetLineWidth(0.5)
	f.Rect(x, y, w, 17, "D")
	f.SetLineWidth(0.2)
	f.SetXY(x, y+1.5)
	p.font("B", 18)
	f.CellFormat(w, 8, text(p.tanto.Name), "", 2, "C", false, 0, "")
	p.font("", 6.5)
	f.SetX(x + 1)
	f.MultiCell(w-2, 2.8, text(p.tanto.Destination), "", "C", false)
}

// watermark writes word diagonally across the page in light grey.
func (p *page) watermark(word string) {
	f := p.f
	f.TransformBegin()
	f.TransformRotate(35, pageW/2, pageH/2)
	p.font("B", 80)
	f.SetTextColor(225, 225, 225)
	f.SetXY(0, pageH/2-15)
	f.CellFormat(pageW, 30, word, "", 0, "C", false, 0, "")
	f.TransformEnd()
	f.SetTextColor(0, 0, 0)
}

// footer draws the QR code, the folio, the verification address, the
// institution's address and "Hoja N de M".
func (p *page) footer() {
	f, d := p.f, p.d
	top := footerTop
	p.drawQR(marginL, top, qrSize)
	x := marginL + qrSize + 3
	w := contentW - qrSize - 3
	f.SetDrawColor(150, 120, 60)
	f.Line(x, top, pageW-marginR, top)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(x, top+1)
	p.font("B", 8)
	folio := d.Folio.String()
	if d.Draft() {
		folio = "Sin folio (borrador)"
	}
	f.CellFormat(w-30, 4, text("Folio: "+folio+" · "+p.tanto.Name), "", 0, "L", false, 0, "")
	p.font("", 8)
	f.CellFormat(30, 4, text("Hoja "+strconv.Itoa(f.PageNo())+" de {nb}"), "", 2, "R", false, 0, "")
	f.SetX(x)
	p.font("", 6.5)
	f.CellFormat(w, 3.2, text(d.Type.Title+" · versión "+strconv.Itoa(d.Type.Version)+" de la plantilla"), "", 2, "L", false, 0, "")
	f.SetX(x)
	f.CellFormat(w, 3.2, text("Verifique su autenticidad en "+d.VerifyURL()), "", 2, "L", false, 0, "")
	if d.Institution.Address != "" {
		f.SetX(x)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(w, 3.2, text(d.Institution.Address), "", 2, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
	}
}
