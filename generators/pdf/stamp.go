package pdf

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// cancelledMark is what StampCancelled writes across every page.
const cancelledMark = "CANCELADO"

// noteWidth and noteLines bound the note up the left edge of each page,
// in the strip between the print margin and the text where nothing else
// is printed: one line of 8-point Helvetica along the page, at most three.
const (
	noteWidth = 130
	noteLines = 3
)

// StampCancelled returns doc with «CANCELADO» across every page in large
// red letters, and note (say, the date and reason of the cancellation)
// boxed up the left edge. It is for what is served of a cancelled
// document: the bytes of doc are not changed, so the archived original
// stays as it was filed. A doc that is not a PDF pdfcpu can read is an
// error.
func StampCancelled(doc []byte, note string) ([]byte, error) {
	pages, err := PageCount(doc)
	if err != nil {
		return nil, err
	}
	mark, err := api.TextWatermark(cancelledMark,
		"font:Helvetica-Bold, scale:0.85 rel, diagonal:1, fillc:#C00000, strokec:#C00000, rendermode:2, opacity:0.4",
		true, false, types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("pdf: stamp: %w", err)
	}
	// Watermarks of differing opacity cannot share a pass.
	out, err := stampPages(doc, pages, mark)
	if err != nil || wrapNote(note) == "" {
		return out, err
	}
	box, err := api.TextWatermark(wrapNote(note),
		"font:Helvetica-Bold, points:7, pos:l, off:37 0, scale:1 abs, rot:90, fillc:#C00000, bgcol:#FFFFFF, margins:1, border:0.5 #C00000, align:c",
		true, false, types.POINTS)
	if err != nil {
		return nil, fmt.Errorf("pdf: stamp: %w", err)
	}
	return stampPages(out, pages, box)
}

// stampPages puts wm on each of the pages of doc.
func stampPages(doc []byte, pages int, wm *model.Watermark) ([]byte, error) {
	m := make(map[int]*model.Watermark, pages)
	for p := 1; p <= pages; p++ {
		m[p] = wm
	}
	var out bytes.Buffer
	if err := api.AddWatermarksMap(bytes.NewReader(doc), &out, m, pdfcpuConf()); err != nil {
		return nil, fmt.Errorf("pdf: stamp: %w", err)
	}
	return out.Bytes(), nil
}

// wrapNote breaks note into lines that fit across the page, cutting it
// short with "…" past noteLines lines. pdfcpu breaks lines at "\n" only.
func wrapNote(note string) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(note) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= noteWidth:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > noteLines {
		lines = lines[:noteLines]
		lines[noteLines-1] += " …"
	}
	return strings.Join(lines, "\n")
}
