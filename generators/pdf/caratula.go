package pdf

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Caratula is what the cover sheet (carátula) of an expediente shows.
type Caratula struct {
	Institution legajo.Institution
	Summary     legajo.ExpedienteSummary
	Printed     time.Time // date of the sheet
	// By is who prepared it, by name: it is printed on the «Elaboró» line,
	// beside the space for the signature. "" leaves the line to fill.
	By string
	// Seal is the archive log's newest checkpoint when the sheet was
	// printed; nil: none.
	Seal *legajo.TrailSeal
}

// Caratula writes the carátula of one expediente year on one Letter page
// (the ceja on a second when a very long asunto leaves it no room):
// every field of the cover sheet that Legajo knows (producer,
// classification, number, title and scope, dates, fojas, documentary
// values, vigencias, access, electronic location), the rest as framed
// blanks to fill by hand, and the ceja/lomo label to cut out.
func (r *Renderer) Caratula(w io.Writer, c Caratula) error {
	// The folio ranges take as much room as the expediente has series:
	// each denser way of writing them is tried until the sheet fits.
	// Each is tried with the grid's rows at their usual height, then
	// tighter.
	var s *sheet
	for _, form := range []rangeForm{rangesTitled, rangesPlain, rangesShort} {
		var fits bool
		for _, tight := range []bool{false, true} {
			if s, fits = r.caratula(c, form, tight); fits {
				break
			}
		}
		if fits {
			break
		}
	}
	return s.finish(w)
}

// rangeForm is how the carátula writes the folio ranges of the series.
type rangeForm int

const (
	rangesTitled rangeForm = iota // each under its document types
	rangesPlain                   // MI/0001/2026 (1); OL/0001/2026 al OL/0004/2026 (3)
	rangesShort                   // MI 0001 (1) · OL 0001–0004 (3)
)

// cejaTop is where the ceja/lomo label starts: the grid must end above it.
const cejaTop = sheetFooterTop - cejaH - 4

const cejaH = 19.0

// caratula lays the sheet out and tells whether it fits above the ceja.
func (r *Renderer) caratula(c Caratula, form rangeForm, tight bool) (*sheet, bool) {
	// The expediente's number goes in the framed mark, where a tanto's
	// name is on documents: it leaves the page to the grid.
	s := r.newSheet(c.Institution, "CARÁTULA", "Expediente "+c.Summary.Clasificacion(), "Carátula de expediente "+c.Summary.Clasificacion(), c.Printed)
	f := s.f
	f.SetAutoPageBreak(false, 0)
	f.AddPage()
	sum, exp := c.Summary, c.Summary.Expediente
	cls := legajo.Classify(exp.Code)
	inst := c.Institution
	unit, area := "", ""
	if len(inst.Units) > 0 {
		unit, area = inst.Units[0], inst.Units[len(inst.Units)-1]
	}
	s.font("B", 11)
	f.MultiCell(contentW, 5, text(strings.ToUpper(sum.Title())), "", "C", false)
	f.Ln(1.5)

	g := &grid{s: s, tight: tight}
	g.section("1. Productor")
	g.row(cell{"Unidad administrativa", unit, 0}, cell{"Área generadora", area, 0})
	g.section("2. Clasificación archivística")
	g.row(cell{"Fondo", cls.Fondo + " " + inst.Name, 1}, cell{"Sección", cls.SeccionLabel(), 1.1},
		cell{"Serie", cls.SerieLabel(), 0.9})
	legajos := ""
	if sum.Closed {
		legajos = "____ de " + strconv.Itoa(sum.Legajos())
	}
	g.row(cell{"Subserie", cls.SubserieLabel(), 0.9}, cell{"Código de clasificación", exp.Code, 0.9},
		cell{"Número de expediente", sum.Clasificacion(), 0.9}, cell{"Legajo", legajos, 0.6})
	g.section("3. Título y asunto")
	g.row(cell{"Título", sum.Title(), 0})
	g.row(cell{"Asunto (alcance y contenido)", sum.Description(), 0})
	g.section("4. Fechas extremas")
	cierre := ""
	if sum.Closed {
		cierre = legajo.ShortDate(sum.Cierre)
	}
	g.row(cell{"Fecha de apertura", legajo.ShortDate(sum.Apertura), 0.6}, cell{"Fecha de cierre", cierre, 0.6},
		cell{"Documentos", documents(sum), 1.8})
	if ranges := "Folios por serie documental (cada serie numera sus documentos por separado)"; form >= rangesShort {
		g.small(ranges, serieRanges(sum, form))
	} else {
		g.row(cell{ranges, serieRanges(sum, form), 0})
	}
	g.section("5. Volumen y soporte")
	total, final := "", ""
	if sum.Closed && sum.Fojas > 0 {
		total, final = strconv.Itoa(sum.Fojas), strconv.Itoa(sum.Fojas)
	}
	g.row(cell{"Soporte", checks([]string{"Papel", "Electrónico", "Híbrido"}, sum.Soporte()), 1.3},
		cell{"Tanto", tantos(sum), 0.9})
	g.row(cell{"Foja inicial", "1", 0.6}, cell{"Foja final", final, 0.6}, cell{"Total de fojas útiles al cierre", total, 0.9},
		cell{"Formato", "PDF; escaneos en PDF, JPEG o PNG", 1.2})
	g.section("6. Valores documentales y vigencia (Catálogo de Disposición Documental)")
	g.row(cell{"Valores documentales", checks([]string{"Administrativo", "Legal", "Fiscal", "Contable"}, exp.Valores...), 0})
	transfer := ""
	if !sum.TransferDue.IsZero() {
		transfer = legajo.ShortDate(sum.TransferDue)
	}
	g.row(cell{"Archivo de trámite", legajo.Years(exp.YearsTramite), 0.8}, cell{"Archivo de concentración", legajo.Years(exp.YearsConcentracion), 0.9},
		cell{"Plazo total", legajo.Years(exp.RetentionYears()), 0.7}, cell{"Destino final", exp.Destino, 0.8},
		cell{"Transferencia primaria a partir de", transfer, 1.1})
	g.section("7. Condiciones de acceso")
	g.row(cell{"Clasificación", checks([]string{"Pública", "Reservada", "Confidencial"}, capitalize(exp.Acceso)), 1.5},
		cell{"Fecha de clasificación", "", 0.75}, cell{"Periodo de reserva", "", 0.75})
	g.row(cell{"Fundamento legal", "", 1.5}, cell{"Partes o fojas clasificadas", "", 0.75}, cell{"Ampliación", "", 0.75})
	g.row(cell{"Acta o resolución del Comité de Transparencia", "", 1.5}, cell{"Fecha de desclasificación", "", 0.75},
		cell{"Servidor público que desclasifica", "", 0.75})
	g.row(cell{"¿Fue objeto de solicitud de acceso?", checks([]string{"Sí", "No"}, ""), 0})
	g.section("8. Expediente electrónico")
	check := "Cada archivo guarda su huella SHA-256 en la cadena firmada del expediente; cada documento se comprueba " +
		"con el código QR de su pie de página."
	if seal := c.Seal; seal != nil {
		signed := seal.SignedAt.In(c.Printed.Location())
		check += " Registro sellado: punto de control de " + strconv.FormatInt(seal.Size, 10) + " hojas firmado el " +
			legajo.ShortDate(signed) + " a las " + signed.Format("15:04") + "."
	}
	g.row(cell{"Ubicación", sum.Ubicacion(), 0.8}, cell{"Verificación de integridad", check, 1.5})
	if seal := c.Seal; seal != nil {
		root, sigs := legajo.CheckpointLines(seal.Checkpoint)
		g.fine([2]string{"Raíz SHA-256 del punto de control:", root}, [2]string{"Firma:", strings.Join(sigs, " ")})
	}
	g.section("9. Notas")
	g.row(cell{"Elaboró", c.By, 1.2}, cell{"Fecha", legajo.ShortDate(c.Printed), 0.5}, cell{"Firma", "", 0.8})
	g.row(cell{"Observaciones", "", 0})
	fits := f.GetY() <= cejaTop-1.5 // a gap before the dashed line
	if !fits && form == rangesShort && tight {
		// Nothing denser is left (a long asunto, many series): the
		// label goes on a page of its own rather than over the grid.
		f.AddPage()
		fits = true
	}
	s.ceja(sum, cls, inst)
	return s, fits
}

// documents says how many documents the expediente holds and how many of
// them were cancelled (they keep their folio).
func documents(sum legajo.ExpedienteSummary) string {
	d := strconv.Itoa(sum.Documents) + " documentos"
	if sum.Documents == 1 {
		d = "1 documento"
	}
	switch {
	case sum.Cancelled == 1:
		d += ", 1 de ellos cancelado (conserva su folio)"
	case sum.Cancelled > 1:
		d += ", " + strconv.Itoa(sum.Cancelled) + " de ellos cancelados (conservan su folio)"
	}
	return d
}

// serieRanges writes one folio range per serie in the given form.
func serieRanges(sum legajo.ExpedienteSummary, form rangeForm) string {
	if form == rangesPlain {
		return sum.FolioRanges()
	}
	var parts []string
	for _, r := range sum.Series {
		n := " (" + strconv.Itoa(r.Count) + ")"
		switch form {
		case rangesTitled:
			parts = append(parts, strings.Join(r.Titles, ", ")+": "+r.Range()+n)
		default:
			// no-break spaces: a line never ends between a serie and
			// its numbers
			d := r.Serie + "\u00a0" + folioNumber(r.First)
			if r.Last != r.First {
				d += "–" + folioNumber(r.Last)
			}
			parts = append(parts, d+strings.Replace(n, " ", "\u00a0", 1))
		}
	}
	if form == rangesTitled {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, " · ")
}

// folioNumber is the consecutive of a folio: SESVER/DA/DTI/OL/0042/2026
// gives 0042.
func folioNumber(f string) string {
	parts := strings.Split(f, "/")
	if len(parts) < 2 {
		return f
	}
	return parts[len(parts)-2]
}

// tantos marks the exemplars the expediente keeps, with how many
// documents of each.
func tantos(sum legajo.ExpedienteSummary) string {
	box := func(n int, name string) string {
		if n == 0 {
			return "[  ] " + name
		}
		return "[X] " + name + " (" + strconv.Itoa(n) + ")"
	}
	return box(sum.Originales, "Original") + "     " + box(sum.Copias, "Copia")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// checks writes options as check boxes, marking those given: "[X] Pública
// [ ] Reservada".
func checks(options []string, marked ...string) string {
	var parts []string
	for _, o := range options {
		box := "[  ]"
		for _, m := range marked {
			if strings.EqualFold(m, o) {
				box = "[X]"
			}
		}
		parts = append(parts, box+" "+o)
	}
	return strings.Join(parts, "     ")
}

// cell is one label/value pair of the carátula grid; weight is its share
// of the row (0: equal shares).
type cell struct {
	label, value string
	weight       float64
}

// grid draws the carátula's framed rows: a grey label above a value area
// tall enough to write in by hand.
type grid struct {
	s     *sheet
	tight bool // rows at the least height that still reads (a full sheet)
}

func (g *grid) section(t string) {
	f := g.s.f
	g.s.font("B", 8)
	f.SetFillColor(107, 79, 42)
	f.SetTextColor(255, 255, 255)
	f.CellFormat(contentW, 3.5, text(t), "1", 1, "L", true, 0, "")
	f.SetTextColor(0, 0, 0)
	f.SetFillColor(255, 255, 255)
}

func (g *grid) row(cells ...cell) {
	f := g.s.f
	total := 0.0
	for _, c := range cells {
		if c.weight == 0 {
			c.weight = 1
		}
		total += c.weight
	}
	labelH, lh, blank := 2.8, 3.4, 1.45
	if g.tight {
		labelH, lh, blank = 2.5, 3.1, 1.2
	}
	// the row is as tall as its longest value; a blank to fill by hand
	// gets room for handwriting
	lines := 1.0
	for _, c := range cells {
		if c.value == "" {
			lines = blank
		}
	}
	widths := make([]float64, len(cells))
	for i, c := range cells {
		w := c.weight
		if w == 0 {
			w = 1
		}
		widths[i] = contentW * w / total
		g.s.font("", 8.5)
		lines = max(lines, float64(len(f.SplitLines([]byte(text(c.value)), widths[i]-2))))
	}
	h := labelH + lines*lh + 0.6
	x, y := f.GetXY()
	for i, c := range cells {
		f.Rect(x, y, widths[i], h, "D")
		f.SetXY(x+1, y+0.3)
		g.s.font("", 6)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(widths[i]-2, labelH, text(c.label), "", 0, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
		f.SetXY(x+1, y+labelH+0.3)
		g.s.font("", 8.5)
		f.MultiCell(widths[i]-2, lh, text(c.value), "", "L", false)
		x += widths[i]
	}
	f.SetXY(marginL, y+h)
}

// small draws a full-width row whose value is in small type: the folio
// ranges of an expediente of many series.
func (g *grid) small(label, value string) {
	f := g.s.f
	const labelH, lh = 2.8, 2.9
	g.s.font("", 7)
	lines := float64(len(f.SplitLines([]byte(text(value)), contentW-2)))
	h := labelH + lines*lh + 0.6
	x, y := f.GetXY()
	f.Rect(x, y, contentW, h, "D")
	f.SetXY(x+1, y+0.3)
	g.s.font("", 6)
	f.SetTextColor(90, 90, 90)
	f.CellFormat(contentW-2, labelH, text(label), "", 0, "L", false, 0, "")
	f.SetTextColor(0, 0, 0)
	f.SetXY(x+1, y+labelH+0.3)
	g.s.font("", 7)
	f.MultiCell(contentW-2, lh, text(value), "", "L", false)
	f.SetXY(marginL, y+h)
}

// fine draws a framed row of label/value pairs in small type, one pair a
// line: strings a reader compares character by character, not fills in.
func (g *grid) fine(pairs ...[2]string) {
	f := g.s.f
	const lh = 2.9
	x, y := f.GetXY()
	h := float64(len(pairs))*lh + 1
	f.Rect(x, y, contentW, h, "D")
	for i, p := range pairs {
		f.SetXY(x+1, y+0.5+float64(i)*lh)
		g.s.font("B", 6.5)
		lw := f.GetStringWidth(text(p[0])) + 1.5
		f.CellFormat(lw, lh, text(p[0]), "", 0, "L", false, 0, "")
		g.s.font("", 6.5)
		f.CellFormat(contentW-2-lw, lh, text(p[1]), "", 0, "L", false, 0, "")
	}
	f.SetXY(marginL, y+h)
}

// ceja draws the tab/spine label at the foot of the page: sección and
// serie, the expediente's number and year, and the legajo, framed with a
// dashed line to cut along.
func (s *sheet) ceja(sum legajo.ExpedienteSummary, cls legajo.Classification, inst legajo.Institution) {
	f := s.f
	const w, h = contentW, cejaH
	x, y := marginL, cejaTop
	f.SetDashPattern([]float64{1.5, 1.5}, 0)
	f.SetDrawColor(150, 150, 150)
	f.Rect(x, y, w, h, "D")
	f.SetDashPattern(nil, 0)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(x+3, y+1.5)
	s.font("", 6.5)
	f.CellFormat(w-6, 3, text("CEJA / LOMO · "+strings.ToUpper(inst.Name)+" · "+lastOf(inst.Units)), "", 2, "L", false, 0, "")
	f.SetX(x + 3)
	s.font("B", 14)
	vol := "Legajo ____ de ____"
	if sum.Closed {
		vol = "Legajo ____ de " + strconv.Itoa(sum.Legajos())
	}
	f.CellFormat(w-6, 6.5, text(sum.Expediente.Code+" · No. "+strconv.Itoa(sum.Number)+" · "+strconv.Itoa(sum.Year)+" · "+vol), "", 2, "L", false, 0, "")
	f.SetX(x + 3)
	s.font("", 8)
	f.CellFormat(w-6, 3.8, text("Sección "+cls.SeccionLabel()+" · Serie "+cls.SerieLabel()), "", 2, "L", false, 0, "")
	f.SetX(x + 3)
	f.CellFormat(w-6, 3.8, text(sum.Title()), "", 2, "L", false, 0, "")
	f.SetXY(x, y+h+0.8)
	s.font("I", 6.5)
	f.CellFormat(w, 3, text("Recorte por la línea punteada y adhiera la etiqueta en la ceja o el lomo de la carpeta."), "", 0, "L", false, 0, "")
}

func lastOf(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[len(ss)-1]
}

// finish writes the sheet to w.
func (s *sheet) finish(w io.Writer) error {
	b, err := s.output(false)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
