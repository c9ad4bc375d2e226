package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"testing"
)

// bombPDF is a one-page PDF whose content stream inflates to n MiB.
func bombPDF(chunk []byte, mib int) []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	for range mib * (1 << 20) / len(chunk) {
		w.Write(chunk)
	}
	w.Close()
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// TestStampRefusesBombs: an uploaded PDF over the limits of reading is
// refused before pdfcpu reads it (it took pdfcpu to 900 MiB); one under
// them is stamped.
func TestStampRefusesBombs(t *testing.T) {
	for _, c := range []struct {
		name string
		pdf  []byte
		ok   bool
	}{
		{"small", bombPDF([]byte("BT /F1 12 Tf (acuse) Tj ET\n"), 1), true},
		{"deflate bomb", bombPDF(bytes.Repeat([]byte(" "), 1<<20), 40), false},
		{"operand flood", bombPDF([]byte("1 2 3 4 5 6 7 8 "), 40), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := StampCancelled(c.pdf, "Cancelado por prueba")
			if (err == nil) != c.ok {
				t.Errorf("err = %v, want ok %v", err, c.ok)
			}
		})
	}
}
