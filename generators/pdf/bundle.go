package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/internal/pdfread"
)

// pdfcpu merges and stamps the PDFs of a legajo. Its configuration
// directory (with user fonts) is never used: a server must not write into
// its user's home, and the stamps need only the standard fonts.
func init() { api.DisableConfigDir() }

func pdfcpuConf() *model.Configuration {
	c := model.NewDefaultConfiguration()
	c.ValidationMode = model.ValidationRelaxed
	// The documents are merged as they are: optimising would parse every
	// content stream of every page again, for little gain on files that
	// use the standard fonts.
	c.Optimize, c.OptimizeBeforeWriting, c.OptimizeResourceDicts = false, false, false
	return c
}

// Limits of reading a PDF before pdfcpu does: pdfcpu decodes whatever it
// reads, without bounds, so an uploaded file is first read whole by the
// metered reader (every object, every stream that is not an image). A
// deflate bomb of 200 KiB took pdfcpu to 900 MiB when stamped.
const (
	maxInflated = 32 << 20 // decoded bytes of the streams that are not images
	maxRead     = 64 << 20 // bytes read, re-reads included, plus twice the size
	readTimeout = 5 * time.Second
)

// PageCount returns the number of pages of a PDF, generated or uploaded;
// every other use of pdfcpu on a PDF that may be uploaded passes through
// it first. A file over the limits of reading is an error, like a damaged
// one.
func PageCount(b []byte) (int, error) {
	err := pdfread.Check(b, pdfread.Limits{Inflated: maxInflated, Read: maxRead + 2*int64(len(b)), Deadline: time.Now().Add(readTimeout)})
	if err != nil {
		return 0, fmt.Errorf("pdf: page count: %w", err)
	}
	n, err := api.PageCount(bytes.NewReader(b), pdfcpuConf())
	if err != nil {
		return 0, fmt.Errorf("pdf: page count: %w", err)
	}
	return n, nil
}

// Bundle assembles a legajo for auditors: an index of the events, then the
// file of every event in order, merged as they are (generated PDFs and
// uploaded scans, not rasterised), each page stamped "Foja N" in the top
// right corner, and a closing page with the SHA-256 of every file and the
// verification of the chains. Scans that are JPEG, PNG or TIFF images
// become one page each. The index and closing pages are not foliated: the
// fojas are those of the documents. Add events in order, then Write.
type Bundle struct {
	r     *Renderer
	items []bundleItem
}

type bundleItem struct {
	ev   legajo.TrailEvent
	data []byte
}

// NewBundle starts an empty legajo.
func (r *Renderer) NewBundle() *Bundle { return &Bundle{r: r} }

// Add appends an event. A kept file (ev.Filed, with a storage key) becomes
// fojas: data is its content as stored, or nil when it could not be read,
// and then a substitute foja says so. Any other event (a cancellation, an
// annulled folio) is listed in the index only; pass nil data.
func (b *Bundle) Add(ev legajo.TrailEvent, data []byte) {
	b.items = append(b.items, bundleItem{ev: ev, data: data})
}

func isPart(ev legajo.TrailEvent) bool { return ev.Filed && ev.Key != "" }

// part is one file of the legajo, ready to merge.
type part struct {
	item   bundleItem
	pdf    []byte
	pages  int
	first  int    // first foja
	sha    string // of the stored bytes
	status string // coincide, NO COINCIDE, FALTANTE
	note   string // why a substitute foja replaces the file
}

// Write assembles the legajo and writes it to w. info gives the letterhead,
// the criteria, who exported it and the chain verification. Files that
// cannot be merged (a damaged or encrypted PDF) are replaced by a
// substitute foja that says so; only writing fails the bundle.
func (b *Bundle) Write(w io.Writer, info legajo.TrailInfo) error {
	var parts []*part
	foja := 1
	for _, it := range b.items {
		if !isPart(it.ev) {
			continue
		}
		p := &part{item: it, first: foja}
		b.prepare(p, info)
		foja += p.pages
		parts = append(parts, p)
	}
	fojas := foja - 1
	index, err := b.index(parts, info, fojas)
	if err != nil {
		return err
	}
	closing, err := b.closing(parts, info, fojas)
	if err != nil {
		return err
	}
	indexPages, err := PageCount(index)
	if err != nil {
		return err
	}
	inputs := []io.ReadSeeker{bytes.NewReader(index)}
	for _, p := range parts {
		inputs = append(inputs, bytes.NewReader(p.pdf))
	}
	inputs = append(inputs, bytes.NewReader(closing))
	var merged bytes.Buffer
	if err := api.MergeRaw(inputs, &merged, false, pdfcpuConf()); err != nil {
		return fmt.Errorf("pdf: bundle: merge: %w", err)
	}
	if fojas == 0 {
		_, err := w.Write(merged.Bytes())
		return err
	}
	stamps := make(map[int]*model.Watermark, fojas)
	for n := 1; n <= fojas; n++ {
		wm, err := api.TextWatermark("Foja "+strconv.Itoa(n),
			"font:Helvetica-Bold, points:9, pos:tr, off:-56 -38, scale:1 abs, rot:0, fillc:#000000, bgcol:#FFFFFF, margins:2, border:0.6 #000000",
			true, false, types.POINTS)
		if err != nil {
			return fmt.Errorf("pdf: bundle: stamp: %w", err)
		}
		stamps[indexPages+n] = wm
	}
	if info.Seal == nil {
		if err := api.AddWatermarksMap(bytes.NewReader(merged.Bytes()), w, stamps, pdfcpuConf()); err != nil {
			return fmt.Errorf("pdf: bundle: stamp fojas: %w", err)
		}
		return nil
	}
	var stamped bytes.Buffer
	if err := api.AddWatermarksMap(bytes.NewReader(merged.Bytes()), &stamped, stamps, pdfcpuConf()); err != nil {
		return fmt.Errorf("pdf: bundle: stamp fojas: %w", err)
	}
	return attachSeal(w, stamped.Bytes(), info)
}

// Heights, in mm, of the closing sheet's last blocks: the signed log's
// section (its paragraph and three framed rows) and the certification
// (the export line, room to sign, the signature line).
const (
	sealSectionH   = 52
	certificationH = 34
)

// attachSeal writes pdf to w with the trail's seal (the checkpoint and the
// inclusion proofs) embedded as a JSON attachment.
func attachSeal(w io.Writer, pdf []byte, info legajo.TrailInfo) error {
	data, err := json.MarshalIndent(info.Seal, "", " ")
	if err != nil {
		return err
	}
	conf := pdfcpuConf()
	conf.Cmd = model.ADDATTACHMENTS
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(pdf), conf)
	if err != nil {
		return fmt.Errorf("pdf: bundle: attach seal: %w", err)
	}
	at := info.ExportedAt
	a := model.Attachment{Reader: bytes.NewReader(data), ID: legajo.SealAttachment, FileName: legajo.SealAttachment,
		Desc: "Punto de control firmado y pruebas de inclusión de los documentos del legajo", ModTime: &at}
	if err := ctx.AddAttachment(a, false); err != nil {
		return fmt.Errorf("pdf: bundle: attach seal: %w", err)
	}
	if err := api.Write(ctx, w, conf); err != nil {
		return fmt.Errorf("pdf: bundle: attach seal: %w", err)
	}
	return nil
}

// BundleSeal returns the seal attached to a bundle PDF, or an error
// matching legajo.ErrNotFound when it carries none.
func BundleSeal(pdf []byte) (*legajo.TrailSeal, error) {
	aa, err := api.ExtractAttachmentsRaw(bytes.NewReader(pdf), "", []string{legajo.SealAttachment}, pdfcpuConf())
	if err != nil {
		return nil, fmt.Errorf("pdf: read attachments: %w", err)
	}
	for _, a := range aa {
		if a.FileName != legajo.SealAttachment && a.ID != legajo.SealAttachment {
			continue
		}
		var seal legajo.TrailSeal
		if err := json.NewDecoder(a.Reader).Decode(&seal); err != nil {
			return nil, fmt.Errorf("pdf: %s: %w", legajo.SealAttachment, err)
		}
		return &seal, nil
	}
	return nil, legajo.Errorf(legajo.ErrNotFound, "El PDF no lleva el archivo adjunto «%s»: no es un legajo exportado con registro sellado.", legajo.SealAttachment)
}

// prepare turns a stored file into PDF pages: a PDF as it is, an image as a
// page, anything else (or a file that cannot be read) as a substitute foja.
func (b *Bundle) prepare(p *part, info legajo.TrailInfo) {
	ev, data := p.item.ev, p.item.data
	if data == nil {
		p.status = "FALTANTE"
		p.note = "El archivo no se encontró en el almacenamiento; la verificación de la cadena lo señala como faltante."
		b.substitute(p, info)
		return
	}
	sum := sha256.Sum256(data)
	p.sha = hex.EncodeToString(sum[:])
	p.status = "Sí"
	if p.sha != ev.SHA256 {
		p.status = "NO COINCIDE"
	}
	var err error
	why := ""
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		p.pdf = data
		p.pages, err = PageCount(data)
		why = "no es un PDF legible: está dañado, cifrado o incompleto"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}), bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		p.pdf, err = imagePage(data)
		if err == nil {
			p.pages, err = PageCount(p.pdf)
		}
		why = "la imagen escaneada no se puede leer"
	default:
		err = fmt.Errorf("unknown format")
		why = "su formato no es PDF, JPEG, PNG ni TIFF"
	}
	if err == nil && p.pages == 0 {
		err = fmt.Errorf("no pages")
		why = "el archivo no tiene páginas"
	}
	if err != nil {
		p.note = "El archivo no pudo incorporarse al legajo: " + why + ". Consúltelo en el archivo electrónico con la clave y la huella SHA-256 de la hoja de cierre."
		b.substitute(p, info)
	}
}

// imagePage makes a Letter page of a scanned image, scaled to fit.
func imagePage(img []byte) ([]byte, error) {
	imp := api.DefaultImportConfig()
	imp.PageDim = types.PaperSize["Letter"]
	imp.Pos = types.Full
	var out bytes.Buffer
	if err := api.ImportImages(nil, &out, []io.Reader{bytes.NewReader(img)}, imp, pdfcpuConf()); err != nil {
		return nil, fmt.Errorf("imagen: %w", err)
	}
	return out.Bytes(), nil
}

// substitute is the foja that stands for a file that is not in the legajo.
func (b *Bundle) substitute(p *part, info legajo.TrailInfo) {
	ev := p.item.ev
	s := b.r.newSheet(info.Institution, "FOJA", "sustituta", "Foja sustituta de un archivo del legajo", info.ExportedAt)
	s.f.AddPage()
	s.title("FOJA SUSTITUTA")
	s.pairs([][2]string{
		{"Folio", ev.Folio},
		{"Evento", ev.Event.Label() + tantoSuffix(ev)},
		{"Asunto", ev.Subject},
		{"Fecha", ev.At.Format("02/01/2006 15:04")},
		{"Clave de almacenamiento", ev.Key},
		{"SHA-256 registrado en la cadena", ev.SHA256},
	}, 52)
	s.f.Ln(4)
	s.paragraph(p.note)
	p.pdf, _ = s.output(true)
	p.pages = 1
}

func tantoSuffix(ev legajo.TrailEvent) string {
	if ev.Tanto != "" {
		return " (" + ev.Tanto + ")"
	}
	return ""
}

// docLabel is how the index names an event's document.
func docLabel(ev legajo.TrailEvent) string {
	title := ev.Title
	if title == "" {
		title = ev.Type
	}
	label := ev.Event.Label()
	if ev.Tanto != "" {
		label += ", " + strings.ToLower(ev.Tanto)
	}
	if title == "" {
		return label
	}
	return title + " — " + label
}

func fojaRange(p *part) string {
	if p.pages <= 1 {
		return strconv.Itoa(p.first)
	}
	return strconv.Itoa(p.first) + "–" + strconv.Itoa(p.first+p.pages-1)
}

// index renders the index pages: one row per event, with its fojas.
func (b *Bundle) index(parts []*part, info legajo.TrailInfo, fojas int) ([]byte, error) {
	s := b.r.newSheet(info.Institution, "ÍNDICE", "del legajo", "Índice del legajo", info.ExportedAt)
	s.f.AddPage()
	s.title("LEGAJO DE AUDITORÍA · ÍNDICE")
	s.criteria(info)
	s.f.Ln(1)
	s.font("", 8.5)
	s.paragraph(legajo.Plural(len(b.items), "evento", "eventos") + " en orden cronológico de archivo; " +
		legajo.Plural(fojas, "foja útil, numerada", "fojas útiles, numeradas") + " en el ángulo superior derecho.")
	s.f.Ln(2)
	cols := []column{{"No.", 8, "C"}, {"Fecha", 16, "C"}, {"Folio", 40.5, "L"}, {"Documento", 43, "L"}, {"Asunto", 46.4, "L"}, {"Fojas", 17, "C"}}
	s.tableHeader(cols)
	pi := 0
	for i, it := range b.items {
		ev := it.ev
		fj := "—"
		if isPart(ev) { // parts are in the same order
			fj = fojaRange(parts[pi])
			if parts[pi].note != "" {
				fj += " (sustituta)"
			}
			pi++
		}
		subject := ev.Subject
		if ev.Event == legajo.EventCancelado && ev.Reason != "" {
			subject = "Motivo: " + ev.Reason
		}
		s.tableRow(cols, []string{strconv.Itoa(i + 1), ev.At.Format("02/01/2006") + "\n" + ev.At.Format("15:04"),
			ev.Folio, docLabel(ev), subject, fj})
	}
	if len(b.items) == 0 {
		s.paragraph("No hay eventos que cumplan los criterios.")
	}
	return s.output(false)
}

// closing renders the closing pages: totals, every file's SHA-256 compared
// with the chain, and the verification of the chains.
func (b *Bundle) closing(parts []*part, info legajo.TrailInfo, fojas int) ([]byte, error) {
	s := b.r.newSheet(info.Institution, "CIERRE", "del legajo", "Hoja de cierre del legajo", info.ExportedAt)
	s.f.AddPage()
	s.title("HOJA DE CIERRE Y VERIFICACIÓN DEL LEGAJO")
	extent := fmt.Sprintf("%d fojas útiles, numeradas de la 1 a la %d en el ángulo superior derecho, que reproducen", fojas, fojas)
	if fojas == 1 {
		extent = "1 foja útil, numerada en el ángulo superior derecho, que reproduce"
	}
	s.paragraph("El presente legajo consta de " + extent + " " + legajo.Plural(len(parts), "archivo", "archivos") +
		" del archivo electrónico de Legajo en el orden cronológico en que se archivaron. " +
		"El índice y esta hoja de cierre no se foliaron. Cada huella SHA-256 se calculó sobre el archivo tal como está almacenado " +
		"y se comparó con la registrada en la cadena de su expediente.")
	s.f.Ln(2)
	cols := []column{{"No.", 8, "C"}, {"Fojas", 14, "C"}, {"Documento", 44.9, "L"}, {"Clave de almacenamiento y SHA-256", 83, "L"}, {"Coincide", 21, "C"}}
	s.tableHeader(cols)
	for i, p := range parts {
		ev := p.item.ev
		sha := p.sha
		if sha == "" {
			sha = ev.SHA256
		}
		doc := ev.Folio + "\n" + docLabel(ev)
		if ev.Kind == "anexo" && ev.Subject != "" {
			doc += ": " + ev.Subject
		}
		if inc, ok := info.Seal.Proof(ev.Entry); ok && inc.Index >= 0 {
			doc += fmt.Sprintf("\nHoja %d de %d del registro", inc.Index+1, inc.Size)
		}
		s.hashRow(cols, strconv.Itoa(i+1), fojaRange(p), doc, ev.Key, sha, p.status)
	}
	if len(parts) == 0 {
		s.paragraph("El legajo no incluye archivos.")
	}
	s.f.Ln(3)
	s.ensure(30)
	s.heading("Verificación de la cadena")
	lines := info.VerificationLines()
	s.font("B", 9)
	if !info.Verified() {
		s.f.SetTextColor(170, 0, 0)
	}
	s.f.MultiCell(contentW, 4.4, text(lines[0]), "", "L", false)
	s.f.SetTextColor(0, 0, 0)
	s.font("", 8)
	for _, l := range lines[1:] {
		s.f.MultiCell(contentW, 3.8, text(l), "", "L", false)
	}
	if seal := info.Seal; seal != nil {
		s.f.Ln(3)
		// The section and the certification below it go on one page: the
		// signature never stands alone on a page.
		s.ensure(sealSectionH + certificationH)
		s.heading("Registro sellado del archivo")
		root, sigs := legajo.CheckpointLines(seal.Checkpoint)
		signed := seal.SignedAt.In(info.ExportedAt.Location())
		s.paragraph(fmt.Sprintf("Cada documento de este legajo es una hoja del registro sellado del archivo (su número, contado desde 1, está en la tabla; "+
			"las pruebas lo cuentan desde 0). Al exportarse, el registro tenía %d hojas, según el punto de control firmado el %s a las %s horas con la clave de la institución. "+
			"El archivo adjunto «%s» lleva ese punto de control y la prueba de inclusión de cada documento; "+
			"cualquiera puede comprobarlos con «legajo audit --bundle» o con los paquetes note y tlog de Go.",
			seal.Size, legajo.LongDate(signed), signed.Format("15:04"), legajo.SealAttachment))
		rows := [][2]string{{"Raíz SHA-256", root}}
		for _, l := range sigs {
			rows = append(rows, [2]string{"Firma", l})
		}
		rows = append(rows, [2]string{"Clave pública", seal.Key})
		s.pairs(rows, 34)
	}
	s.f.Ln(3)
	s.ensure(certificationH)
	s.font("", 9)
	s.paragraph(fmt.Sprintf("Exportado por %s el %s a las %s horas.", info.ExportedBy, legajo.LongDate(info.ExportedAt), info.ExportedAt.Format("15:04")))
	s.f.Ln(16)
	x := marginL + contentW/2 - 40
	s.f.Line(x, s.f.GetY(), x+80, s.f.GetY())
	s.f.SetX(x)
	s.font("", 8)
	s.f.CellFormat(80, 4, text("Nombre, cargo y firma de quien certifica"), "", 1, "C", false, 0, "")
	return s.output(false)
}

// sheet is a page in Legajo's institutional style for instruments that are
// not documents of a type: the letterhead, a framed mark on the right
// instead of the tanto, and a footer with the page count.
type sheet struct {
	r    *Renderer
	f    *fpdf.Fpdf
	inst legajo.Institution
	info docInfo
}

// newSheet starts a sheet; mark and caption fill the box on the right,
// footer names the instrument. at dates the file (reproducible output).
func (r *Renderer) newSheet(inst legajo.Institution, mark, caption, footer string, at time.Time) *sheet {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "Letter"})
	s := &sheet{r: r, f: f, inst: inst, info: docInfo{Title: footer, Author: inst.Name + " · " + strings.Join(inst.Units, " · "),
		Creator: "Legajo", Date: at}}
	f.SetCompression(false)
	f.SetCatalogSort(true)
	f.SetCreationDate(at.UTC())
	f.SetModificationDate(at.UTC())
	f.SetMargins(marginL, sheetBodyTop, marginR)
	f.SetAutoPageBreak(true, pageH-sheetFooterTop+3)
	f.AliasNbPages("{nb}")
	if r.logoType != "" {
		f.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: r.logoType}, bytes.NewReader(r.opts.Logo))
	}
	f.SetHeaderFuncMode(func() { s.header(mark, caption, at.Year()) }, true)
	f.SetFooterFunc(func() { s.footer(footer, at) })
	return s
}

func (s *sheet) font(style string, size float64) { setFont(s.f, "Helvetica", style, size) }

// header draws the letterhead as documents have it, with mark framed on
// the right.
func (s *sheet) header(mark, caption string, year int) {
	f := s.f
	letterhead(f, s.inst, s.r.logoType, marginT)
	const w, bx, by = 52.0, pageW - marginR - 52.0, marginT - 1
	f.SetLineWidth(0.5)
	f.Rect(bx, by, w, 17, "D")
	f.SetLineWidth(0.2)
	f.SetXY(bx, by+2)
	s.font("B", 16)
	f.CellFormat(w, 7, text(mark), "", 2, "C", false, 0, "")
	s.font("", 7.5)
	f.CellFormat(w, 4, text(caption), "", 2, "C", false, 0, "")
	headerRule(f, s.inst, sheetBodyTop, year)
	f.SetXY(marginL, sheetBodyTop)
}

// A sheet is never foliated: its mark is level with the letterhead, its
// body starts higher than a document's, and its footer (two lines) ends
// at the bottom margin.
const (
	sheetBodyTop   = 42.0
	sheetFooterTop = pageH - printMargin - 8.6
)

func (s *sheet) footer(name string, at time.Time) {
	f := s.f
	top := sheetFooterTop
	f.SetDrawColor(150, 120, 60)
	f.Line(marginL, top, pageW-marginR, top)
	f.SetDrawColor(0, 0, 0)
	f.SetXY(marginL, top+1)
	s.font("B", 8)
	f.CellFormat(contentW-30, 4, text(name), "", 0, "L", false, 0, "")
	s.font("", 8)
	f.CellFormat(30, 4, text("Hoja "+strconv.Itoa(f.PageNo())+" de {nb}"), "", 2, "R", false, 0, "")
	f.SetX(marginL)
	s.font("", 6.5)
	generated := "Generado por Legajo el " + at.Format("02/01/2006") + " a las " + at.Format("15:04") + " horas"
	f.CellFormat(f.GetStringWidth(text(generated))+2, 3.2, text(generated), "", 0, "L", false, 0, "")
	if s.inst.Address != "" {
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 3.2, text("· "+s.inst.Address), "", 2, "L", false, 0, "")
		f.SetTextColor(0, 0, 0)
	}
}

// output finishes the sheet, compressed unless the renderer is set for
// golden tests; a substitute page always is (it is merged, not compared).
func (s *sheet) output(compress bool) ([]byte, error) {
	if err := s.f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := s.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return s.r.pdfa(buf.Bytes(), s.info, compress || !s.r.opts.Uncompressed)
}

func (s *sheet) title(t string) {
	s.font("B", 12)
	s.f.MultiCell(contentW, 6, text(t), "", "C", false)
	s.f.Ln(2)
}

func (s *sheet) heading(t string) {
	s.ensure(12)
	s.font("B", 9.5)
	s.f.SetFillColor(225, 225, 225)
	s.f.CellFormat(contentW, 5.5, text(t), "", 1, "L", true, 0, "")
	s.f.SetFillColor(255, 255, 255)
	s.f.Ln(1)
}

func (s *sheet) paragraph(t string) {
	s.font("", 9)
	s.f.MultiCell(contentW, 4.4, text(t), "", "J", false)
}

// ensure starts a new page unless h millimetres fit.
func (s *sheet) ensure(h float64) {
	_, bottom := s.f.GetAutoPageBreak()
	if s.f.GetY()+h > pageH-bottom {
		s.f.AddPage()
	}
}

// criteria prints the trail's criteria as label: value lines.
func (s *sheet) criteria(info legajo.TrailInfo) {
	var rows [][2]string
	for _, c := range info.Criteria {
		rows = append(rows, [2]string{c.Label, c.Value})
	}
	s.pairs(rows, 32)
}

// pairs prints framed label/value rows, the label in a grey cell.
func (s *sheet) pairs(rows [][2]string, labelW float64) {
	f := s.f
	for _, r := range rows {
		s.font("", 8.5)
		lines := max(1, len(f.SplitLines([]byte(text(r[1])), contentW-labelW-2)))
		h := float64(lines)*4.2 + 1.4
		s.ensure(h)
		x, y := f.GetXY()
		f.SetFillColor(235, 235, 235)
		s.font("B", 8)
		f.Rect(x, y, labelW, h, "FD")
		f.SetXY(x+1, y+0.7)
		f.MultiCell(labelW-2, 4.2, text(r[0]), "", "L", false)
		f.Rect(x+labelW, y, contentW-labelW, h, "D")
		f.SetXY(x+labelW+1, y+0.7)
		s.font("", 8.5)
		f.MultiCell(contentW-labelW-2, 4.2, text(r[1]), "", "L", false)
		f.SetFillColor(255, 255, 255)
		f.SetXY(x, y+h)
	}
}

// column is one column of a table: title, width in mm, alignment.
type column struct {
	title string
	w     float64
	align string
}

func (s *sheet) tableHeader(cols []column) {
	f := s.f
	s.ensure(14)
	s.font("B", 7.5)
	f.SetFillColor(225, 225, 225)
	for _, c := range cols {
		f.CellFormat(c.w, 6, text(c.title), "1", 0, "C", true, 0, "")
	}
	f.Ln(-1)
	f.SetFillColor(255, 255, 255)
}

// tableRow prints a row of wrapped cells, repeating the header on a new
// page.
func (s *sheet) tableRow(cols []column, cells []string) {
	f := s.f
	s.font("", 7.5)
	const lh = 3.5
	lines := 1
	split := make([][]string, len(cols))
	for i, c := range cols {
		for _, para := range strings.Split(cells[i], "\n") {
			// SplitLines and CellFormat both keep fpdf's cell margin
			// inside the width
			for _, l := range f.SplitLines([]byte(text(para)), c.w) {
				split[i] = append(split[i], string(l))
			}
			if para == "" {
				split[i] = append(split[i], "")
			}
		}
		lines = max(lines, len(split[i]))
	}
	h := float64(lines)*lh + 1.6
	if _, bottom := f.GetAutoPageBreak(); f.GetY()+h > pageH-bottom {
		f.AddPage()
		s.tableHeader(cols)
		s.font("", 7.5)
	}
	x, y := f.GetXY()
	for i, c := range cols {
		f.Rect(x, y, c.w, h, "D")
		for j, l := range split[i] {
			f.SetXY(x, y+0.8+float64(j)*lh)
			f.CellFormat(c.w, lh, l, "", 0, c.align, false, 0, "")
		}
		x += c.w
	}
	f.SetXY(marginL, y+h)
}

// hashRow prints a closing-page row: the storage key wrapped, then the
// SHA-256 whole on one line in a monospaced font, so it can be compared
// character by character.
func (s *sheet) hashRow(cols []column, no, fojas, doc, key, sha, status string) {
	f := s.f
	const lh = 3.3
	s.font("", 6.5)
	keyLines := f.SplitLines([]byte(key), cols[3].w)
	s.font("", 7.5)
	var docLines []string
	for _, para := range strings.Split(doc, "\n") {
		for _, l := range f.SplitLines([]byte(text(para)), cols[2].w) {
			docLines = append(docLines, string(l))
		}
	}
	lines := max(len(docLines), len(keyLines)+1)
	h := float64(lines)*lh + 1.6
	if _, bottom := f.GetAutoPageBreak(); f.GetY()+h > pageH-bottom {
		f.AddPage()
		s.tableHeader(cols)
	}
	x, y := f.GetXY()
	cell := func(i int, ls []string, style string, size float64) {
		f.Rect(x, y, cols[i].w, h, "D")
		s.font(style, size)
		for j, l := range ls {
			f.SetXY(x, y+0.8+float64(j)*lh)
			f.CellFormat(cols[i].w, lh, l, "", 0, cols[i].align, false, 0, "")
		}
		x += cols[i].w
	}
	cell(0, []string{no}, "", 7.5)
	cell(1, []string{text(fojas)}, "", 7.5)
	cell(2, docLines, "", 7.5)
	// key lines in Helvetica, then the hash in Courier
	f.Rect(x, y, cols[3].w, h, "D")
	s.font("", 6.5)
	for j, l := range keyLines {
		f.SetXY(x, y+0.8+float64(j)*lh)
		f.CellFormat(cols[3].w, lh, string(l), "", 0, "L", false, 0, "")
	}
	setFont(f, "Courier", "", 5.8)
	f.SetXY(x, y+0.8+float64(len(keyLines))*lh)
	f.CellFormat(cols[3].w, lh, sha, "", 0, "L", false, 0, "")
	x += cols[3].w
	style := ""
	if status != "Sí" {
		style = "B"
		f.SetTextColor(170, 0, 0)
	}
	cell(4, []string{text(status)}, style, 7.5)
	f.SetTextColor(0, 0, 0)
	f.SetXY(marginL, y+h)
}
