package pdf_test

import (
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

var outDir = flag.String("pdf.out", "", "write the PDFs of the pagination tests to this directory, to look at them")

// sweep renders each document with its last long text field grown in
// twenty steps up to its limit, so the page breaks fall at every kind of place: inside a
// paragraph, before a table, inside it, right before the closing block.
func sweep(t testing.TB, cat *legajo.Catalog) []sample {
	t.Helper()
	var out []sample
	for _, s := range samples(t) {
		if s.doc.Type.Layout == legajo.LayoutLabel {
			continue
		}
		var field *legajo.Field
		for _, b := range s.doc.Type.Body {
			if b.Kind == legajo.BlockField && s.doc.Holds(b.When) && s.doc.Type.Field(b.Fields[0]).Type == legajo.FieldLongText {
				field = s.doc.Type.Field(b.Fields[0])
			}
		}
		if field == nil {
			continue
		}
		base, err := fixtures.SampleData(s.name)
		if err != nil {
			t.Fatal(err)
		}
		typ, _, _ := strings.Cut(s.name, ".")
		v, _ := base[field.Name].(string)
		room := field.Limit() - len([]rune(v))
		const steps = 20
		for n := 1; n <= steps; n++ {
			d := maps.Clone(base)
			d[field.Name] = grow(v, 1+field.Limit()/len(filler), len([]rune(v))+n*room/steps)
			out = append(out, sample{fmt.Sprintf("%s+%d", s.name, n), prepare(t, cat, typ, d)})
		}
	}
	return out
}

// TestPagination checks the pagination rules on the layout log of every
// fixture, of long variants and of a sweep of break positions, in every
// tanto; and that all tantos of a document break their pages alike. To
// look at the pages as well:
//
//	go test -run TestPagination -pdf.out /tmp/pages ./generators/pdf
//	for f in /tmp/pages/*.pdf; do pdftoppm -r 50 -png $f ${f%.pdf}; done
func TestPagination(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, false)
	all := append(append(samples(t), longSamples(t, cat)...), sweep(t, cat)...)
	for _, s := range all {
		if s.doc.Type.Layout == legajo.LayoutLabel {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			var first pdf.Layout
			for i, tanto := range s.doc.Type.Tantos {
				l, err := pdf.LayoutOf(r, s.doc, tanto)
				if err != nil {
					t.Fatal(err)
				}
				checkRules(t, tanto.Name, s.doc, l)
				if i == 0 {
					first = l
				} else {
					sameBreaks(t, s.doc.Type.Tantos[0].Name, tanto.Name, first, l)
				}
				if *outDir != "" {
					name := s.name + "-" + strings.ToLower(tanto.Name) + ".pdf"
					if err := os.WriteFile(filepath.Join(*outDir, name), render(t, r, s.doc, tanto), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// checkRules asserts the pagination rules on one rendering's log.
func checkRules(t *testing.T, tanto string, d *legajo.Document, l pdf.Layout) {
	t.Helper()
	log := l.Log
	if len(log) == 0 {
		t.Fatalf("%s: empty layout log", tanto)
	}
	// Everything sits inside the page, in order.
	for i, e := range log {
		if e.Y+e.H > l.Bottom+0.01 {
			t.Errorf("%s: %s of block %d on page %d ends at %.1f mm, below the body's bottom %.1f", tanto, e.Kind, e.Block, e.Page, e.Y+e.H, l.Bottom)
		}
		if i > 0 && (e.Page < log[i-1].Page || e.Page == log[i-1].Page && e.Y < log[i-1].Y+log[i-1].H-0.01) {
			t.Errorf("%s: %s of block %d overlaps or precedes what was placed before it", tanto, e.Kind, e.Block)
		}
	}
	if last := log[len(log)-1].Page; last != l.Pages {
		t.Errorf("%s: the document has %d pages but its last item is on page %d", tanto, l.Pages, last)
	}

	// The closing block is whole on one page, with body text above it.
	tailPage, body := 0, 0
	for _, e := range log {
		if e.Block >= 0 {
			if e.IsBody() {
				body++
			}
			continue
		}
		if tailPage == 0 {
			tailPage = e.Page
			above := 0
			for _, b := range log {
				if b.Page == e.Page && b.IsBody() {
					above++
				}
			}
			if above < min(2, body) {
				t.Errorf("%s: the closing block (%s) starts page %d with %d lines of body above it; it needs at least 2", tanto, e.Kind, e.Page, above)
			}
		}
		if e.Page != tailPage {
			t.Errorf("%s: the closing block is split: %s on page %d, its start on page %d", tanto, e.Kind, e.Page, tailPage)
		}
	}
	if tailPage == 0 && len(d.Signers) > 0 {
		t.Errorf("%s: no closing block in the log", tanto)
	}

	// No widows, no orphans: a paragraph split across pages leaves at
	// least two lines on each.
	type key struct{ part, page int }
	perPage := map[key]int{}
	lines := map[int]int{}
	for _, e := range log {
		if e.Kind == "line" || e.Kind == "closing" {
			perPage[key{e.Part, e.Page}]++
			lines[e.Part] = e.Lines
		}
	}
	for k, n := range perPage {
		if n < lines[k.part] && n < 2 {
			t.Errorf("%s: paragraph %d of %d lines leaves %d line alone on page %d", tanto, k.part, lines[k.part], n, k.page)
		}
	}

	// A heading is never the last thing on its page.
	for i, e := range log {
		if e.Kind == "heading" && (i == len(log)-1 || log[i+1].Page != e.Page) {
			t.Errorf("%s: heading of block %d ends page %d", tanto, e.Block, e.Page)
		}
	}

	// Tables: the header with at least two rows, never a row alone on a
	// page, and a page a table continues on starts with «Título
	// (continuación)» and the header.
	type tkey struct{ block, page int }
	rowsOn := map[tkey]int{}
	headerOn := map[tkey]bool{}
	captionOn := map[tkey]string{}
	total := map[int]int{}
	firstPage := map[int]int{}
	for _, e := range log {
		k := tkey{e.Block, e.Page}
		switch e.Kind {
		case "header":
			headerOn[k] = true
			if _, ok := firstPage[e.Block]; !ok {
				firstPage[e.Block] = e.Page
			}
		case "caption":
			captionOn[k] = e.Text
		case "row":
			if !headerOn[k] {
				t.Errorf("%s: row %d of block %d on page %d has no header above it", tanto, e.Line, e.Block, e.Page)
			}
			rowsOn[k]++
			total[e.Block] = e.Lines
		}
	}
	for k, n := range rowsOn {
		if n < 2 && total[k.block] > 1 {
			t.Errorf("%s: table of block %d leaves %d row alone on page %d", tanto, k.block, n, k.page)
		}
		if k.page != firstPage[k.block] {
			want := tableTitle(d, k.block) + " (continuación)"
			if got := captionOn[k]; got != want {
				t.Errorf("%s: table of block %d continues on page %d under %q, want %q", tanto, k.block, k.page, got, want)
			}
		}
	}
}

// tableTitle is the title a table's continuation caption must carry: the
// heading printed right above the table, or the field's label.
func tableTitle(d *legajo.Document, block int) string {
	b := d.Type.Body[block]
	for k := block - 1; k >= 0; k-- {
		prev := d.Type.Body[k]
		if !d.Holds(prev.When) {
			continue
		}
		if prev.Kind == legajo.BlockHeading {
			return prev.Text.Expand(func(n string) string { return d.Display(n, d.Type.Tantos[0]) })
		}
		break
	}
	return d.Type.Field(b.Fields[0]).Label
}

// sameBreaks asserts that two tantos of a document put the same body
// content on the same pages at the same heights, and the closing block on
// the same page: only their marks, destinations, signatures and acuse box
// differ.
func sameBreaks(t *testing.T, a, b string, la, lb pdf.Layout) {
	t.Helper()
	if la.Pages != lb.Pages {
		t.Errorf("%s has %d pages, %s has %d", a, la.Pages, b, lb.Pages)
	}
	body := func(l pdf.Layout) (out []string, tail int) {
		for _, e := range l.Log {
			if e.Block < 0 {
				if tail == 0 {
					tail = e.Page
				}
				continue
			}
			out = append(out, fmt.Sprintf("%s b%d l%d p%d y%.2f", e.Kind, e.Block, e.Line, e.Page, math.Round(e.Y*100)/100))
		}
		return out, tail
	}
	ba, ta := body(la)
	bb, tb := body(lb)
	if ta != tb {
		t.Errorf("the closing block starts on page %d in %s and on page %d in %s", ta, a, tb, b)
	}
	if strings.Join(ba, "\n") != strings.Join(bb, "\n") {
		for i := range min(len(ba), len(bb)) {
			if ba[i] != bb[i] {
				t.Errorf("%s and %s lay out the body differently from item %d: %q vs %q", a, b, i, ba[i], bb[i])
				return
			}
		}
		t.Errorf("%s and %s lay out %d and %d body items", a, b, len(ba), len(bb))
	}
}
