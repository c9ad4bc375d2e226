package pdf

import (
	"strconv"
	"strings"
	"testing"
)

// The QR cache stays bounded, gives each address its own code, and gives
// nothing for an address too long for a code (the footer's text line
// still carries it).
func TestQRCache(t *testing.T) {
	var c qrCache
	key := func(i int) qrKey {
		return qrKey{url: "https://legajo.example.gob.mx/verificar/" + strconv.Itoa(i), x: marginL, y: footerTop, size: qrSize, k: 72 / 25.4, h: pageH}
	}
	for i := range 3 * maxQRCodes {
		if got := c.ops(key(i)); got != qrOps(key(i)) || !strings.HasSuffix(got, " re f") {
			t.Fatalf("code %d: cached operators differ from the code's", i)
		}
		if len(c.m) > maxQRCodes {
			t.Fatalf("%d codes cached, more than %d", len(c.m), maxQRCodes)
		}
	}
	if c.ops(key(1)) == c.ops(key(2)) {
		t.Error("two addresses share a code")
	}
	long := key(0)
	long.url += strings.Repeat("x", 4000)
	if got := c.ops(long); got != "" {
		t.Errorf("an address too long for a code draws %d bytes of operators", len(got))
	}
}
