package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
)

// Every PDF the renderer writes is PDF/A-2b (ISO 19005-2, level B): fit to
// be archived and to look the same in twenty years. fpdf lays the pages
// out with the standard fonts, whose advance widths are replaced by those
// of the embedded Liberation fonts (fontDef); then toPDFA rewrites fpdf's
// output in one pass:
//
//   - the header says PDF 1.7 and is followed by a binary comment;
//   - each standard font becomes a TrueType font with Widths, a font
//     descriptor and an embedded subset of the glyphs its text uses;
//   - the Info dictionary is rewritten and an XMP metadata stream with the
//     same title, author, subject, keywords, creator, producer and dates
//     and the PDF/A identification (part 2, conformance B) is added;
//   - the catalog gets an sRGB output intent (GTS_PDFA1) with its ICC
//     profile;
//   - the content streams are deflated (unless the renderer is set for the
//     golden tests);
//   - the cross-reference table is rebuilt and the trailer gets an ID.
//
// fpdf writes no encryption, JavaScript, actions, annotations or
// transparency for what Legajo draws; a logo with an alpha channel is
// flattened onto white in New. pdfa_test.go checks every rule on every
// fixture.

// docInfo is what the Info dictionary and the XMP metadata say.
type docInfo struct {
	Title, Author, Subject, Keywords, Creator string
	Date                                      time.Time
}

const producer = "Legajo"

// fontDef is the fpdf definition of a standard font with the widths of
// the Liberation font that replaces it, in JSON as fpdf reads it.
var fontDefs = sync.OnceValues(func() (map[string][]byte, error) {
	fonts, err := embeddedFonts()
	if err != nil {
		return nil, err
	}
	defs := map[string][]byte{}
	for std, ft := range fonts {
		cw := make([]int, 256)
		for c := range cw {
			cw[c] = ft.widths[c]
			if c < 32 {
				cw[c] = ft.missingWidth
			}
		}
		b, err := json.Marshal(map[string]any{"Tp": "Core", "Name": std, "Up": -100, "Ut": 50, "Cw": cw, "Enc": "cp1252"})
		if err != nil {
			return nil, err
		}
		defs[std] = b
	}
	return defs, nil
})

// fontFamily maps a family and style to the standard font's name.
func stdFontName(family, style string) string {
	if family == "Courier" {
		return "Courier"
	}
	switch style {
	case "B":
		return "Helvetica-Bold"
	case "I":
		return "Helvetica-Oblique"
	case "BI", "IB":
		return "Helvetica-BoldOblique"
	}
	return "Helvetica"
}

// setFont selects family ("Helvetica" or "Courier") in style, with the
// widths of the font that will be embedded. Registering is a map lookup
// once the font is in the document.
func setFont(f *fpdf.Fpdf, family, style string, size float64) {
	defs, err := fontDefs()
	if err != nil {
		f.SetError(err)
		return
	}
	f.AddFontFromBytes(family, style, defs[stdFontName(family, style)], nil)
	f.SetFont(family, style, size)
}

// iccStream is the output intent's profile, deflated once.
var iccStream = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := deflate(&b, sRGBProfile()); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// pdfaFont is a standard font of fpdf's output being replaced.
type pdfaFont struct {
	num, desc int // object numbers of the font and its descriptor (the file follows)
	std       string
	used      [256]bool
}

// toPDFA makes fpdf's output a PDF/A-2b file, written to out (empty), and
// returns out's bytes; compress deflates the content streams. With fonts
// nil it only deflates them and rebuilds the cross-reference table, as
// Legajo did before PDF/A: only the benchmark that measures what PDF/A
// costs does that.
func toPDFA(out *bytes.Buffer, in []byte, info docInfo, compress bool, fonts map[string]*ttFont) ([]byte, error) {
	plain := fonts == nil
	bad := func(what string, args ...any) error {
		return fmt.Errorf("pdf: PDF/A: "+what, args...)
	}
	xref := bytes.LastIndex(in, []byte("\nxref\n0 "))
	if !bytes.HasPrefix(in, []byte("%PDF-1.")) || xref < 0 {
		return nil, bad("not an fpdf document")
	}
	size, err := strconv.Atoi(string(in[xref+len("\nxref\n0 ") : xref+len("\nxref\n0 ")+bytes.IndexByte(in[xref+len("\nxref\n0 "):], '\n')]))
	if err != nil {
		return nil, bad("no cross-reference table")
	}
	trailer := in[xref:]
	root, infoNum := objRef(trailer, "/Root "), objRef(trailer, "/Info ")
	if root <= 0 || infoNum <= 0 {
		return nil, bad("no Root or Info in the trailer")
	}
	next := size
	alloc := func(n int) int { next += n; return next - n }
	var metaObj, intentObj, iccObj int
	if !plain {
		metaObj, intentObj, iccObj = alloc(1), alloc(1), alloc(1)
	}

	out.Grow(len(in)/2 + 16<<10)
	if plain {
		out.Write(in[:bytes.IndexByte(in, '\n')+1])
	} else {
		out.WriteString("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	}
	offsets := make([]int, 0, size+16)
	offsets = append(offsets, 0)
	setOffset := func(num int) {
		for len(offsets) <= num {
			offsets = append(offsets, -1)
		}
		offsets[num] = out.Len()
	}
	var fonts2 []*pdfaFont
	fontByNum := map[int]*pdfaFont{}
	used := map[string]*[256]bool{} // by resource name
	resources := map[string]int{}   // resource name → font object
	var pages string
	pos := bytes.IndexByte(in, '\n') + 1
	for pos < xref+1 {
		sp := bytes.IndexByte(in[pos:], ' ')
		if sp < 0 {
			return nil, bad("object expected at %d", pos)
		}
		num, err := strconv.Atoi(string(in[pos : pos+sp]))
		if err != nil || !bytes.HasPrefix(in[pos+sp:], []byte(" 0 obj\n")) {
			return nil, bad("object expected at %d", pos)
		}
		body := pos + sp + len(" 0 obj\n")
		end, streamAt, length, filtered := scanObject(in, body)
		if end < 0 {
			return nil, bad("object %d is not closed", num)
		}
		obj := in[body:end]
		switch {
		case streamAt >= 0:
			dict := in[body:streamAt]
			data := in[streamAt : streamAt+length]
			if !bytes.Contains(dict, []byte("/Subtype")) && !filtered {
				scanText(data, used)
			}
			setOffset(num)
			if !compress || filtered {
				out.Write(in[pos:end])
				break
			}
			var z bytes.Buffer
			if err := deflate(&z, data); err != nil {
				return nil, err
			}
			fmt.Fprintf(out, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", num, z.Len())
			out.Write(z.Bytes())
			out.WriteString("\nendstream\nendobj\n")
		case plain:
			setOffset(num)
			out.Write(in[pos:end])
		case bytes.HasPrefix(obj, []byte("<</Type /Font\n/BaseFont /")):
			name := obj[len("<</Type /Font\n/BaseFont /"):]
			std := string(name[:bytes.IndexByte(name, '\n')])
			if fonts[std] == nil || !bytes.Contains(obj, []byte("/Encoding /WinAnsiEncoding")) {
				return nil, bad("font %s cannot be embedded", std)
			}
			pf := &pdfaFont{num: num, std: std, desc: alloc(2)}
			fonts2 = append(fonts2, pf)
			fontByNum[num] = pf
		case num == infoNum:
		case num == root:
			if p := objRef(obj, "/Pages "); p > 0 {
				pages = strconv.Itoa(p)
			}
			if bytes.Contains(obj, []byte("/OpenAction")) || bytes.Contains(obj, []byte("/JavaScript")) {
				return nil, bad("the catalog has actions")
			}
		default:
			if fr := bytes.Index(obj, []byte("/Font <<\n")); fr >= 0 {
				readFontResources(obj[fr+len("/Font <<\n"):], resources)
			}
			setOffset(num)
			out.Write(in[pos:end])
		}
		pos = end
	}
	if plain {
		xrefAt := out.Len()
		writeXref(out, offsets[:next])
		tr := in[xref+1:]
		out.Write(tr[bytes.Index(tr, []byte("trailer\n")):bytes.Index(tr, []byte("startxref\n"))])
		fmt.Fprintf(out, "startxref\n%d\n%%%%EOF\n", xrefAt)
		return out.Bytes(), nil
	}
	if pages == "" {
		return nil, bad("the catalog has no pages")
	}
	for res, u := range used {
		pf := fontByNum[resources[res]]
		if pf == nil {
			return nil, bad("font %s is not in the resources", res)
		}
		for c, ok := range u {
			pf.used[c] = pf.used[c] || ok
		}
	}
	for _, pf := range fonts2 {
		if err := writeFont(out, setOffset, pf, fonts[pf.std]); err != nil {
			return nil, err
		}
	}
	// Info, metadata, output intent, catalog.
	setOffset(infoNum)
	fmt.Fprintf(out, "%d 0 obj\n<<", infoNum)
	for _, kv := range [][2]string{{"Title", info.Title}, {"Author", info.Author}, {"Subject", info.Subject},
		{"Keywords", info.Keywords}, {"Creator", info.Creator}, {"Producer", producer}} {
		if kv[1] != "" {
			out.WriteString("/" + kv[0] + " ")
			out.WriteString(pdfText(kv[1]))
			out.WriteString("\n")
		}
	}
	d := info.Date.UTC().Format("20060102150405")
	fmt.Fprintf(out, "/CreationDate (D:%s+00'00')\n/ModDate (D:%s+00'00')\n>>\nendobj\n", d, d)
	xmp := xmpPacket(info)
	setOffset(metaObj)
	fmt.Fprintf(out, "%d 0 obj\n<</Type /Metadata /Subtype /XML /Length %d>>\nstream\n", metaObj, len(xmp))
	out.Write(xmp)
	out.WriteString("\nendstream\nendobj\n")
	setOffset(intentObj)
	fmt.Fprintf(out, "%d 0 obj\n<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) "+
		"/RegistryName (http://www.color.org) /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R>>\nendobj\n", intentObj, iccObj)
	setOffset(iccObj)
	icc := iccStream()
	fmt.Fprintf(out, "%d 0 obj\n<</N 3 /Filter /FlateDecode /Length %d>>\nstream\n", iccObj, len(icc))
	out.Write(icc)
	out.WriteString("\nendstream\nendobj\n")
	setOffset(root)
	fmt.Fprintf(out, "%d 0 obj\n<</Type /Catalog /Pages %s 0 R /Lang (es-MX) /Metadata %d 0 R /OutputIntents [%d 0 R]>>\nendobj\n",
		root, pages, metaObj, intentObj)

	// Cross-reference table and trailer. The ID is the first half of the
	// SHA-256 of everything before it: reproducible, and different for
	// different files.
	if len(offsets) != next {
		return nil, bad("%d objects written, %d expected", len(offsets), next)
	}
	sum := sha256.Sum256(out.Bytes())
	id := hex.EncodeToString(sum[:16])
	xrefAt := out.Len()
	for i := 1; i < next; i++ {
		if offsets[i] < 0 {
			return nil, bad("object %d missing", i)
		}
	}
	writeXref(out, offsets[:next])
	fmt.Fprintf(out, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n",
		next, root, infoNum, id, id, xrefAt)
	return out.Bytes(), nil
}

// writeXref writes the cross-reference table of the objects at offsets
// (offsets[0], object 0, is the head of the free list). A line is
// "%010d 00000 n \n", written without fmt: a document has dozens.
func writeXref(out *bytes.Buffer, offsets []int) {
	out.WriteString("xref\n0 ")
	out.WriteString(strconv.Itoa(len(offsets)))
	out.WriteString("\n0000000000 65535 f \n")
	line := []byte("0000000000 00000 n \n")
	for _, off := range offsets[1:] {
		for i := 9; i >= 0; i-- {
			line[i] = byte('0' + off%10)
			off /= 10
		}
		out.Write(line)
	}
}

// writeFont writes the TrueType font dictionary that replaces a standard
// font, its descriptor and the subset of its glyphs.
func writeFont(out *bytes.Buffer, setOffset func(int), pf *pdfaFont, ft *ttFont) error {
	// The subset's tag is derived from what it holds: reproducible.
	h := fnv.New64a()
	for _, u := range pf.used {
		if u {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	s := h.Sum64()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = byte('A' + s%26)
		s /= 26
	}
	name := string(tag) + "+" + ft.psName
	setOffset(pf.num)
	fmt.Fprintf(out, "%d 0 obj\n<</Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255 /Widths [", pf.num, name)
	for c := 32; c < 256; c++ {
		if c > 32 {
			out.WriteByte(' ')
		}
		out.WriteString(strconv.Itoa(ft.widths[c]))
	}
	fmt.Fprintf(out, "] /FontDescriptor %d 0 R /Encoding /WinAnsiEncoding>>\nendobj\n", pf.desc)
	flags := 32 // nonsymbolic
	if ft.fixedPitch {
		flags |= 1
	}
	if ft.italic {
		flags |= 64
	}
	stemV := 80
	if pf.std == "Helvetica-Bold" || pf.std == "Helvetica-BoldOblique" {
		stemV = 140
	}
	setOffset(pf.desc)
	fmt.Fprintf(out, "%d 0 obj\n<</Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%d %d %d %d] /ItalicAngle %s "+
		"/Ascent %d /Descent %d /CapHeight %d /StemV %d /MissingWidth %d /FontFile2 %d 0 R>>\nendobj\n",
		pf.desc, name, flags, ft.scale(ft.bbox[0]), ft.scale(ft.bbox[1]), ft.scale(ft.bbox[2]), ft.scale(ft.bbox[3]),
		strconv.FormatFloat(ft.italicAngle, 'f', -1, 64), ft.scale(ft.ascent), ft.scale(ft.descent), ft.scale(ft.capH),
		stemV, ft.missingWidth, pf.desc+1)
	// font files are always deflated: nothing in them is compared by eye
	z, length1 := ft.subsetCached(&pf.used)
	setOffset(pf.desc + 1)
	fmt.Fprintf(out, "%d 0 obj\n<</Length1 %d /Filter /FlateDecode /Length %d>>\nstream\n", pf.desc+1, length1, len(z))
	out.Write(z)
	out.WriteString("\nendstream\nendobj\n")
	return nil
}

// objRef reads the object number after key ("/Root ") in b.
func objRef(b []byte, key string) int {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0
	}
	rest := b[i+len(key):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(string(rest[:j]))
	return n
}

// readFontResources reads "/Name N 0 R" lines up to ">>".
func readFontResources(b []byte, into map[string]int) {
	for len(b) > 0 && b[0] == '/' {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return
		}
		line := b[1:nl]
		if sp := bytes.IndexByte(line, ' '); sp > 0 {
			into[string(line[:sp])] = objRef(line[sp:], " ")
		}
		b = b[nl+1:]
	}
}

// scanText records which codes the strings of a content stream use, by
// the font resource selected with Tf.
func scanText(data []byte, used map[string]*[256]bool) {
	var cur *[256]bool
	name := ""
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '/':
			j := i + 1
			for j < len(data) && !isDelim(data[j]) {
				j++
			}
			name = string(data[i+1 : j])
			i = j - 1
		case 'T':
			if i+1 < len(data) && data[i+1] == 'f' && (i+2 == len(data) || isDelim(data[i+2])) && name != "" {
				cur = used[name]
				if cur == nil {
					cur = new([256]bool)
					used[name] = cur
				}
			}
		case '(':
			depth := 1
			for i++; i < len(data) && depth > 0; i++ {
				b := data[i]
				switch b {
				case '\\':
					i++
					if i >= len(data) {
						break
					}
					switch e := data[i]; e {
					case 'n':
						b = '\n'
					case 'r':
						b = '\r'
					case 't':
						b = '\t'
					case 'b':
						b = '\b'
					case 'f':
						b = '\f'
					default:
						if e >= '0' && e <= '7' {
							v := 0
							for k := 0; k < 3 && i < len(data) && data[i] >= '0' && data[i] <= '7'; k++ {
								v = v*8 + int(data[i]-'0')
								i++
							}
							i--
							b = byte(v)
						} else {
							b = e
						}
					}
				case '(':
					depth++
				case ')':
					depth--
					if depth == 0 {
						continue
					}
				}
				if cur != nil {
					cur[b] = true
				}
			}
			i--
		}
	}
}

func isDelim(c byte) bool {
	switch c {
	case ' ', '\n', '\r', '\t', '\f', 0, '/', '(', ')', '<', '>', '[', ']', '{', '}', '%':
		return true
	}
	return false
}

// literalEscaper escapes a PDF literal string; made once, it is not cheap.
var literalEscaper = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)

// pdfText writes s as a PDF text string: literal when ASCII, else
// UTF-16BE with its byte order mark, in hex.
func pdfText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		return "(" + literalEscaper.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// xmpPacket is the XMP metadata: the Info dictionary's values and the
// PDF/A identification.
func xmpPacket(info docInfo) []byte {
	esc := func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	date := info.Date.UTC().Format("2006-01-02T15:04:05Z")
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">` + "\n")
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"` +
		` xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">` + "\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	if info.Title != "" {
		b.WriteString(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(info.Title) + "</rdf:li></rdf:Alt></dc:title>\n")
	}
	if info.Author != "" {
		b.WriteString("<dc:creator><rdf:Seq><rdf:li>" + esc(info.Author) + "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if info.Subject != "" {
		b.WriteString(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + esc(info.Subject) + "</rdf:li></rdf:Alt></dc:description>\n")
	}
	if info.Keywords != "" {
		b.WriteString("<pdf:Keywords>" + esc(info.Keywords) + "</pdf:Keywords>\n")
	}
	b.WriteString("<pdf:Producer>" + producer + "</pdf:Producer>\n")
	if info.Creator != "" {
		b.WriteString("<xmp:CreatorTool>" + esc(info.Creator) + "</xmp:CreatorTool>\n")
	}
	b.WriteString("<xmp:CreateDate>" + date + "</xmp:CreateDate>\n<xmp:ModifyDate>" + date + "</xmp:ModifyDate>\n")
	b.WriteString("<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n")
	b.WriteString("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return []byte(b.String())
}
