package pdf

import "strings"

// wline is one line of wrapped text. end marks the last line of a
// paragraph (a hard line break or the end of the text), which is never
// justified.
type wline struct {
	s   string
	end bool
}

// wrap breaks s (already in the font's encoding) into lines that fit w
// millimetres of the current font, less the cell margins. Lines break at
// spaces; a word too long for a whole line (an e-mail address, a URL, a
// folio) breaks after one of «@ / . - _», and only mid-word when it has
// none that fits. A blank line of s is kept as an empty line.
//
// Measuring and drawing use the same lines, so a cell is exactly as tall
// as its text.
func (p *page) wrap(s string, w float64) []wline {
	w -= 2 * p.f.GetCellMargin()
	var out []wline
	for seg := range strings.SplitSeq(strings.ReplaceAll(s, "\r", ""), "\n") {
		out = p.wrapSegment(out, seg, w)
	}
	return out
}

func (p *page) wrapSegment(out []wline, seg string, w float64) []wline {
	f := p.f
	space := f.GetStringWidth(" ")
	var line strings.Builder
	lineW := 0.0
	flush := func() {
		out = append(out, wline{s: line.String()})
		line.Reset()
		lineW = 0
	}
	for word := range strings.FieldsSeq(seg) {
		ww := f.GetStringWidth(word)
		gap := 0.0
		if line.Len() > 0 {
			gap = space
		}
		if lineW+gap+ww <= w {
			if gap > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(word)
			lineW += gap + ww
			continue
		}
		if ww <= w {
			// it fits a line of its own: never break it
			flush()
			line.WriteString(word)
			lineW = ww
			continue
		}
		// Too long for any line: start it here if a piece fits, then
		// break it at natural points.
		for word != "" {
			room := w - lineW - gap
			head := p.breakToken(word, room)
			if head == "" {
				if line.Len() == 0 {
					head = p.hardBreak(word, w)
				} else {
					flush()
					gap = 0
					continue
				}
			}
			if gap > 0 {
				line.WriteByte(' ')
			}
			line.WriteString(head)
			lineW += gap + f.GetStringWidth(head)
			word = word[len(head):]
			gap = 0
			if word != "" {
				flush()
				if f.GetStringWidth(word) <= w {
					line.WriteString(word)
					lineW = f.GetStringWidth(word)
					word = ""
				}
			}
		}
	}
	out = append(out, wline{s: line.String(), end: true})
	return out
}

// breakToken returns the longest prefix of word that ends just after a
// natural break point and fits room, or "".
func (p *page) breakToken(word string, room float64) string {
	best := ""
	for i := 0; i < len(word)-1; i++ {
		switch word[i] {
		case '@', '/', '.', '-', '_', ',', ';', ':', '?', '&', '=':
			head := word[:i+1]
			if p.f.GetStringWidth(head) > room {
				return best
			}
			best = head
		}
	}
	return best
}

// hardBreak returns the longest prefix of word that fits w, at least one
// character: the last resort for a token without break points.
func (p *page) hardBreak(word string, w float64) string {
	n := 1
	for n < len(word) && p.f.GetStringWidth(word[:n+1]) <= w {
		n++
	}
	return word[:n]
}

// textLine draws one wrapped line in a cell of width w at the current
// position. Justified lines get their spaces widened, as fpdf's MultiCell
// does: Tw for single-byte fonts, and CellFormat's own spacing for UTF-8
// fonts.
func (p *page) textLine(l wline, w, h float64, align string) {
	f := p.f
	if align != "J" {
		f.CellFormat(w, h, l.s, "", 0, align, false, 0, "")
		return
	}
	n := strings.Count(l.s, " ")
	if l.end || n == 0 {
		f.CellFormat(w, h, l.s, "", 0, "L", false, 0, "")
		return
	}
	ws := (w - 2*f.GetCellMargin() - f.GetStringWidth(l.s)) / float64(n)
	f.SetWordSpacing(ws)
	f.CellFormat(w, h, l.s, "", 0, "J", false, 0, "")
	f.SetWordSpacing(0)
}
