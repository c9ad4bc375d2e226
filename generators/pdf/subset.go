package pdf

import (
	"encoding/binary"
	"slices"
	"sort"
)

// A document embeds, of each font it uses, only the glyphs of the
// characters it prints (a few dozen of some 2,600): a new TrueType font
// whose glyphs are renumbered from 0 (.notdef), with the components of
// accented letters, a Windows Unicode cmap for them, and no hinting
// (viewers and printers render the outlines; the hinting programs would
// have to be renumbered too). Everything is copied from tables parsed once.

// glyph flags of a composite glyph's components
const (
	argWords      = 0x0001
	haveScale     = 0x0008
	moreComps     = 0x0020
	haveXYScale   = 0x0040
	have2x2       = 0x0080
	haveInstructs = 0x0100
)

// subset returns a TrueType font with the glyphs of the Windows-1252 codes
// used.
func (ft *ttFont) subset(used *[256]bool) []byte {
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

// components lists the glyphs a composite glyph is made of.
func (ft *ttFont) components(g uint16) []uint16 {
	d := ft.glyf[ft.loca[g]:ft.loca[g+1]]
	if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
		return nil
	}
	var out []uint16
	for i := 10; i+4 <= len(d); {
		flags := binary.BigEndian.Uint16(d[i:])
		out = append(out, binary.BigEndian.Uint16(d[i+2:]))
		i += 4 + componentArgs(flags)
		if flags&moreComps == 0 {
			break
		}
	}
	return out
}

func componentArgs(flags uint16) int {
	n := 2
	if flags&argWords != 0 {
		n = 4
	}
	switch {
	case flags&haveScale != 0:
		n += 2
	case flags&haveXYScale != 0:
		n += 4
	case flags&have2x2 != 0:
		n += 8
	}
	return n
}

// appendGlyph appends glyph g without its instructions, its components
// renumbered.
func (ft *ttFont) appendGlyph(dst []byte, g uint16, newID map[uint16]uint16) []byte {
	be := binary.BigEndian
	d := ft.glyf[ft.loca[g]:ft.loca[g+1]]
	if len(d) < 10 {
		return dst // an empty glyph (the space)
	}
	contours := int(int16(be.Uint16(d)))
	if contours >= 0 {
		at := 10 + 2*contours // instructionLength
		if at+2 > len(d) {
			return dst
		}
		skip := int(be.Uint16(d[at:]))
		if at+2+skip > len(d) {
			return dst
		}
		dst = append(dst, d[:at]...)
		dst = append(dst, 0, 0)
		return append(dst, d[at+2+skip:]...)
	}
	dst = append(dst, d[:10]...)
	for i := 10; i+4 <= len(d); {
		flags := be.Uint16(d[i:])
		end := i + 4 + componentArgs(flags)
		if end > len(d) {
			break
		}
		at := len(dst)
		dst = append(dst, d[i:end]...)
		be.PutUint16(dst[at:], flags&^haveInstructs)
		be.PutUint16(dst[at+2:], newID[be.Uint16(d[i+2:])])
		i = end
		if flags&moreComps == 0 {
			break
		}
	}
	return dst
}

type table struct {
	tag  string
	data []byte
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

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
