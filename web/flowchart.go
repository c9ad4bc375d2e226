package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode"

	"github.com/sesver/legajo"
)

// The flowchart of a procedure is drawn from its definition as inline SVG:
// a box per activity, a diamond per question, arrows between them. Main
// activities (numbered 1, 2, 3 …) go down the left column in the manual's
// order; those of a branch (2A, 3A.1 …) in the right column beside the
// question they come from, as the manual draws them. A case's page marks
// the current activity and those done, with date and person.

const (
	fcBoxW    = 250
	fcBoxH    = 64
	fcDiaW    = 250
	fcDiaH    = 92
	fcGap     = 26
	fcCol0    = 16
	fcCol1    = 316
	fcLaneX   = 590 // first lane of the arrows that go back up
	fcWidth   = 660
	fcLineLen = 38 // characters per line of text in a box
)

// fcNode is a box or a diamond placed on the chart.
type fcNode struct {
	step     *legajo.Step
	diamond  bool
	col, row int
	x, y     int // top left
	w, h     int
}

func (n *fcNode) cx() int     { return n.x + n.w/2 }
func (n *fcNode) bottom() int { return n.y + n.h }

// flowState is what a case adds to the chart.
type flowState struct {
	current string
	done    map[string]legajo.StepRecord
	taken   map[string]string // step → answer given
}

// branchStep tells a branch activity (2A, 3A.1) from a main one.
func branchStep(n string) bool { return strings.IndexFunc(n, unicode.IsLetter) >= 0 }

// flowchart draws p; c, when not nil, is a case following it.
func flowchart(p *legajo.Procedimiento, c *legajo.Case) template.HTML {
	st := flowState{done: map[string]legajo.StepRecord{}, taken: map[string]string{}}
	if c != nil {
		st.current = c.Step
		for i, r := range c.Steps {
			if !r.Done.IsZero() {
				st.done[r.N] = c.Steps[i]
				if r.Answer != "" {
					st.taken[r.N] = r.Answer
				}
			}
		}
	}
	nodes, box, dia, height := layout(p)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="flujo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="flujo-%s-t" data-procedimiento="%s" `+fcFont+`>`,
		fcWidth, height, fcWidth, height, p.ID, p.ID)
	fmt.Fprintf(&b, `<title id="flujo-%s-t">Diagrama de flujo: %s</title>`, p.ID, esc(p.Name))
	b.WriteString(`<defs><marker id="fl-a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>` +
		`<marker id="fl-b" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1a6b3c"/></marker></defs>`)
	// Start terminal.
	if len(nodes) > 0 {
		first := nodes[0]
		fmt.Fprintf(&b, `<rect class="fl-term" x="%d" y="4" width="70" height="20" rx="10" fill="#eeeeee" stroke="#555555"/><text class="fl-small" x="%d" y="18" text-anchor="middle" font-size="10">Inicio</text>`, first.cx()-35, first.cx())
		arrow(&b, first.cx(), 24, first.cx(), first.y, false)
	}
	// Edges first, boxes over them.
	lane := 0
	edge := func(from *fcNode, to *fcNode, label string, taken bool) {
		if to == nil {
			return
		}
		sx, sy := from.cx(), from.bottom()
		blocked := false
		for _, m := range nodes {
			blocked = blocked || (m.col == from.col && m.row > from.row && m.row < to.row)
		}
		switch {
		case to.row > from.row && to.col == from.col && blocked:
			// Around what stands between, on the column's right.
			gx := from.x + from.w + 14 + 8*(lane%3)
			lane++
			y0 := from.y + from.h/2
			y1 := to.y + to.h/2
			arrowLabel(&b, []int{from.x + from.w, y0, gx, y0, gx, y1, to.x + to.w, y1}, label, taken)
		case to.row > from.row && to.col == from.col:
			arrowLabel(&b, []int{sx, sy, sx, to.y}, label, taken)
		case to.row > from.row:
			arrowLabel(&b, []int{sx, sy, sx, to.y - fcGap/2, to.cx(), to.y - fcGap/2, to.cx(), to.y}, label, taken)
		case to.row == from.row:
			// beside: from the diamond's side to the box's side.
			y := from.y + from.h/2
			if to.col > from.col {
				arrowLabel(&b, []int{from.x + from.w, y, to.x, y}, label, taken)
			} else {
				arrowLabel(&b, []int{from.x, y, to.x + to.w, y}, label, taken)
			}
		default:
			// Back up (a loop): along a lane on the right.
			lx := fcLaneX + 12*(lane%5)
			lane++
			y0 := from.y + from.h/2
			y1 := to.y + to.h/2
			arrowLabel(&b, []int{from.x + from.w, y0, lx, y0, lx, y1, to.x + to.w, y1}, label, taken)
		}
	}
	for _, n := range nodes {
		s := n.step
		if s.Decision != nil && !n.diamond {
			d := dia[s.N]
			arrow(&b, n.cx(), n.bottom(), d.cx(), d.y, st.done[s.N].N != "")
			continue
		}
		if n.diamond {
			for _, br := range s.Decision.Branches {
				edge(n, box[br.Goto], br.Answer, st.taken[s.N] == br.Answer)
			}
			continue
		}
		if f := p.Following(s.N); f != "" {
			_, done := st.done[s.N]
			edge(n, box[f], "", done)
		}
	}
	for _, n := range nodes {
		drawNode(&b, n, st)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// layout places the nodes of p's chart and returns them, the box and the
// diamond of each step, and the chart's height.
func layout(p *legajo.Procedimiento) (nodes []*fcNode, box, dia map[string]*fcNode, height int) {
	box = map[string]*fcNode{}
	dia = map[string]*fcNode{}
	row, prevCol, prevRow := -1, 0, -1
	for i := range p.Steps {
		s := &p.Steps[i]
		col := 0
		if branchStep(s.N) {
			col = 1
		}
		switch {
		case col == 1 && prevCol == 0 && prevRow >= 0:
			row = prevRow // beside the question (or step) it comes from
		default:
			row++
		}
		n := &fcNode{step: s, col: col, row: row, w: fcBoxW, h: fcBoxH}
		nodes = append(nodes, n)
		box[s.N] = n
		prevCol, prevRow = col, row
		if s.Decision != nil {
			row++
			d := &fcNode{step: s, diamond: true, col: col, row: row, w: fcDiaW, h: fcDiaH}
			nodes = append(nodes, d)
			dia[s.N] = d
			prevCol, prevRow = col, row
		}
	}
	// Rows take the height of their tallest node.
	heights := make([]int, row+1)
	for _, n := range nodes {
		heights[n.row] = max(heights[n.row], n.h)
	}
	tops := make([]int, row+2)
	tops[0] = 34
	for r := range heights {
		tops[r+1] = tops[r] + heights[r] + fcGap
	}
	for _, n := range nodes {
		n.x = fcCol0
		if n.col == 1 {
			n.x = fcCol1
		}
		n.y = tops[n.row] + (heights[n.row]-n.h)/2
	}
	height = tops[row+1] + 10
	return nodes, box, dia, height

}

func drawNode(b *strings.Builder, n *fcNode, st flowState) {
	s := n.step
	if n.diamond {
		cx, cy := n.cx(), n.y+n.h/2
		cls, look := "fl-dia", fcDiaPlain
		if _, ok := st.taken[s.N]; ok {
			cls, look = cls+" fl-hecho", fcBoxDone
		} else if st.current == s.N {
			cls, look = cls+" fl-actual", fcBoxNow
		}
		fmt.Fprintf(b, `<g class="%s"><title>%s</title><polygon points="%d,%d %d,%d %d,%d %d,%d" %s/>`, cls, esc(s.Decision.Question),
			cx, n.y, n.x+n.w, cy, cx, n.y+n.h, n.x, cy, look)
		lines := wrap(s.Decision.Question, 26, 4)
		y := cy - (len(lines)-1)*7 + 4
		for _, l := range lines {
			fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, cx, y, esc(l))
			y += 14
		}
		b.WriteString(`</g>`)
		return
	}
	cls, look := "fl-box", fcBoxPlain
	rec, done := st.done[s.N]
	switch {
	case st.current == s.N:
		cls, look = cls+" fl-actual", fcBoxNow
	case done:
		cls, look = cls+" fl-hecho", fcBoxDone
	}
	if s.End {
		cls += " fl-fin"
		if look == fcBoxPlain {
			look = `fill="#ffffff" stroke="#333333" stroke-width="2.5"`
		}
	}
	fmt.Fprintf(b, `<g class="%s" id="paso-%s"><title>%s. %s (%s)</title><rect x="%d" y="%d" width="%d" height="%d" rx="4" %s/>`,
		cls, esc(s.N), esc(s.N), esc(s.Action), esc(s.Who), n.x, n.y, n.w, n.h, look)
	head := s.N
	if s.End {
		head += " · Fin"
	}
	for i, d := range s.Deadlines {
		sep := " · plazo "
		if i > 0 {
			sep = ", +"
		}
		if d.Hours > 0 {
			head += sep + strconv.Itoa(d.Hours) + " h"
		} else {
			head += sep + strconv.Itoa(d.BusinessDays) + " d. háb."
		}
	}
	fmt.Fprintf(b, `<text class="fl-n" x="%d" y="%d" font-weight="700">%s</text>`, n.x+6, n.y+14, esc(head))
	if len(s.Issues) > 0 {
		fmt.Fprintf(b, `<text class="fl-doc" x="%d" y="%d" text-anchor="end" font-size="10" fill="#5b4a00">▤ documento</text>`, n.x+n.w-6, n.y+14)
	}
	maxLines := 3
	if done || st.current == s.N {
		maxLines = 2
	}
	y := n.y + 28
	for _, l := range wrap(s.Action, fcLineLen, maxLines) {
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`, n.x+6, y, esc(l))
		y += 12
	}
	switch {
	case done:
		fmt.Fprintf(b, `<text class="fl-who" x="%d" y="%d" font-size="10" font-weight="600" fill="#1a6b3c">✓ %s · %s</text>`, n.x+6, n.y+n.h-6, rec.Done.In(zone).Format("02/01/2006 15:04"), esc(rec.By))
	case st.current == s.N:
		fmt.Fprintf(b, `<text class="fl-who" x="%d" y="%d" font-size="10" font-weight="600" fill="#0b4fb3">▶ actividad actual</text>`, n.x+6, n.y+n.h-6)
	}
	b.WriteString(`</g>`)
}

func arrow(b *strings.Builder, x0, y0, x1, y1 int, taken bool) {
	arrowLabel(b, []int{x0, y0, x1, y1}, "", taken)
}

// arrowLabel draws a polyline through pts (x, y pairs) ending in an
// arrowhead, with label near its start.
func arrowLabel(b *strings.Builder, pts []int, label string, taken bool) {
	cls, marker, look := "fl-edge", "fl-a", `fill="none" stroke="#444444" stroke-width="1.2"`
	if taken {
		cls, marker, look = "fl-edge fl-tomado", "fl-b", `fill="none" stroke="#1a6b3c" stroke-width="2.4"`
	}
	var ps []string
	for i := 0; i+1 < len(pts); i += 2 {
		ps = append(ps, fmt.Sprintf("%d,%d", pts[i], pts[i+1]))
	}
	fmt.Fprintf(b, `<polyline class="%s" points="%s" marker-end="url(#%s)" %s/>`, cls, strings.Join(ps, " "), marker, look)
	if label != "" {
		lx, ly := pts[0]+4, pts[1]+12
		if pts[1] == pts[3] { // leaves sideways
			lx, ly = pts[0]+6, pts[1]-4
		}
		fmt.Fprintf(b, `<text class="fl-label" x="%d" y="%d" font-size="10" font-weight="600" fill="#5a2d82" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s</text>`, lx, ly, esc(clip(label, 34)))
	}
}

// wrap breaks s into at most n lines of about width characters, ending the
// last with … when it had to cut.
func wrap(s string, width, n int) []string {
	var lines []string
	var cur []rune
	for _, w := range strings.Fields(s) {
		r := []rune(w)
		if len(cur) > 0 && len(cur)+1+len(r) > width {
			lines = append(lines, string(cur))
			cur = nil
		}
		if len(cur) > 0 {
			cur = append(cur, ' ')
		}
		cur = append(cur, r...)
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = clip(lines[n-1]+" …", width)
		if !strings.HasSuffix(lines[n-1], "…") {
			lines[n-1] = clip(lines[n-1], width-1) + "…"
		}
	}
	return lines
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// The chart's looks are presentation attributes on its elements, not
// CSS: the pages' Content-Security-Policy refuses inline styles, and the
// chart should look the same saved or printed by itself.
const (
	fcFont     = `font-family="system-ui, sans-serif" font-size="11" fill="#1d1d1d"`
	fcBoxPlain = `fill="#ffffff" stroke="#555555" stroke-width="1"`
	fcBoxDone  = `fill="#e6f4ea" stroke="#1a6b3c" stroke-width="1.5"`
	fcBoxNow   = `fill="#dbe9ff" stroke="#0b4fb3" stroke-width="3"`
	fcDiaPlain = `fill="#fdf6e3" stroke="#8a6d00" stroke-width="1"`
)

func esc(s string) string { return template.HTMLEscapeString(s) }
