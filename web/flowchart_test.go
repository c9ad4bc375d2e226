package web

import (
	"image"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/templates"
)

// TestFlowchartLayout draws every procedure of the manual: one box per
// activity, one diamond per question, an arrow per way out of each, and no
// two shapes on top of each other.
func TestFlowchartLayout(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := templates.LoadProcedures(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps.All() {
		t.Run(p.ID, func(t *testing.T) {
			nodes, box, dia, height := layout(p)
			decisions, arrows := 0, 0
			for _, s := range p.Steps {
				if box[s.N] == nil {
					t.Errorf("no box for step %s", s.N)
				}
				if s.Decision != nil {
					decisions++
					arrows += 1 + len(s.Decision.Branches) // box → diamond, one per branch
					if dia[s.N] == nil {
						t.Errorf("no diamond for step %s", s.N)
					}
				} else if p.Following(s.N) != "" {
					arrows++
				}
			}
			for i, a := range nodes {
				ra := image.Rect(a.x, a.y, a.x+a.w, a.y+a.h)
				if ra.Max.X > fcLaneX || ra.Max.Y > height {
					t.Errorf("%s (diamond %v) outside the chart", a.step.N, a.diamond)
				}
				for _, b := range nodes[i+1:] {
					if ra.Overlaps(image.Rect(b.x, b.y, b.x+b.w, b.y+b.h)) {
						t.Errorf("%s and %s overlap", a.step.N, b.step.N)
					}
				}
			}
			svg := string(flowchart(p, nil))
			if n := strings.Count(svg, `<g class="fl-box`); n != len(p.Steps) {
				t.Errorf("%d boxes drawn, want %d", n, len(p.Steps))
			}
			if n := strings.Count(svg, `<g class="fl-dia`); n != decisions {
				t.Errorf("%d diamonds drawn, want %d", n, decisions)
			}
			if n := strings.Count(svg, "<polyline"); n != arrows+1 { // and the one from «Inicio»
				t.Errorf("%d arrows drawn, want %d", n, arrows+1)
			}
			if strings.Contains(svg, "<style") || strings.Contains(svg, "style=") {
				t.Error("the chart uses CSS, which the pages' Content-Security-Policy refuses")
			}
		})
	}
}

// TestFlowchartOfACase marks the current activity, those done with who and
// when, and the answer taken; and escapes what people typed.
func TestFlowchartOfACase(t *testing.T) {
	cat, _ := templates.Load()
	ps, _ := templates.LoadProcedures(cat)
	p, _ := ps.Get("red-voz-datos")
	at := time.Date(2026, 11, 30, 16, 5, 0, 0, time.UTC)
	c := &legajo.Case{Step: "3A", Steps: []legajo.StepRecord{
		{N: "1", Done: at, By: "ana<script>"}, {N: "2", Done: at, By: "ana"}, {N: "3", Done: at, By: "ana", Answer: "No"}, {N: "3A", Began: at}}}
	svg := string(flowchart(p, c))
	for _, want := range []string{`<g class="fl-box fl-hecho" id="paso-1">`, `<g class="fl-box fl-actual fl-fin" id="paso-3A">`,
		`<g class="fl-dia fl-hecho">`, "30/11/2026 10:05 · ana&lt;script&gt;", "▶ actividad actual", `fl-edge fl-tomado`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the case's chart lacks %q", want)
		}
	}
	if strings.Contains(svg, "<script>") {
		t.Error("a name was not escaped")
	}
	// The taken branch («No» → 3A) is green; «Sí» → 4 is not.
	if strings.Count(svg, "fl-tomado") != 4 { // 1→2, 2→3, 3→diamond, diamond→3A
		t.Errorf("%d arrows marked as the path taken, want 4", strings.Count(svg, "fl-tomado"))
	}
}
