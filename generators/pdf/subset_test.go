package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"syscall"
	"testing"
)

// TestSubsetZ: the font file assembled from pieces deflated once inflates
// (zlib's own check, Adler-32, included) to exactly the subset a plain
// implementation builds, for a few sets of characters of every font.
func TestSubsetZ(t *testing.T) {
	fonts, err := embeddedFonts()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string]string{
		"ascii":   "Folio SESVER/DA/DTI/OL/0042/2026 · ORIGINAL (copia) 1234567890",
		"spanish": "¿Cómo está? ¡Listo! «Niño» y pingüino — Ñandú, ÁÉÍÓÚ Ü, acción… 15 € ªº",
		"one":     "a",
		"none":    "",
	}
	for std, ft := range fonts {
		for name, s := range sets {
			var used [256]bool
			for _, c := range []byte(toCP1252(s)) {
				used[c] = true
			}
			z, length := ft.subsetZ(&used)
			zr, err := zlib.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatalf("%s %s: %v", std, name, err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s %s: inflate: %v", std, name, err)
			}
			want := ft.subset(&used)
			if !bytes.Equal(got, want) || length != len(want) {
				t.Errorf("%s %s: %d bytes (Length1 %d), want the %d of the plain subset", std, name, len(got), length, len(want))
			}
			if _, err := parseTrueType(got); err != nil {
				t.Errorf("%s %s: the subset does not parse: %v", std, name, err)
			}
		}
	}
}

// The plain implementation TestSubsetZ compares with: every table built
// in memory, one file, checksums over it.

// subset returns a TrueType font with the glyphs of the Windows-1252 codes
// used.
func (ft *ttFont) subset(used *[256]bool) []byte {
	_ = binary.BigEndian
	_ = slices.Sort[[]int]
	_ = sort.Ints
	be := binary.BigEndian
	// The glyphs: .notdef, those of the codes, their components.
	keep := map[uint16]bool{0: true}
	var queue []uint16
	for c := 32; c < 256; c++ {
		if g := ft.code[c]; used[c] && g != 0 && !keep[g] {
			keep[g] = true
			queue = append(queue, g)
		}
	}
	for len(queue) > 0 {
		g := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, comp := range ft.components(g) {
			if !keep[comp] {
				keep[comp] = true
				queue = append(queue, comp)
			}
		}
	}
	old := make([]uint16, 0, len(keep))
	for g := range keep {
		old = append(old, g)
	}
	slices.Sort(old)
	newID := make(map[uint16]uint16, len(old))
	for i, g := range old {
		newID[g] = uint16(i)
	}
	n := len(old)

	// glyf and loca (long offsets)
	glyf := make([]byte, 0, 64*n)
	loca := make([]byte, 4*(n+1))
	for i, g := range old {
		be.PutUint32(loca[4*i:], uint32(len(glyf)))
		glyf = ft.appendGlyph(glyf, g, newID)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	be.PutUint32(loca[4*n:], uint32(len(glyf)))

	hmtx := make([]byte, 4*n)
	for i, g := range old {
		be.PutUint16(hmtx[4*i:], ft.advance[g])
		be.PutUint16(hmtx[4*i+2:], uint16(ft.lsb[g]))
	}
	head := append([]byte(nil), ft.head...)
	be.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	be.PutUint16(head[50:], 1) // long loca
	hhea := append([]byte(nil), ft.hhea...)
	be.PutUint16(hhea[34:], uint16(n))
	maxp := append([]byte(nil), ft.maxp...)
	be.PutUint16(maxp[4:], uint16(n))
	post := append([]byte(nil), ft.post...)
	be.PutUint32(post[0:], 0x00030000) // no glyph names

	// cmap: one format 4 subtable (3,1), a segment per character.
	type pair struct {
		r rune
		g uint16
	}
	var chars []pair
	for c := 32; c < 256; c++ {
		if g := ft.code[c]; used[c] && g != 0 {
			chars = append(chars, pair{cp1252Runes()[c], newID[g]})
		}
	}
	sort.Slice(chars, func(i, j int) bool { return chars[i].r < chars[j].r })
	segs := len(chars) + 1
	sub := make([]byte, 16+8*segs)
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(2*segs))
	sr, sel := 2, 0
	for sr*2 <= segs {
		sr *= 2
		sel++
	}
	be.PutUint16(sub[8:], uint16(2*sr))
	be.PutUint16(sub[10:], uint16(sel))
	be.PutUint16(sub[12:], uint16(2*segs-2*sr))
	ends, starts, deltas := sub[14:], sub[16+2*segs:], sub[16+4*segs:]
	for i, p := range chars {
		be.PutUint16(ends[2*i:], uint16(p.r))
		be.PutUint16(starts[2*i:], uint16(p.r))
		be.PutUint16(deltas[2*i:], p.g-uint16(p.r))
	}
	be.PutUint16(ends[2*(segs-1):], 0xFFFF)
	be.PutUint16(starts[2*(segs-1):], 0xFFFF)
	be.PutUint16(deltas[2*(segs-1):], 1)
	cmap := append([]byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}, sub...)

	return sfnt([]table{
		{"OS/2", ft.os2}, {"cmap", cmap}, {"glyf", glyf}, {"head", head}, {"hhea", hhea},
		{"hmtx", hmtx}, {"loca", loca}, {"maxp", maxp}, {"post", post},
	})
}

// sfnt writes a TrueType file of tables, sorted by tag, with checksums.
func sfnt(tables []table) []byte {
	be := binary.BigEndian
	n := len(tables)
	size := 12 + 16*n
	for _, t := range tables {
		size += (len(t.data) + 3) &^ 3
	}
	out := make([]byte, 12+16*n, size)
	be.PutUint32(out[0:], 0x00010000)
	be.PutUint16(out[4:], uint16(n))
	sr, sel := 1, 0
	for sr*2 <= n {
		sr *= 2
		sel++
	}
	be.PutUint16(out[6:], uint16(16*sr))
	be.PutUint16(out[8:], uint16(sel))
	be.PutUint16(out[10:], uint16(16*n-16*sr))
	headAt := 0
	for i, t := range tables {
		rec := 12 + 16*i
		copy(out[rec:], t.tag)
		be.PutUint32(out[rec+4:], checksum(t.data))
		be.PutUint32(out[rec+8:], uint32(len(out)))
		be.PutUint32(out[rec+12:], uint32(len(t.data)))
		if t.tag == "head" {
			headAt = len(out)
		}
		out = append(out, t.data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	be.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

// BenchmarkParseFont is what parsing one font file costs (the tables
// read, the Windows-1252 glyphs prepared): what every document would pay,
// per font, if the files were not parsed once by New.
//
//	go test ./generators/pdf -run '^$' -bench ParseFont -cpu 1
func BenchmarkParseFont(b *testing.B) {
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	for b.Loop() {
		if _, err := loadFont("LiberationSans-Regular.ttf"); err != nil {
			b.Fatal(err)
		}
	}
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
	b.ReportMetric(float64(cpu)/1e6/float64(b.N), "cpu-ms/op")
}

// TestSubsetCached: a cached subset is byte for byte subsetZ's for the same
// codes, whoever asks first among concurrent renderings, and another set of
// codes gets its own; the cache stays bounded.
func TestSubsetCached(t *testing.T) {
	fonts, err := embeddedFonts()
	if err != nil {
		t.Fatal(err)
	}
	ft := fonts["Helvetica-Bold"]
	sets := make([][256]bool, 3*maxSubsets)
	for i := range sets {
		for _, c := range []byte(toCP1252(fmt.Sprintf("Folio %d · ORIGINAL ÁÉÍÓÚ", i))) {
			sets[i][c] = true
		}
		sets[i][32+i%200] = true // sets that differ in one code
	}
	var wg sync.WaitGroup
	for i := range sets {
		for range 2 {
			wg.Go(func() {
				used := sets[i]
				z, n := ft.subsetCached(&used)
				used[200] = !used[200] // the caller's array is not the key
				want, wantN := ft.subsetZ(&sets[i])
				if !bytes.Equal(z, want) || n != wantN {
					t.Errorf("set %d: cached subset differs from subsetZ's", i)
				}
			})
		}
	}
	wg.Wait()
	if n := len(ft.subsets.m); n > maxSubsets {
		t.Errorf("%d subsets cached, more than %d", n, maxSubsets)
	}
}
