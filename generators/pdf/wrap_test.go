package pdf

import (
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// TestWrap: lines fit their width, words are never cut when they fit a
// line, and tokens too long for one break after «@ / . - _».
func TestWrap(t *testing.T) {
	p := &page{f: fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", SizeStr: "Letter"})}
	p.font("", 8.5)
	for _, tc := range []struct {
		name  string
		s     string
		w     float64
		want  []string
		lines int // when want is nil: only the count
	}{
		{name: "empty", s: "", w: 40, want: []string{""}},
		{name: "fits", s: "Radio base VHF", w: 40, want: []string{"Radio base VHF"}},
		{name: "words move whole", s: "Recepción del equipo y medición de potencia", w: 40,
			want: []string{"Recepción del equipo y", "medición de potencia"}},
		{name: "e-mail after @", s: "maria.guadalupe@ssaver.gob.mx", w: 30,
			want: []string{"maria.guadalupe@", "ssaver.gob.mx"}},
		{name: "url after slash", s: "https://www.ssaver.gob.mx/vacunacion", w: 40,
			want: []string{"https://www.ssaver.gob.mx/", "vacunacion"}},
		{name: "folio after slash", s: "Oficio SESVER/DA/DTI/OL/0042/2026", w: 35,
			want: []string{"Oficio SESVER/DA/DTI/", "OL/0042/2026"}},
		{name: "underscore", s: "srv_aplicaciones_internas_02", w: 30,
			want: []string{"srv_aplicaciones_", "internas_02"}},
		{name: "no break point", s: "Supercalifragilisticoespialidoso", w: 20, lines: 3},
		{name: "hard breaks", s: "uno\n\ndos", w: 40, want: []string{"uno", "", "dos"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := p.wrap(toCP1252(tc.s), tc.w)
			var ss []string
			for _, l := range got {
				ss = append(ss, l.s)
				if w := p.f.GetStringWidth(l.s); w > tc.w-2*p.f.GetCellMargin()+0.001 {
					t.Errorf("%q is %.1f mm wide, more than %.1f", l.s, w, tc.w)
				}
			}
			if tc.want != nil && strings.Join(ss, "|") != toCP1252(strings.Join(tc.want, "|")) {
				t.Errorf("wrap(%q, %.0f) = %q, want %q", tc.s, tc.w, ss, tc.want)
			}
			if tc.want == nil && len(got) != tc.lines {
				t.Errorf("wrap(%q, %.0f) = %d lines %q, want %d", tc.s, tc.w, len(got), ss, tc.lines)
			}
			if joined := strings.ReplaceAll(strings.Join(ss, ""), " ", ""); joined != strings.ReplaceAll(strings.ReplaceAll(toCP1252(tc.s), " ", ""), "\n", "") {
				t.Errorf("wrapping lost or changed characters: %q", ss)
			}
			if !got[len(got)-1].end {
				t.Error("the last line does not end its paragraph")
			}
		})
	}
}
