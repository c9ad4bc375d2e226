package pdf

import (
	"strconv"
	"sync"

	"rsc.io/qr"
)

// The QR code of a document is drawn on every page of each of its tantos,
// at the same place: it is encoded and its drawing operators written once,
// then reused from a small cache. Encoding it and formatting a few hundred
// coordinates was a tenth of the time of a one-page tanto.

// qrRun is a horizontal run of dark modules.
type qrRun struct{ x, y, n int }

// qrRuns encodes url; runs make the code a few dozen rectangles instead of
// hundreds of squares.
func qrRuns(url string) ([]qrRun, int) {
	c, err := qr.Encode(url, qr.M)
	if err != nil {
		return nil, 0 // a URL too long for a QR code: the text line still carries it
	}
	var runs []qrRun
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			start := x
			for x < c.Size && c.Black(x, y) {
				x++
			}
			runs = append(runs, qrRun{start, y, x - start})
		}
	}
	return runs, c.Size
}

// drawQR draws the document's QR code in the square of side size at x, y.
func (p *page) drawQR(x, y, size float64) {
	f := p.f
	_, h := f.GetPageSize()
	ops := p.r.qrs.ops(qrKey{url: p.url, x: x, y: y, size: size, k: f.GetConversionRatio(), h: h})
	if ops == "" {
		return
	}
	f.SetFillColor(0, 0, 0)
	f.RawWriteStr(ops)
	f.SetFillColor(255, 255, 255)
}

// qrKey is what a QR code's operators depend on: the address, the square
// and the page's scale and height.
type qrKey struct {
	url              string
	x, y, size, k, h float64
}

// qrOps returns the operators that fill the code's runs, byte for byte what
// fpdf's Rect(x, y, w, h, "F") writes for each (with no newline after the
// last: RawWriteStr adds it), or "" when there is no code.
func qrOps(key qrKey) string {
	runs, n := qrRuns(key.url)
	if n == 0 || len(runs) == 0 {
		return ""
	}
	m := key.size / float64(n+2) // one module of quiet zone each side
	k := key.k
	b := make([]byte, 0, len(runs)*32)
	for i, r := range runs {
		if i > 0 {
			b = append(b, '\n')
		}
		x, y, w, h := key.x+m*float64(r.x+1), key.y+m*float64(r.y+1), m*float64(r.n), m
		b = strconv.AppendFloat(b, x*k, 'f', 2, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, (key.h-y)*k, 'f', 2, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, w*k, 'f', 2, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, -h*k, 'f', 2, 64)
		b = append(b, " re f"...)
	}
	return string(b)
}

// qrCache holds the operators of the last codes drawn; it is dropped whole
// when full. The tantos of a document are rendered at the same time: the
// first to need the code computes it, the others wait for it.
type qrCache struct {
	mu sync.Mutex
	m  map[qrKey]*qrEntry
}

type qrEntry struct {
	once sync.Once
	ops  string
}

// maxQRCodes bounds the cache: a few hundred documents rendered at once.
const maxQRCodes = 256

// ops returns the operators of the code key describes.
func (c *qrCache) ops(key qrKey) string {
	c.mu.Lock()
	e := c.m[key]
	if e == nil {
		if c.m == nil || len(c.m) >= maxQRCodes {
			c.m = make(map[qrKey]*qrEntry, maxQRCodes)
		}
		e = &qrEntry{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.ops = qrOps(key) })
	return e.ops
}
