package pdf_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/templates"
)

// TestQRCodesOfConcurrentDocuments: the QR code's operators are cached per
// address; documents rendered at the same time by one Renderer, the two
// tantos of each in turn, each print their own address's code, on every
// page the same.
func TestQRCodesOfConcurrentDocuments(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	data, err := fixtures.DecodeData(mustRead(t, "../../fixtures/documents/oficio-liberacion.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst := fixtures.Institution()
	inst.BaseURL = "https://legajo.example.gob.mx"
	r := newRenderer(t, true)
	const docs = 4
	raws := make([][][]byte, docs)
	urls := make([]string, docs)
	var wg sync.WaitGroup
	for i := range docs {
		doc := prepareFor(t, cat, "oficio-liberacion", data, inst)
		doc.Folio.Number = 100 + i
		urls[i] = doc.VerifyURL()
		raws[i] = make([][]byte, len(doc.Type.Tantos))
		for j, tanto := range doc.Type.Tantos {
			wg.Go(func() {
				var buf bytes.Buffer
				if err := r.Render(&buf, doc, tanto); err != nil {
					t.Error(err)
				}
				raws[i][j] = buf.Bytes()
			})
		}
	}
	wg.Wait()
	for i := range docs {
		for i2 := range i {
			if urls[i] == urls[i2] {
				t.Fatalf("documents %d and %d have the same address %s", i2, i, urls[i])
			}
		}
		for j, raw := range raws[i] {
			checkQR(t, raw, urls[i])
			// The code is the only filled-rectangle block; every page has
			// it, identical (the golden files hold these uncompressed).
			pages := bytes.Split(raw, []byte("/Type /Page\n"))
			if len(pages) < 3 {
				t.Fatalf("document %d tanto %d: want several pages", i, j)
			}
			first := qrBlock(raw)
			if len(first) == 0 || bytes.Count(raw, first) != len(pages)-1 {
				t.Errorf("document %d tanto %d: QR operators appear %d times in %d pages", i, j, bytes.Count(raw, first), len(pages)-1)
			}
		}
	}
}

// qrBlock is the first run of consecutive " re f" lines of an uncompressed
// file: the QR code's modules.
func qrBlock(raw []byte) []byte {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	var b []byte
	for _, l := range lines {
		if bytes.HasSuffix(l, []byte(" re f\n")) {
			b = append(b, l...)
		} else if len(b) > 0 {
			break
		}
	}
	return b
}
