package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// Floors of the judged set (fixtures.JudgedQueries), overall: what the
// search reaches (1.000 each when they were set), less a small margin. A
// change that makes search worse for the queries staff type fails here.
const (
	floorRecall = 0.97
	floorP5     = 0.95
	floorMRR    = 0.95
)

// judgedWorld is the archive the judged set is judged on: every sample,
// then fixtures.JudgedDocs.
func judgedWorld(t testing.TB) (*env, map[string]legajo.Folio) {
	t.Helper()
	e := newEnv(t, "")
	folio := e.samples(t)
	ctx := context.Background()
	for _, d := range fixtures.JudgedDocs {
		if d.Received != nil {
			var lines []string
			lines = append(lines, d.Scan...)
			res, err := e.office.Receive(ctx, legajo.ReceiveRequest{Data: maps.Clone(d.Received),
				Scan: fixtures.TextPDF(lines...), ScanName: "oficio.pdf", Author: "capturista1"})
			if err != nil {
				t.Fatalf("%s: %v", d.Name, err)
			}
			f, err := legajo.ParseFolio(res.Folio, fixtures.Institution().FolioPrefix)
			if err != nil {
				t.Fatal(err)
			}
			folio[d.Name] = f
			continue
		}
		data := sample(t, d.Sample)
		maps.Copy(data, d.Set)
		f := e.emit(t, strings.SplitN(d.Sample, ".", 2)[0], data)
		if d.Cancel != "" {
			if _, err := e.office.Cancel(ctx, f, d.Cancel, "capturista1"); err != nil {
				t.Fatalf("%s: %v", d.Name, err)
			}
		}
		folio[d.Name] = f
	}
	return e, folio
}

// score is the measures of one query, or their sums over a class.
type score struct {
	n              int
	recall, p5, rr float64
	failures       []string
}

func (s *score) add(o score) {
	s.n += o.n
	s.recall += o.recall
	s.p5 += o.p5
	s.rr += o.rr
	s.failures = append(s.failures, o.failures...)
}

func (s score) mean() (recall, p5, mrr float64) {
	n := float64(max(s.n, 1))
	return s.recall / n, s.p5 / n, s.rr / n
}

// TestJudgedSet measures search on the judged set: recall (of the wanted
// documents, how many are among the first 50 hits), precision at 5 (how
// many of the first five hits are wanted, out of five or of the number
// wanted when fewer) and the mean reciprocal rank of the first wanted hit,
// by class and overall. `go test ./search -run TestJudgedSet -v` prints
// them, and every query that falls short.
func TestJudgedSet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an archive of every sample")
	}
	e, folio := judgedWorld(t)
	name := map[string]string{}
	for n, f := range folio {
		name[f.String()] = n
	}
	classes := map[string]*score{}
	var all score
	for _, jq := range fixtures.JudgedQueries {
		first, ok := folio[jq.Want[0]]
		if !ok {
			t.Fatalf("%q wants %s, which is not in the judged archive", jq.Text, jq.Want[0])
		}
		text := strings.NewReplacer("{n4}", fmt.Sprintf("%04d", first.Number), "{n}", strconv.Itoa(first.Number),
			"{y}", strconv.Itoa(first.Year)).Replace(jq.Text)
		res, err := e.index.Search(context.Background(), legajo.SearchQuery{Text: text, PerPage: 50})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		got := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			got[i] = cmpOr(name[h.Folio], h.Folio)
		}
		s := score{n: 1}
		found := 0
		for _, w := range jq.Want {
			if _, ok := folio[w]; !ok {
				t.Fatalf("%q wants %s, which is not in the judged archive", jq.Text, w)
			}
			if slices.Contains(got, w) {
				found++
			}
		}
		s.recall = float64(found) / float64(len(jq.Want))
		top := got[:min(5, len(got))]
		inTop := 0
		for _, g := range top {
			if slices.Contains(jq.Want, g) {
				inTop++
			}
		}
		s.p5 = float64(inTop) / float64(min(5, len(jq.Want)))
		for i, g := range got {
			if slices.Contains(jq.Want, g) {
				s.rr = 1 / float64(i+1)
				break
			}
		}
		if s.recall < 1 || s.p5 < 1 || s.rr < 1 {
			s.failures = append(s.failures, fmt.Sprintf("%-11s %-45q recall %.2f p@5 %.2f rr %.2f: got %v", jq.Class, text, s.recall, s.p5, s.rr, got[:min(6, len(got))]))
		}
		if classes[jq.Class] == nil {
			classes[jq.Class] = &score{}
		}
		classes[jq.Class].add(s)
		all.add(s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %4s %7s %7s %7s\n", "class", "n", "recall", "p@5", "MRR")
	for _, c := range slices.Sorted(maps.Keys(classes)) {
		r, p, m := classes[c].mean()
		fmt.Fprintf(&b, "%-12s %4d %7.3f %7.3f %7.3f\n", c, classes[c].n, r, p, m)
	}
	r, p, m := all.mean()
	fmt.Fprintf(&b, "%-12s %4d %7.3f %7.3f %7.3f\n", "overall", all.n, r, p, m)
	t.Log("judged set:\n" + b.String())
	for _, f := range all.failures {
		t.Log(f)
	}
	if r < floorRecall || p < floorP5 || m < floorMRR {
		t.Errorf("judged set under its floors: recall %.3f (floor %.2f), p@5 %.3f (floor %.2f), MRR %.3f (floor %.2f)",
			r, floorRecall, p, floorP5, m, floorMRR)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
