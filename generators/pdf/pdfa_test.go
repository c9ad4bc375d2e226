package pdf_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/pdf"
)

// veraPDF cannot be installed here, so checkPDFA checks the rules of
// PDF/A-2b (ISO 19005-2) that apply to what Legajo writes, on the file as
// written, and then pdfcpu validates it against the PDF specification in
// strict mode:
//
//   - 6.1.2 header: %PDF-1.n (n ≥ 4 here) and a comment of four bytes over 127;
//   - 6.1.3 trailer: an ID, no Encrypt; 6.1.4 the cross-reference table is
//     parsed and every entry points at its object;
//   - 6.2.2–6.2.4 an OutputIntent /GTS_PDFA1 with an embedded ICC profile of
//     3 components (sRGB), so that DeviceRGB and DeviceGray may be used;
//   - 6.2.9/6.2.10 no transparency: no SMask, CA/ca under 1, blend mode
//     other than Normal, transparency group;
//   - 6.2.11 every font embedded (FontFile2) with Widths that agree with the
//     widths of the embedded program, and every character printed is in a
//     font program;
//   - 6.5/6.6 no JavaScript, no JS, AA or Launch actions;
//   - 6.6.2 an unfiltered XMP metadata stream with pdfaid:part 2 and
//     pdfaid:conformance B whose title, author, subject, keywords, creator,
//     producer and dates agree with the Info dictionary.
func checkPDFA(t testing.TB, name string, doc []byte) {
	t.Helper()
	errorf := func(format string, args ...any) { t.Helper(); t.Errorf(name+": "+format, args...) }

	// header
	binary := len(doc) > 14 && doc[8] == '\n' && doc[9] == '%'
	for _, c := range doc[10:min(14, len(doc))] {
		binary = binary && c > 127
	}
	if !regexp.MustCompile(`^%PDF-1\.[4-7]\n`).Match(doc) || !binary {
		errorf("header is not %%PDF-1.4..7 followed by a binary comment: %q", doc[:min(20, len(doc))])
	}
	// cross-reference table, parsed by hand
	sx := bytes.LastIndex(doc, []byte("startxref"))
	if sx < 0 {
		errorf("no startxref")
		return
	}
	var xrefAt int
	if _, err := fmt.Sscanf(string(doc[sx:]), "startxref\n%d\n%%%%EOF", &xrefAt); err != nil || xrefAt <= 0 || xrefAt >= len(doc) {
		errorf("bad startxref: %v", err)
		return
	}
	var first, count int
	if _, err := fmt.Sscanf(string(doc[xrefAt:]), "xref\n%d %d\n", &first, &count); err != nil || first != 0 || count < 2 {
		errorf("no cross-reference table at %d", xrefAt)
		return
	}
	entries := doc[xrefAt+len(fmt.Sprintf("xref\n0 %d\n", count)):]
	for i := range count {
		if len(entries) < 20*(i+1) {
			errorf("cross-reference table cut short")
			return
		}
		e := string(entries[20*i : 20*i+20])
		if i == 0 {
			if e != "0000000000 65535 f \n" {
				errorf("first xref entry %q", e)
			}
			continue
		}
		off, err := strconv.Atoi(e[:10])
		if err != nil || e[10:] != " 00000 n \n" || off >= len(doc) ||
			!bytes.HasPrefix(doc[off:], []byte(strconv.Itoa(i)+" 0 obj")) {
			errorf("xref entry %d (%q) does not point at object %d", i, e, i)
		}
	}
	tr := string(doc[xrefAt+len(fmt.Sprintf("xref\n0 %d\n", count))+20*count : sx])
	if !strings.HasPrefix(tr, "trailer") || !strings.Contains(tr, fmt.Sprintf("/Size %d", count)) {
		errorf("trailer %q lacks /Size %d", tr, count)
	}
	if !regexp.MustCompile(`/ID\s*\[\s*<[0-9a-fA-F]{32}>\s*<[0-9a-fA-F]{32}>\s*\]`).MatchString(tr) {
		errorf("trailer %q has no file ID", tr)
	}
	if strings.Contains(tr, "/Encrypt") {
		errorf("encrypted")
	}

	// pdfcpu, strict
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	ctx, err := api.ReadContext(bytes.NewReader(doc), conf)
	if err != nil {
		errorf("pdfcpu: %v", err)
		return
	}
	if err := api.ValidateContext(ctx); err != nil {
		errorf("pdfcpu strict validation: %v", err)
		return
	}
	xt := ctx.XRefTable
	deref := func(o types.Object) types.Object {
		o, err := xt.Dereference(o)
		if err != nil {
			errorf("dereference: %v", err)
		}
		return o
	}
	dict := func(o types.Object) types.Dict {
		switch v := deref(o).(type) {
		case types.Dict:
			return v
		case types.StreamDict:
			return v.Dict
		}
		return nil
	}
	stream := func(o types.Object) *types.StreamDict {
		sd, _, err := xt.DereferenceStreamDict(o)
		if err != nil || sd == nil {
			errorf("not a stream: %v", err)
			return nil
		}
		if err := sd.Decode(); err != nil {
			errorf("stream: %v", err)
		}
		return sd
	}
	text := func(d types.Dict, key string) string {
		o, ok := d.Find(key)
		if !ok {
			return ""
		}
		s, err := types.StringOrHexLiteral(deref(o))
		if err != nil || s == nil {
			errorf("%s is not a string", key)
			return ""
		}
		return *s
	}

	// every object: no actions, no JavaScript, no transparency
	for nr, e := range xt.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		var d types.Dict
		switch v := e.Object.(type) {
		case types.Dict:
			d = v
		case types.StreamDict:
			d = v.Dict
		default:
			continue
		}
		for _, k := range []string{"JS", "JavaScript", "AA", "OpenAction", "SMask", "Encrypt", "Alternates", "OPI"} {
			if _, ok := d.Find(k); ok {
				errorf("object %d has /%s", nr, k)
			}
		}
		if s, ok := d.Find("S"); ok {
			if n, ok := s.(types.Name); ok && (n == "JavaScript" || n == "Launch" || n == "Transparency") {
				errorf("object %d has /S /%s", nr, n)
			}
		}
		for _, k := range []string{"CA", "ca"} {
			if o, ok := d.Find(k); ok {
				if v, err := xt.DereferenceNumber(o); err != nil || v < 1 {
					errorf("object %d has /%s %v", nr, k, o)
				}
			}
		}
		if o, ok := d.Find("BM"); ok {
			if n, ok := o.(types.Name); !ok || (n != "Normal" && n != "Compatible") {
				errorf("object %d has blend mode %v", nr, o)
			}
		}
		if o, ok := d.Find("Interpolate"); ok {
			if b, ok := o.(types.Boolean); ok && b.Value() {
				errorf("object %d interpolates", nr)
			}
		}
	}

	// output intent
	cat, err := xt.Catalog()
	if err != nil {
		errorf("catalog: %v", err)
		return
	}
	intents, _ := xt.DereferenceArray(cat["OutputIntents"])
	pdfa := 0
	for _, o := range intents {
		oi := dict(o)
		if s, _ := oi["S"].(types.Name); s != "GTS_PDFA1" {
			continue
		}
		pdfa++
		sd := stream(oi["DestOutputProfile"])
		if sd == nil {
			continue
		}
		icc := sd.Content
		if len(icc) < 128 || string(icc[36:40]) != "acsp" || string(icc[16:20]) != "RGB " {
			errorf("the output intent's profile is not an RGB ICC profile")
		}
		if n, _ := xt.DereferenceNumber(sd.Dict["N"]); n != 3 {
			errorf("the ICC profile's /N is %v, want 3", n)
		}
	}
	if pdfa != 1 {
		errorf("%d GTS_PDFA1 output intents, want 1", pdfa)
	}

	// XMP metadata against the Info dictionary
	meta := stream(cat["Metadata"])
	if meta == nil {
		errorf("no XMP metadata")
		return
	}
	if _, ok := meta.Dict.Find("Filter"); ok {
		errorf("the metadata stream is filtered")
	}
	if sub, _ := meta.Dict["Subtype"].(types.Name); sub != "XML" {
		errorf("metadata /Subtype %v", meta.Dict["Subtype"])
	}
	x := parseXMP(t, meta.Content)
	if x.Part != "2" || x.Conformance != "B" {
		errorf("XMP says PDF/A part %q conformance %q, want 2 and B", x.Part, x.Conformance)
	}
	if xt.Info == nil {
		errorf("no Info dictionary")
		return
	}
	info := dict(*xt.Info)
	for _, c := range []struct{ key, xmp string }{
		{"Title", x.Title}, {"Author", x.Creator}, {"Subject", x.Description}, {"Keywords", x.Keywords},
		{"Creator", x.CreatorTool}, {"Producer", x.Producer},
	} {
		if got := text(info, c.key); got != c.xmp {
			errorf("Info /%s %q but XMP %q", c.key, got, c.xmp)
		}
	}
	if text(info, "Title") == "" || text(info, "Producer") != "Legajo" {
		errorf("Info lacks a title or says another producer: %q, %q", text(info, "Title"), text(info, "Producer"))
	}
	for _, c := range []struct{ key, xmp string }{{"CreationDate", x.CreateDate}, {"ModDate", x.ModifyDate}} {
		pd, ok := types.DateTime(text(info, c.key), false)
		xd, err := time.Parse(time.RFC3339, c.xmp)
		if !ok || err != nil || !pd.Equal(xd) {
			errorf("Info /%s %q and XMP %q are not the same instant", c.key, text(info, c.key), c.xmp)
		}
	}

	// fonts
	printable := map[rune]bool{}
	fonts := 0
	seen := map[string]bool{}
	for p := 1; p <= xt.PageCount; p++ {
		pd, _, _, err := xt.PageDict(p, true)
		if err != nil {
			errorf("page %d: %v", p, err)
			continue
		}
		res := dict(pd["Resources"])
		for rn, fo := range dict(res["Font"]) {
			fd := dict(fo)
			if seen[rn] {
				continue
			}
			seen[rn] = true
			fonts++
			base, _ := fd["BaseFont"].(types.Name)
			if sub, _ := fd["Subtype"].(types.Name); sub != "TrueType" {
				errorf("font %s is %s, not an embedded TrueType font", base, sub)
				continue
			}
			desc := dict(fd["FontDescriptor"])
			if desc == nil {
				errorf("font %s has no descriptor", base)
				continue
			}
			file := stream(desc["FontFile2"])
			if file == nil {
				errorf("font %s is not embedded", base)
				continue
			}
			prog, err := pdf.FontProgramWidths(file.Content)
			if err != nil {
				errorf("font %s: the embedded program: %v", base, err)
				continue
			}
			if enc, _ := fd["Encoding"].(types.Name); enc != "WinAnsiEncoding" {
				errorf("font %s: encoding %v", base, fd["Encoding"])
			}
			firstC, _ := xt.DereferenceNumber(fd["FirstChar"])
			widths, _ := xt.DereferenceArray(fd["Widths"])
			lastC, _ := xt.DereferenceNumber(fd["LastChar"])
			if len(widths) != int(lastC-firstC)+1 {
				errorf("font %s: %d widths for codes %v–%v", base, len(widths), firstC, lastC)
				continue
			}
			for i, w := range widths {
				code := byte(int(firstC) + i)
				r := cp1252(code)
				pw, ok := prog[r]
				if !ok {
					continue
				}
				printable[r] = true
				if wv, _ := xt.DereferenceNumber(w); wv < float64(pw)-1 || wv > float64(pw)+1 {
					errorf("font %s: width of %q is %v, the program says %d", base, r, wv, pw)
				}
			}
		}
	}
	if fonts == 0 {
		errorf("no fonts")
	}
	missing := map[rune]bool{}
	for _, r := range pdftotext(t, doc) {
		if !unicode.IsSpace(r) && !printable[r] {
			missing[r] = true
		}
	}
	if len(missing) > 0 {
		errorf("%d characters are printed but in no embedded font program: %v", len(missing), missing)
	}
}

// cp1252 is the character of a Windows-1252 code.
func cp1252(c byte) rune {
	for r := rune(0x20); r < 0x2200; r++ {
		if b, ok := legajo.CP1252(r); ok && b == c {
			return r
		}
	}
	return 0
}

type xmpMeta struct {
	Part, Conformance, Title, Creator, Description, Keywords, CreatorTool, Producer, CreateDate, ModifyDate string
}

// parseXMP reads the properties PDF/A relates to the Info dictionary: the
// text of each property of an rdf:Description, by its namespace and name
// (a title in rdf:Alt/rdf:li counts as its text; more than one li is an
// error, as Info holds one value).
func parseXMP(t testing.TB, b []byte) xmpMeta {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("<?xpacket begin=")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte(`<?xpacket end="w"?>`)) {
		t.Errorf("XMP is not a packet: %.60q", b)
	}
	const (
		rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
		dc  = "http://purl.org/dc/elements/1.1/"
		xmp = "http://ns.adobe.com/xap/1.0/"
		pdf = "http://ns.adobe.com/pdf/1.3/"
		aid = "http://www.aiim.org/pdfa/ns/id/"
	)
	props := map[xml.Name]string{}
	lis := map[xml.Name]int{}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []xml.Name
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Errorf("XMP: %v", err)
			}
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name)
			if len(stack) >= 5 && e.Name == (xml.Name{Space: rdf, Local: "li"}) {
				lis[stack[3]]++
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			// x:xmpmeta > rdf:RDF > rdf:Description > property [> container > li]
			if len(stack) >= 4 && stack[2] == (xml.Name{Space: rdf, Local: "Description"}) {
				props[stack[3]] += strings.TrimSpace(string(e))
			}
		}
	}
	for n, c := range lis {
		if c > 1 {
			t.Errorf("XMP: %d values of %s where Info has one", c, n.Local)
		}
	}
	return xmpMeta{
		Part: props[xml.Name{Space: aid, Local: "part"}], Conformance: props[xml.Name{Space: aid, Local: "conformance"}],
		Title: props[xml.Name{Space: dc, Local: "title"}], Creator: props[xml.Name{Space: dc, Local: "creator"}],
		Description: props[xml.Name{Space: dc, Local: "description"}], Keywords: props[xml.Name{Space: pdf, Local: "Keywords"}],
		Producer: props[xml.Name{Space: pdf, Local: "Producer"}], CreatorTool: props[xml.Name{Space: xmp, Local: "CreatorTool"}],
		CreateDate: props[xml.Name{Space: xmp, Local: "CreateDate"}], ModifyDate: props[xml.Name{Space: xmp, Local: "ModifyDate"}],
	}
}

// TestPDFA checks every tanto of every fixture, as production writes it
// and as the golden files are, against PDF/A-2b.
func TestPDFA(t *testing.T) {
	for _, uncompressed := range []bool{false, true} {
		r := newRenderer(t, uncompressed)
		for _, s := range samples(t) {
			tantos := s.doc.Type.Tantos
			if uncompressed {
				tantos = tantos[:1] // the golden files' way; the rest as in production
			}
			for _, tanto := range tantos {
				checkPDFA(t, fmt.Sprintf("%s %s (uncompressed %v)", s.name, tanto.Name, uncompressed), render(t, r, s.doc, tanto))
			}
		}
	}
}

// TestPDFASheets: the carátula, the sheets of a legajo (index, closing,
// substitute foja) and a draft are PDF/A too. A bundle as a whole is not: it
// merges uploaded PDFs and scans as they are.
func TestPDFASheets(t *testing.T) {
	checkPDFA(t, "carátula", caratula(t, true))
	index, closing, substitute, err := pdf.Sheets(newRenderer(t, false), bundleInfo(false))
	if err != nil {
		t.Fatal(err)
	}
	checkPDFA(t, "index", index)
	checkPDFA(t, "closing", closing)
	checkPDFA(t, "substitute", substitute)
	s := samples(t)[0]
	draft := *s.doc
	draft.Folio = legajo.Folio{}
	checkPDFA(t, "draft", render(t, newRenderer(t, false), &draft, draft.Type.Tantos[0]))
}

// TestPDFACatchesViolations makes sure checkPDFA fails on what it must
// refuse: a check that cannot fail proves nothing. Each change keeps the
// length, so that only the rule under test is broken.
func TestPDFACatchesViolations(t *testing.T) {
	r := newRenderer(t, true)
	s := samples(t)[0]
	good := render(t, r, s.doc, s.doc.Type.Tantos[0])
	rec := &recorder{TB: t}
	if checkPDFA(rec, "good", good); rec.failed {
		t.Fatal("the unchanged file fails")
	}
	for _, c := range []struct{ name, old, new string }{
		{"version 1.3", "%PDF-1.7", "%PDF-1.3"},
		{"no binary comment", "%PDF-1.7\n%\xE2", "%PDF-1.7\n%a"},
		{"no PDF/A output intent", "/S /GTS_PDFA1", "/S /GTS_PDFX1"},
		{"not part 2", "<pdfaid:part>2</pdfaid:part>", "<pdfaid:part>1</pdfaid:part>"},
		{"another producer in XMP", "<pdf:Producer>Legajo</pdf:Producer>", "<pdf:Producer>Legajx</pdf:Producer>"},
		{"transparency", "/Lang (es-MX)", "/CA 0.5      "},
		{"an action", "/Lang (es-MX)", "/AA <<>>     "},
		{"no file ID", "/ID [<", "/XD [<"},
		{"a font not embedded", "/FontFile2 ", "/FontFileX "},
		{"a wrong width", "/Widths [278 ", "/Widths [900 "},
		{"encryption", "/Root ", "/Encrypt 1 0 R /Root "},
	} {
		bad := bytes.Replace(good, []byte(c.old), []byte(c.new), 1)
		if bytes.Equal(bad, good) {
			t.Fatalf("%s: %q not found", c.name, c.old)
		}
		rec = &recorder{TB: t}
		checkPDFA(rec, c.name, bad)
		if !rec.failed {
			t.Errorf("checkPDFA accepts a file with %s", c.name)
		}
	}
	// an entry of the cross-reference table that points elsewhere
	bad := bytes.Clone(good)
	x := bytes.LastIndex(bad, []byte("\nxref\n0 "))
	entry1 := x + bytes.Index(bad[x:], []byte(" f \n")) + len(" f \n")
	copy(bad[entry1:], "0000000001")
	rec = &recorder{TB: t}
	if checkPDFA(rec, "bad xref", bad); !rec.failed {
		t.Error("checkPDFA accepts a broken cross-reference table")
	}
}

// recorder is a TB whose errors are recorded instead of failing the test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.TB.Logf("(expected) "+format, args...)
}
func (r *recorder) Helper() {}
