package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// Fragments are cut from the stored text of each hit shown, marking a
// word exactly when the index's own analysis of it gives a term the query
// matched: «Contraseña» for contrasena, «dictámenes» for dictamen,
// «refacciones» for the typo refaciones. bleve's highlighter cannot do this
// for the single content field every query runs against, which is not
// stored.
//
// Analysing every word of a page's texts was most of the time of a search
// (20 hits × 2.3 KB a text on average, more with uploads): the text is
// walked word by word instead, and a word is analysed only when it can give
// a marked term. The analyzer's filters only ever change the end of a word
// (stemming) and its letters' case and accents (folding), so a term starts
// with the folded first letter of its word; a word whose first letter
// starts no marked term is passed over. A word met again in the same search
// is not analysed again. A fragment stops the walk: the rest of a long text
// is never read.
const (
	fragmentLen  = 220 // bytes of context around the first match of a fragment
	maxFragments = 2   // per field
)

// marker knows which analysed terms a query matched.
type marker struct {
	exact map[string]bool
	fuzzy []string // terms that also match with one edit

	// Set at the first fragments call, after the query is planned.
	ready bool
	first [256]bool       // first bytes of the exact and fuzzy terms
	seen  map[string]bool // word as written → whether it is marked
	buf   []byte
	tok   analysis.Token
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

func (m *marker) init() {
	m.ready = true
	m.seen = map[string]bool{}
	for t := range m.exact {
		if t != "" {
			m.first[t[0]] = true
		}
	}
	for _, t := range m.fuzzy {
		if t != "" {
			m.first[t[0]] = true
		}
	}
}

// marks tells whether the word w, as written in a text, is marked.
func (m *marker) marks(an analysis.Analyzer, w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
	} else {
		r = foldRune(unicode.ToLower(r))
	}
	if r < utf8.RuneSelf && !m.first[r] {
		return false
	}
	if v, ok := m.seen[w]; ok {
		return v
	}
	v := m.analyzeWord(an, w)
	m.seen[w] = v
	return v
}

// analyzeWord runs the analysis of the index on the one word w (the
// tokenizer would find w alone) and tells whether a term it gives is
// marked.
func (m *marker) analyzeWord(an analysis.Analyzer, w string) bool {
	m.buf = append(m.buf[:0], w...) // the filters change the term in place
	var terms analysis.TokenStream
	if da, ok := an.(*analysis.DefaultAnalyzer); ok {
		m.tok = analysis.Token{Term: m.buf, Start: 0, End: len(w), Position: 1, Type: analysis.AlphaNumeric}
		terms = analysis.TokenStream{&m.tok}
		for _, f := range da.TokenFilters {
			terms = f.Filter(terms)
		}
	} else {
		terms = an.Analyze(m.buf)
	}
	for _, t := range terms {
		if m.matches(string(t.Term)) {
			return true
		}
	}
	return false
}

type span struct{ start, end int }

// next walks the words of text from offset off and returns the span of the
// next marked one. A word whose first letter starts no marked term is
// skipped without leaving the loop: most words of a text are.
func (m *marker) next(an analysis.Analyzer, text string, off int) (span, bool) {
	for i := off; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if !wordByte[c] {
				i++
				continue
			}
			if !m.first[c|0x20] { // lower case; digits stay
				i = wordEndFrom(text, i)
				continue
			}
		}
		start, end := nextWord(text, i)
		if start < 0 {
			break
		}
		if m.marks(an, text[start:end]) {
			return span{start, end}, true
		}
		i = end
	}
	return span{}, false
}

// fragments returns up to maxFragments excerpts of text with the matching
// words marked; whole returns text entire (a short field such as the
// asunto) when anything in it matches.
func (m *marker) fragments(an analysis.Analyzer, text string, whole bool) []string {
	if text == "" || m.empty() {
		return nil
	}
	if !m.ready {
		m.init()
	}
	h, ok := m.next(an, text, 0)
	if !ok {
		return nil
	}
	if whole {
		hits := []span{h}
		for {
			if h, ok = m.next(an, text, h.end); !ok {
				break
			}
			hits = append(hits, h)
		}
		return []string{mark(text, 0, len(text), hits)}
	}
	var out []string
	var hits []span
	covered := 0 // text before this offset is already in a fragment
	for ok && len(out) < maxFragments {
		if h.start < covered {
			h, ok = m.next(an, text, h.end)
			continue
		}
		from := wordStart(text, max(h.start-fragmentLen/3, covered))
		to := wordEnd(text, min(from+fragmentLen, len(text)))
		if to < h.end {
			to = h.end
		}
		hits = append(hits[:0], h)
		for {
			h, ok = m.next(an, text, h.end)
			if !ok || h.end > to {
				break
			}
			hits = append(hits, h)
		}
		out = append(out, mark(text, from, to, hits))
		covered = to
	}
	return out
}

// wordByte tells the ASCII bytes that are part of a word: letters and
// digits (see isWordRune).
var wordByte = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = isWordRune(rune(c))
	}
	return t
}()

// nextWord returns the bounds of the first word of text at or after off as
// the index's tokenizer cuts it (see tokenizer), or -1 when there is none.
func nextWord(text string, off int) (start, end int) {
	for i := off; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if wordByte[c] {
				return i, wordEndFrom(text, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			return i, wordEndFrom(text, i)
		}
		i += n
	}
	return -1, -1
}

// wordEndFrom returns the end of the word that starts at start: a run of
// letters, digits and combining marks, a number keeping its inner '.' and
// ','.
func wordEndFrom(text string, start int) int {
	i := start
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if wordByte[c] {
				i++
				continue
			}
			if (c == '.' || c == ',') && i > start && i+1 < len(text) && isDigit(text[i-1]) && isDigit(text[i+1]) {
				i++
				continue
			}
			return i
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			return i
		}
		i += n
	}
	return i
}

// mark writes text[from:to] HTML-escaped with the hits inside it in
// <mark>, on one line, with … where it was cut.
func mark(text string, from, to int, hits []span) string {
	var b strings.Builder
	b.Grow(to - from + len(hits)*len("<mark></mark>") + 16)
	if from > 0 {
		b.WriteString("…")
	}
	pos := from
	for _, h := range hits {
		if h.start < pos || h.end > to {
			continue
		}
		writeText(&b, text[pos:h.start])
		b.WriteString("<mark>")
		writeText(&b, text[h.start:h.end])
		b.WriteString("</mark>")
		pos = h.end
	}
	writeText(&b, text[pos:to])
	if to < len(text) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String())
}

// writeText writes s HTML-escaped (as html.EscapeString) with every run of
// white space made one space: a fragment is one line.
func writeText(b *strings.Builder, s string) {
	last := 0 // s[last:i] is still to be written
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		n := 1
		switch c {
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&#34;"
		default:
			if c >= utf8.RuneSelf {
				var r rune
				r, n = utf8.DecodeRuneInString(s[i:])
				if !unicode.IsSpace(r) {
					i += n
					continue
				}
			} else if !asciiSpace[c] {
				i++
				continue
			}
			// A run of white space: one space.
			j := i + n
			for j < len(s) {
				r, m := rune(s[j]), 1
				if r >= utf8.RuneSelf {
					r, m = utf8.DecodeRuneInString(s[j:])
				}
				if !unicode.IsSpace(r) {
					break
				}
				j += m
			}
			if s[i:j] == " " {
				i = j
				continue
			}
			esc, n = " ", j-i
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		i += n
		last = i
	}
	b.WriteString(s[last:])
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

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
