package pdf

import (
	"embed"
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/sesver/legajo"
)

// PDF/A requires every font to be embedded. Legajo embeds Liberation Sans
// and Liberation Mono (SIL Open Font License), which have the advance
// widths of Helvetica/Arial and Courier: the layout measured with the
// standard fonts' metrics stays valid, and what is printed matches what the
// offices' word processors print in Arial. The files are parsed once, on
// first use; each document then gets a subset of the glyphs it uses (see
// subset.go), built from the parsed tables without reading the file again.

//go:embed fonts/*.ttf fonts/sRGB.icc
var fontFiles embed.FS

// ttFont is a parsed TrueType font: the tables a subset is built from and
// the metrics of its font descriptor, all in font units.
type ttFont struct {
	psName     string // PostScript name, as the PDF's BaseFont
	unitsPerEm int
	numGlyphs  int
	advance    []uint16 // per glyph
	lsb        []int16  // per glyph
	glyf       []byte
	loca       []uint32 // numGlyphs+1 offsets into glyf
	head, hhea []byte
	maxp, os2  []byte
	post       []byte // the first 32 bytes (version 3.0 header)
	cmap       map[rune]uint16
	// descriptor metrics
	bbox                  [4]int
	ascent, descent, capH int
	italicAngle           float64
	fixedPitch, italic    bool
	code                  [256]uint16 // Windows-1252 code → glyph
	widths                [256]int    // Windows-1252 code → width in 1/1000 em
	missingWidth          int
	glyphs                map[uint16]*glyphZ // the Windows-1252 ones, see prepareGlyphs
	subsets               subsetCache        // see subsetCached
}

// standardFont maps the names of the standard fonts the layout uses to the
// embedded file that replaces each.
var standardFont = map[string]string{
	"Helvetica":             "LiberationSans-Regular.ttf",
	"Helvetica-Bold":        "LiberationSans-Bold.ttf",
	"Helvetica-Oblique":     "LiberationSans-Italic.ttf",
	"Helvetica-BoldOblique": "LiberationSans-BoldItalic.ttf",
	"Courier":               "LiberationMono-Regular.ttf",
}

// embeddedFonts parses the embedded font files once.
var embeddedFonts = sync.OnceValues(func() (map[string]*ttFont, error) {
	fonts := make(map[string]*ttFont, len(standardFont))
	for std, file := range standardFont {
		ft, err := loadFont(file)
		if err != nil {
			return nil, err
		}
		fonts[std] = ft
	}
	return fonts, nil
})

// loadFont reads and parses one of the embedded font files.
func loadFont(file string) (*ttFont, error) {
	b, err := fontFiles.ReadFile("fonts/" + file)
	if err != nil {
		return nil, fmt.Errorf("pdf: font %s: %w", file, err)
	}
	ft, err := parseTrueType(b)
	if err == nil && ft.psName == "" {
		err = fmt.Errorf("%w: no PostScript name", errFont)
	}
	if err == nil {
		err = ft.prepareGlyphs()
	}
	if err != nil {
		return nil, fmt.Errorf("pdf: font %s: %w", file, err)
	}
	return ft, nil
}

// sRGBProfile is the ICC profile of the documents' output intent.
var sRGBProfile = sync.OnceValue(func() []byte {
	b, err := fontFiles.ReadFile("fonts/sRGB.icc")
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
})

var errFont = fmt.Errorf("not a TrueType font Legajo can embed")

// parseTrueType reads the tables of a TrueType font that a PDF subset
// needs. It copies nothing: the slices point into b.
func parseTrueType(b []byte) (*ttFont, error) {
	be := binary.BigEndian
	if len(b) < 12 || (be.Uint32(b) != 0x00010000 && string(b[:4]) != "true") {
		return nil, errFont
	}
	tables := map[string][]byte{}
	n := int(be.Uint16(b[4:]))
	for i := range n {
		rec := 12 + 16*i
		if rec+16 > len(b) {
			return nil, errFont
		}
		off, length := int(be.Uint32(b[rec+8:])), int(be.Uint32(b[rec+12:]))
		if off < 0 || length < 0 || off+length > len(b) {
			return nil, errFont
		}
		tables[string(b[rec:rec+4])] = b[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "post", "OS/2"} {
		if tables[t] == nil {
			return nil, fmt.Errorf("%w: no %s table", errFont, t)
		}
	}
	head, hhea, maxp, os2, post := tables["head"], tables["hhea"], tables["maxp"], tables["OS/2"], tables["post"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(os2) < 90 || len(post) < 32 {
		return nil, errFont
	}
	if fsType := be.Uint16(os2[8:]); fsType&0x0002 != 0 {
		return nil, fmt.Errorf("%w: its licence forbids embedding", errFont)
	}
	ft := &ttFont{head: head, hhea: hhea, maxp: maxp, os2: os2, post: post[:32], glyf: tables["glyf"]}
	ft.unitsPerEm = int(be.Uint16(head[18:]))
	ft.numGlyphs = int(be.Uint16(maxp[4:]))
	s16 := func(t []byte, at int) int { return int(int16(be.Uint16(t[at:]))) }
	ft.bbox = [4]int{s16(head, 36), s16(head, 38), s16(head, 40), s16(head, 42)}
	ft.ascent, ft.descent, ft.capH = s16(os2, 68), s16(os2, 70), s16(os2, 88)
	ft.italicAngle = float64(int32(be.Uint32(post[4:]))) / 65536
	ft.fixedPitch = be.Uint32(post[12:]) != 0
	ft.italic = ft.italicAngle != 0
	// horizontal metrics
	hm := int(be.Uint16(hhea[34:]))
	hmtx := tables["hmtx"]
	if hm == 0 || hm > ft.numGlyphs || len(hmtx) < 4*hm+2*(ft.numGlyphs-hm) {
		return nil, errFont
	}
	ft.advance, ft.lsb = make([]uint16, ft.numGlyphs), make([]int16, ft.numGlyphs)
	for g := range ft.numGlyphs {
		if g < hm {
			ft.advance[g], ft.lsb[g] = be.Uint16(hmtx[4*g:]), int16(be.Uint16(hmtx[4*g+2:]))
		} else {
			ft.advance[g], ft.lsb[g] = ft.advance[hm-1], int16(be.Uint16(hmtx[4*hm+2*(g-hm):]))
		}
	}
	// glyph locations
	loca := tables["loca"]
	ft.loca = make([]uint32, ft.numGlyphs+1)
	long := be.Uint16(head[50:]) == 1
	for g := range ft.numGlyphs + 1 {
		switch {
		case long && len(loca) >= 4*(g+1):
			ft.loca[g] = be.Uint32(loca[4*g:])
		case !long && len(loca) >= 2*(g+1):
			ft.loca[g] = 2 * uint32(be.Uint16(loca[2*g:]))
		default:
			return nil, errFont
		}
		if int(ft.loca[g]) > len(ft.glyf) || (g > 0 && ft.loca[g] < ft.loca[g-1]) {
			return nil, errFont
		}
	}
	var err error
	if ft.cmap, err = unicodeCmap(tables["cmap"]); err != nil {
		return nil, err
	}
	ft.psName = postScriptName(tables["name"]) // a subset has none
	// Windows-1252 codes: the encoding the content streams are written in.
	ft.missingWidth = ft.width(0)
	for c := 32; c < 256; c++ {
		r := cp1252Runes()[c]
		if r == 0 {
			ft.widths[c] = ft.missingWidth
			continue
		}
		g := ft.cmap[r]
		ft.code[c] = g
		ft.widths[c] = ft.width(g)
	}
	return ft, nil
}

// width is a glyph's advance in thousandths of an em, as PDF's Widths.
func (ft *ttFont) width(g uint16) int {
	return int(math.Round(float64(ft.advance[g]) * 1000 / float64(ft.unitsPerEm)))
}

// scale converts font units to thousandths of an em.
func (ft *ttFont) scale(v int) int {
	return int(math.Round(float64(v) * 1000 / float64(ft.unitsPerEm)))
}

// unicodeCmap reads the Windows Unicode BMP subtable (format 4).
func unicodeCmap(t []byte) (map[rune]uint16, error) {
	be := binary.BigEndian
	if len(t) < 4 {
		return nil, errFont
	}
	n := int(be.Uint16(t[2:]))
	for i := range n {
		rec := 4 + 8*i
		if rec+8 > len(t) {
			break
		}
		if be.Uint16(t[rec:]) != 3 || be.Uint16(t[rec+2:]) != 1 {
			continue
		}
		off := int(be.Uint32(t[rec+4:]))
		if off+14 > len(t) || be.Uint16(t[off:]) != 4 {
			continue
		}
		st := t[off:]
		segs := int(be.Uint16(st[6:])) / 2
		if 16+8*segs > len(st) {
			return nil, errFont
		}
		ends, starts := st[14:], st[16+2*segs:]
		deltas, ranges := st[16+4*segs:], st[16+6*segs:]
		m := map[rune]uint16{}
		for s := range segs {
			end, start := int(be.Uint16(ends[2*s:])), int(be.Uint16(starts[2*s:]))
			delta, ro := be.Uint16(deltas[2*s:]), int(be.Uint16(ranges[2*s:]))
			for c := start; c <= end && c != 0xFFFF; c++ {
				var g uint16
				if ro == 0 {
					g = uint16(c) + delta
				} else {
					at := 16 + 6*segs + 2*s + ro + 2*(c-start)
					if at+2 > len(st) {
						return nil, errFont
					}
					if g = be.Uint16(st[at:]); g != 0 {
						g += delta
					}
				}
				if g != 0 {
					m[rune(c)] = g
				}
			}
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: no Unicode cmap", errFont)
}

// postScriptName reads name ID 6 from the Macintosh Roman or Windows
// Unicode records.
func postScriptName(t []byte) string {
	be := binary.BigEndian
	if len(t) < 6 {
		return ""
	}
	n, strs := int(be.Uint16(t[2:])), int(be.Uint16(t[4:]))
	for i := range n {
		rec := 6 + 12*i
		if rec+12 > len(t) {
			return ""
		}
		platform, id := be.Uint16(t[rec:]), be.Uint16(t[rec+6:])
		length, off := int(be.Uint16(t[rec+8:])), int(be.Uint16(t[rec+10:]))
		if id != 6 || strs+off+length > len(t) {
			continue
		}
		s := t[strs+off : strs+off+length]
		switch platform {
		case 1:
			return string(s)
		case 3:
			out := make([]byte, 0, length/2)
			for j := 1; j < len(s); j += 2 {
				out = append(out, s[j])
			}
			return string(out)
		}
	}
	return ""
}

// cp1252Runes is the reverse of legajo.CP1252: the character of each code
// (0 where the code prints nothing).
var cp1252Runes = sync.OnceValue(func() (runes [256]rune) {
	for r := rune(0x20); r < 0x2200; r++ {
		if c, ok := legajo.CP1252(r); ok {
			runes[c] = r
		}
	}
	return runes
})
