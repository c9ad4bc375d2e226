package search

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo/internal/heaptest"
)

// pdfObj is one object of a generated PDF: a dictionary or value, and the
// raw data of its stream when it has one.
type pdfObj struct {
	dict   string
	stream []byte
}

// buildPDF writes objects 1…n with a cross-reference table; object 1 is the
// catalog.
func buildPDF(objs ...pdfObj) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\n", i+1, o.dict)
		if o.stream != nil {
			b.WriteString("stream\n")
			b.Write(o.stream)
			b.WriteString("\nendstream\n")
		}
		b.WriteString("endobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// deflate compresses the bytes chunk writes, repeated times times, without
// holding them all.
func deflate(chunk []byte, times int) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	for range times {
		w.Write(chunk)
	}
	w.Close()
	return b.Bytes()
}

func stream(data []byte, filters string) pdfObj {
	return pdfObj{fmt.Sprintf("<< /Length %d /Filter %s >>", len(data), filters), data}
}

// pagesPDF is a PDF of n pages sharing one content stream and a font.
func pagesPDF(n int, content pdfObj) []byte {
	kids := make([]string, n)
	objs := []pdfObj{{dict: "<< /Type /Catalog /Pages 2 0 R >>"}, {}, content,
		{dict: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}}
	for i := range n {
		kids[i] = fmt.Sprintf("%d 0 R", len(objs)+1)
		objs = append(objs, pdfObj{dict: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>"})
	}
	objs[1] = pdfObj{dict: fmt.Sprintf("<< /Type /Pages /Count %d /Kids [%s] >>", n, strings.Join(kids, " "))}
	return buildPDF(objs...)
}

// hostilePDFs are the worst files we could build, each at most a few MiB:
// what each does and whether its text must be refused (err) or kept.
func hostilePDFs() []struct {
	name string
	pdf  []byte
	err  bool
} {
	text := []byte("BT /F1 12 Tf 72 700 Td (Oficio de liberacion del sistema de nomina) Tj ET\n")
	return []struct {
		name string
		pdf  []byte
		err  bool
	}{
		{"plain", pagesPDF(1, stream(deflate(text, 1), "/FlateDecode")), false},
		{"plain 2.0", bytes.Replace(pagesPDF(1, stream(deflate(text, 1), "/FlateDecode")), []byte("%PDF-1.7"), []byte("%PDF-2.0"), 1), false},
		// 40 MiB of spaces in one content stream (any size past the limit
		// costs the same): 40 KiB on disk.
		{"deflate bomb", pagesPDF(1, stream(deflate(bytes.Repeat([]byte(" "), 1<<20), 40), "/FlateDecode")), true},
		// The same bomb compressed twice: a few hundred bytes on disk.
		{"double deflate bomb", pagesPDF(1, stream(deflate(deflate(bytes.Repeat([]byte(" "), 1<<20), 40), 1), "[/FlateDecode /FlateDecode]")), true},
		// Text that inflates to 75 MB, cut at the text limit.
		{"text bomb", pagesPDF(1, stream(deflate(text, 1<<20), "/FlateDecode")), false},
		// Millions of operands that no operator ever takes.
		{"operand flood", pagesPDF(1, stream(deflate([]byte("1 2 3 4 5 6 7 8 "), 1<<20), "/FlateDecode")), true},
		// One array of four million numbers.
		{"huge array", pagesPDF(1, stream(deflate(append(append([]byte("["), bytes.Repeat([]byte("0 "), 4<<20)...), ']', ' ', 'T', 'J'), 1), "/FlateDecode")), true},
		// Arrays nested a million deep.
		{"nested arrays", pagesPDF(1, stream(deflate([]byte("["), 1<<20), "/FlateDecode")), false},
		// One string of 30 MB.
		{"huge string", pagesPDF(1, stream(deflate(append(append([]byte("BT ("), bytes.Repeat([]byte("a"), 30<<20)...), []byte(") Tj ET")...), 1), "/FlateDecode")), true},
		// 20,000 pages, each showing the same 40 KB of text: cut at the
		// text limit.
		{"many pages", pagesPDF(20_000, stream(deflate(text, 500), "/FlateDecode")), false},
		// A page tree whose kids are itself.
		{"page loop", buildPDF(pdfObj{dict: "<< /Type /Catalog /Pages 2 0 R >>"},
			pdfObj{dict: "<< /Type /Pages /Count 100000 /Kids [2 0 R 2 0 R] >>"}), true},
		// Not a PDF past its first line.
		{"damaged", []byte("%PDF-1.4\n% acuse firmado\n%%EOF\n"), true},
		// A cross-reference table claiming a billion objects.
		{"huge xref", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1000000000\n0000000000 65535 f \ntrailer\n<< /Size 1000000000 /Root 1 0 R >>\nstartxref\n44\n%%EOF\n"), true},
	}
}

func TestPDFTextLimits(t *testing.T) {
	for _, c := range hostilePDFs() {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			text, err := pdfText(c.pdf)
			if d := time.Since(start); d > pdfTimeout+2*time.Second {
				t.Errorf("took %v", d)
			}
			if len(text) > maxPDFText {
				t.Errorf("kept %d bytes of text, over %d", len(text), maxPDFText)
			}
			if c.err != (err != nil) {
				t.Fatalf("err = %v, want error %v", err, c.err)
			}
			if err != nil && !errors.Is(err, errNoText) {
				t.Errorf("err = %v, not errNoText", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "texto no extraído: ") {
				t.Errorf("message %q", err)
			}
			if c.name == "damaged" && err.Error() != "texto no extraído: el PDF está dañado o escrito de una forma que Legajo no lee" {
				t.Errorf("message %q", err)
			}
			if strings.HasPrefix(c.name, "plain") && !strings.Contains(text, "Oficio de liberacion") {
				t.Errorf("text = %q", text)
			}
		})
	}
}

func TestPDFTextTimeout(t *testing.T) {
	// A stream that inflates to just under the limit, read with a deadline
	// already past: the reader stops at its first read.
	p := pagesPDF(1, stream(deflate([]byte("0 "), 1<<20), "/FlateDecode"))
	saved := pdfTimeoutNow
	pdfTimeoutNow = func() time.Time { return time.Now().Add(-pdfTimeout - time.Second) }
	defer func() { pdfTimeoutNow = saved }()
	_, err := pdfText(p)
	if err == nil || !strings.Contains(err.Error(), "segundos") {
		t.Fatalf("err = %v, want the time limit", err)
	}
}

// peakHeap runs f and returns the peak of the heap while it ran, sampled
// every millisecond, in MiB.
func peakHeap(f func()) float64 {
	peak, _ := heaptest.Peak(f)
	return float64(peak) / (1 << 20)
}

// BenchmarkWorstPDF extracts the text of each hostile PDF and reports the
// peak of the heap while doing it (the fixtures themselves included).
func BenchmarkWorstPDF(b *testing.B) {
	for _, c := range hostilePDFs() {
		b.Run(strings.ReplaceAll(c.name, " ", "-"), func(b *testing.B) {
			peak := peakHeap(func() {
				for range b.N {
					pdfText(c.pdf)
				}
			})
			b.ReportMetric(peak, "peak-heap-MiB")
			b.ReportMetric(float64(len(c.pdf))/(1<<10), "file-KiB")
		})
	}
}

// BenchmarkIndexWorstUpload indexes a document with each hostile PDF filed
// as an anexo, as the server does after the upload, and reports the peak
// of the heap (bleve, the archive and the fixtures included).
func BenchmarkIndexWorstUpload(b *testing.B) {
	for _, c := range hostilePDFs() {
		b.Run(strings.ReplaceAll(c.name, " ", "-"), func(b *testing.B) {
			e := newEnv(b, "")
			f := e.emit(b, "oficio-liberacion", sample(b, "oficio-liberacion"))
			ctx := context.Background()
			if _, err := e.office.Attach(ctx, f, c.pdf, "anexo.pdf", "Anexo hostil", "capturista1"); err != nil {
				b.Fatal(err)
			}
			rec, err := e.office.Record(ctx, f)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			peak := peakHeap(func() {
				for range b.N {
					if err := e.index.Index(ctx, rec); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(peak, "peak-heap-MiB")
		})
	}
}
