package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Fragments are cut from the stored text of each hit by analysing it with
// the index's own analyzer, so a word is marked exactly when it matched:
// «Contraseña» for contrasena, «dictámenes» for dictamen, «refacciones» for
// the typo refaciones. bleve's highlighter cannot do this for the single
// content field every query runs against, which is not stored.
const (
	fragmentLen  = 220  // bytes of context around the first match of a fragment
	maxFragments = 2    // per field
	chunkLen     = 8192 // bytes analysed at a time: long texts stop early
)

// marker knows which analysed terms a query matched.
type marker struct {
	exact map[string]bool
	fuzzy []string // terms that also match with one edit
}

func (m *marker) empty() bool { return len(m.exact) == 0 && len(m.fuzzy) == 0 }

func (m *marker) matches(term string) bool {
	if m.exact[term] {
		return true
	}
	for _, f := range m.fuzzy {
		if len(f) > 0 && len(term) > 0 && f[0] == term[0] && withinOneEdit(f, term) {
			return true
		}
	}
	return false
}

type span struct{ start, end int }

// fragments returns up to maxFragments excerpts of text with the matching
// words marked; whole returns text entire (a short field such as the
// asunto) when anything in it matches.
func (m *marker) fragments(an analysis.Analyzer, text string, whole bool) []string {
	if text == "" {
		return nil
	}
	var out []string
	covered := 0 // text before this offset is already in a fragment
	for off := 0; off < len(text) && len(out) < maxFragments; {
		end := chunkEnd(text, off)
		var hits []span
		for _, t := range an.Analyze([]byte(text[off:end])) {
			if m.matches(string(t.Term)) {
				hits = append(hits, span{off + t.Start, off + t.End})
			}
		}
		if whole {
			if len(hits) == 0 {
				return nil
			}
			return []string{mark(text, 0, len(text), hits)}
		}
		for i := 0; i < len(hits) && len(out) < maxFragments; i++ {
			h := hits[i]
			if h.start < covered {
				continue
			}
			from := wordStart(text, max(h.start-fragmentLen/3, covered))
			to := wordEnd(text, min(from+fragmentLen, len(text)))
			if to < h.end {
				to = h.end
			}
			out = append(out, mark(text, from, to, hits))
			covered = to
		}
		off = end
	}
	return out
}

// chunkEnd ends a chunk of text at a space near chunkLen.
func chunkEnd(text string, off int) int {
	end := off + chunkLen
	if end >= len(text) {
		return len(text)
	}
	if i := strings.LastIndexFunc(text[off:end], unicode.IsSpace); i > 0 {
		return off + i
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return end
}

// mark writes text[from:to] HTML-escaped with the hits inside it in
// <mark>, on one line, with … where it was cut.
func mark(text string, from, to int, hits []span) string {
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := from
	for _, h := range hits {
		if h.start < pos || h.end > to {
			continue
		}
		b.WriteString(oneLine(html.EscapeString(text[pos:h.start])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[h.start:h.end]))
		b.WriteString("</mark>")
		pos = h.end
	}
	b.WriteString(oneLine(html.EscapeString(text[pos:to])))
	if to < len(text) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\t\r") {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// wordStart moves i back to the start of the word it falls in.
func wordStart(text string, i int) int {
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(r) {
			break
		}
		i -= n
	}
	return i
}

// wordEnd moves i forward to the end of the word it falls in.
func wordEnd(text string, i int) int {
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

// withinOneEdit tells whether a and b (folded, stemmed terms) differ by at
// most one insertion, deletion or substitution: the typo tolerance of the
// query, applied to marking.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if la == lb {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
