package pdf

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/adler32"
	"slices"
	"sort"
	"sync"
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

// pick lists the glyphs a subset keeps, in their order in the font, and
// their numbers in the subset.
func (ft *ttFont) pick(used *[256]bool) (old []uint16, newID map[uint16]uint16) {
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
	old = make([]uint16, 0, len(keep))
	for g := range keep {
		old = append(old, g)
	}
	slices.Sort(old)
	newID = make(map[uint16]uint16, len(old))
	for i, g := range old {
		newID[g] = uint16(i)
	}
	return old, newID
}

// smallTables builds every table of a subset but glyf, given the length
// of each kept glyph as written (padded to 4 bytes).
func (ft *ttFont) smallTables(used *[256]bool, old []uint16, newID map[uint16]uint16, lens []int) (before, after []table) {
	be := binary.BigEndian
	n := len(old)
	loca := make([]byte, 4*(n+1))
	off := 0
	for i := range old {
		be.PutUint32(loca[4*i:], uint32(off))
		off += lens[i]
	}
	be.PutUint32(loca[4*n:], uint32(off))
	hmtx := make([]byte, 4*n)
	for i, g := range old {
		be.PutUint16(hmtx[4*i:], ft.advance[g])
		be.PutUint16(hmtx[4*i+2:], uint16(ft.lsb[g]))
	}
	head := append([]byte(nil), ft.head...)
	be.PutUint32(head[8:], 0)  // checkSumAdjustment, set by sfnt
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
	// sorted by tag, glyf between them
	return []table{{"OS/2", ft.os2}, {"cmap", cmap}},
		[]table{{"head", head}, {"hhea", hhea}, {"hmtx", hmtx}, {"loca", loca}, {"maxp", maxp}, {"post", post}}
}

// glyphZ is a glyph prepared once for every subset: without its
// instructions, padded to 4 bytes, and (a simple glyph) deflated on its
// own, ending on a byte boundary, so that a subset's font file is
// assembled from the pieces without compressing anything but its small
// tables.
type glyphZ struct {
	data      []byte // as written in a subset; a composite's components still to renumber
	z         []byte // data deflated (raw, sync-flushed); nil for a composite
	adler     uint32 // of data
	sum       uint32 // TrueType checksum of data
	composite bool
}

// prepareGlyphs deflates the glyphs of the Windows-1252 characters and
// their components, once per font.
func (ft *ttFont) prepareGlyphs() error {
	ft.glyphs = map[uint16]*glyphZ{}
	var all [256]bool
	for c := range all {
		all[c] = true
	}
	old, _ := ft.pick(&all)
	zw, err := flate.NewWriter(nil, flate.BestCompression)
	if err != nil {
		return err
	}
	for _, g := range old {
		data := ft.appendGlyph(nil, g, nil)
		for len(data)%4 != 0 {
			data = append(data, 0)
		}
		gz := &glyphZ{data: data, adler: adler32.Checksum(data), sum: checksum(data), composite: len(ft.components(g)) > 0}
		if !gz.composite && len(data) > 0 {
			var b bytes.Buffer
			zw.Reset(&b)
			zw.Write(data)
			if err := zw.Flush(); err != nil {
				return err
			}
			gz.z = b.Bytes()
		}
		ft.glyphs[g] = gz
	}
	return nil
}

// subsetZ returns the zlib stream (FlateDecode) of the subset of the
// glyphs of the codes used, and its uncompressed length (Length1). The
// small tables and composite glyphs go in stored blocks; the other glyphs
// are the pieces deflated by prepareGlyphs.
func (ft *ttFont) subsetZ(used *[256]bool) ([]byte, int) {
	old, newID := ft.pick(used)
	parts := make([][]byte, len(old))
	lens := make([]int, len(old))
	var glyfSum uint32
	glyfLen := 0
	for i, g := range old {
		gz := ft.glyphs[g]
		data := gz.data
		if gz.composite {
			data = ft.appendGlyph(nil, g, newID)
			for len(data)%4 != 0 {
				data = append(data, 0)
			}
			glyfSum += checksum(data)
		} else {
			glyfSum += gz.sum
		}
		parts[i], lens[i] = data, len(data)
		glyfLen += len(data)
	}
	before, after := ft.smallTables(used, old, newID, lens)
	pre, post := sfntAround(before, after, glyfLen, glyfSum)

	out := make([]byte, 0, len(pre)+len(post)+glyfLen/2+64)
	out = append(out, 0x78, 0x01) // zlib, deflate with a 32K window, fastest
	out = storedBlocks(out, pre)
	adler := adler32.Checksum(pre)
	for i, g := range old {
		gz := ft.glyphs[g]
		switch {
		case len(parts[i]) == 0:
			continue
		case gz.composite:
			out = storedBlocks(out, parts[i])
			adler = adler32Combine(adler, adler32.Checksum(parts[i]), len(parts[i]))
			continue
		}
		out = append(out, gz.z...)
		adler = adler32Combine(adler, gz.adler, len(parts[i]))
	}
	out = storedBlocks(out, post)
	adler = adler32Combine(adler, adler32.Checksum(post), len(post))
	out = append(out, 1, 0, 0, 0xFF, 0xFF) // the final, empty, stored block
	out = binary.BigEndian.AppendUint32(out, adler)
	return out, len(pre) + glyfLen + len(post)
}

// subsetCache holds the last subsets of a font made, by the codes they
// hold: the tantos of a document print nearly the same characters, and the
// fixed texts of a type (headings in bold, the footer's small print) the
// very same ones in every document. It is dropped whole when full.
type subsetCache struct {
	mu sync.Mutex
	m  map[[256]bool]*subsetEntry
}

type subsetEntry struct {
	once    sync.Once
	z       []byte
	length1 int
}

// maxSubsets bounds the cache of each font: some 64 × 20 kB.
const maxSubsets = 64

// subsetCached is subsetZ, made once for a set of codes while the set is
// in the cache. The bytes returned are shared: they must not be changed.
func (ft *ttFont) subsetCached(used *[256]bool) ([]byte, int) {
	c := &ft.subsets
	c.mu.Lock()
	e := c.m[*used]
	if e == nil {
		if c.m == nil || len(c.m) >= maxSubsets {
			c.m = make(map[[256]bool]*subsetEntry, maxSubsets)
		}
		e = &subsetEntry{}
		c.m[*used] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.z, e.length1 = ft.subsetZ(used) })
	return e.z, e.length1
}

// storedBlocks appends data as deflate stored blocks, not final.
func storedBlocks(dst, data []byte) []byte {
	for len(data) > 0 {
		n := min(len(data), 0xFFFF)
		dst = append(dst, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		dst = append(dst, data[:n]...)
		data = data[n:]
	}
	return dst
}

// adler32Combine is the Adler-32 of two strings from theirs and the
// second's length (zlib's adler32_combine).
func adler32Combine(a1, a2 uint32, len2 int) uint32 {
	const mod = 65521
	rem := uint32(len2 % mod)
	sum1 := a1 & 0xFFFF
	sum2 := (rem * sum1) % mod
	sum1 += (a2 & 0xFFFF) + mod - 1
	sum2 += (a1 >> 16) + (a2 >> 16) + mod - rem
	if sum1 >= mod {
		sum1 -= mod
	}
	if sum1 >= mod {
		sum1 -= mod
	}
	if sum2 >= mod<<1 {
		sum2 -= mod << 1
	}
	if sum2 >= mod {
		sum2 -= mod
	}
	return sum1 | sum2<<16
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
		if newID != nil {
			be.PutUint16(dst[at+2:], newID[be.Uint16(d[i+2:])])
		}
		i = end
		if flags&moreComps == 0 {
			break
		}
	}
	return dst
}

// sfntAround writes a TrueType file's bytes before and after its glyf
// table, which is glyfLen bytes long with checksum glyfSum and comes after
// the tables before.
func sfntAround(before, after []table, glyfLen int, glyfSum uint32) (pre, post []byte) {
	be := binary.BigEndian
	tables := append(append(append([]table{}, before...), table{"glyf", nil}), after...)
	n := len(tables)
	pre = make([]byte, 12+16*n)
	be.PutUint32(pre[0:], 0x00010000)
	be.PutUint16(pre[4:], uint16(n))
	sr, sel := 1, 0
	for sr*2 <= n {
		sr *= 2
		sel++
	}
	be.PutUint16(pre[6:], uint16(16*sr))
	be.PutUint16(pre[8:], uint16(sel))
	be.PutUint16(pre[10:], uint16(16*n-16*sr))
	off := len(pre)
	total := uint32(0)
	headAt := -1
	for i, t := range tables {
		rec := 12 + 16*i
		length, sum := len(t.data), checksum(t.data)
		if t.tag == "glyf" {
			length, sum = glyfLen, glyfSum
		}
		copy(pre[rec:], t.tag)
		be.PutUint32(pre[rec+4:], sum)
		be.PutUint32(pre[rec+8:], uint32(off))
		be.PutUint32(pre[rec+12:], uint32(length))
		total += sum
		if t.tag == "head" {
			headAt = off
		}
		off += (length + 3) &^ 3
	}
	total += checksum(pre)
	for _, t := range before {
		pre = append(pre, t.data...)
		for len(pre)%4 != 0 {
			pre = append(pre, 0)
		}
	}
	postAt := len(pre) + glyfLen
	for _, t := range after {
		post = append(post, t.data...)
		for len(post)%4 != 0 {
			post = append(post, 0)
		}
	}
	be.PutUint32(post[headAt-postAt+8:], 0xB1B0AFBA-total)
	return pre, post
}

type table struct {
	tag  string
	data []byte
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
