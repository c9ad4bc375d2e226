package search

import (
	"bufio"
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/es"
	"github.com/blevesearch/bleve/v2/registry"
)

// analyzerName is the Spanish analysis of every text field: words, lower
// case, accents and ñ folded (clerks type «contrasena»
// and «informacion»), Spanish stop words dropped, then bleve's light Spanish
// stemmer («dictámenes», «dictamenes» and «dictamen» all become
// «dictamen»). Folding comes before the stop list and the stemmer, so the
// stop list is folded too and the stemmer only ever sees plain letters.
const analyzerName = "legajo_es"

// pairsAnalyzerName is analyzerName plus every pair of neighbouring words
// (see pairFilter): the analysis of the content field, where phrases are
// looked up.
const pairsAnalyzerName = "legajo_es_pares"

func init() {
	if err := registry.RegisterAnalyzer(analyzerName, newAnalyzer); err != nil {
		panic("search: " + err.Error())
	}
	if err := registry.RegisterAnalyzer(pairsAnalyzerName, newPairsAnalyzer); err != nil {
		panic("search: " + err.Error())
	}
}

func newAnalyzer(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
	return &analysis.DefaultAnalyzer{
		Tokenizer:    tokenizer{},
		TokenFilters: []analysis.TokenFilter{normalizeFilter{}, stopFilter{}, stemFilter{}},
	}, nil
}

func newPairsAnalyzer(config map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
	return &analysis.DefaultAnalyzer{
		Tokenizer:    tokenizer{},
		TokenFilters: []analysis.TokenFilter{normalizeFilter{}, stopFilter{}, stemFilter{}, pairFilter{}},
	}, nil
}

// pairFilter adds to the words every pair of neighbouring words as one
// term, the two joined by a space, which no word contains. Stop words are
// gone by then, so «cuenta de correo» adds «cuent corre». A phrase is found
// by its pairs (see phraseTerms): term lookups, instead of reading and
// comparing the positions of every document holding all its words, which
// took bleve about 5 µs per such document (170 ms for «cuenta de correo»
// at 100,000 documents, where a third of them hold both words).
//
// A word with more than maxPairDigits digits (serials, amounts, telephone
// and employee numbers) makes no pair: 94 % of the distinct pairs of the
// 100,000-document corpus had one, most of them in a document or two, and
// they halved the speed of a rebuild. Such a word is selective on its own;
// in a phrase it is matched as a word of the document (see phraseTerms).
type pairFilter struct{}

// maxPairDigits is the most digits a word may have and still make pairs:
// years, folio numbers («ol 42», «0042 2026»), models («i5 8500»).
const maxPairDigits = 4

func (pairFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	if len(in) < 2 {
		return in
	}
	size := 0
	for _, t := range in {
		size += 2 * (len(t.Term) + 1)
	}
	buf := make([]byte, 0, size)
	pairs := make([]analysis.Token, 0, len(in)-1)
	n := len(in)
	for i := 1; i < n; i++ {
		a, b := in[i-1], in[i]
		if !pairable(a.Term) || !pairable(b.Term) {
			continue
		}
		start := len(buf)
		buf = append(buf, a.Term...)
		buf = append(buf, ' ')
		buf = append(buf, b.Term...)
		pairs = append(pairs, analysis.Token{Term: buf[start:len(buf):len(buf)], Start: a.Start, End: b.End,
			Position: a.Position, Type: analysis.Shingle})
	}
	for i := range pairs {
		in = append(in, &pairs[i])
	}
	return in
}

// pairable tells whether a word makes pairs with its neighbours.
func pairable[T string | []byte](w T) bool {
	digits := 0
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			if digits++; digits > maxPairDigits {
				return false
			}
		}
	}
	return true
}

// phraseTerms are what the analysed words of a phrase are looked up by:
// the pairs pairFilter indexes for them, in order, and on its own each word
// in no pair (one word alone, or one not pairable and its neighbours).
func phraseTerms(terms []string) []string {
	var out []string
	paired := make([]bool, len(terms))
	for i := 1; i < len(terms); i++ {
		if pairable(terms[i-1]) && pairable(terms[i]) {
			out = append(out, terms[i-1]+" "+terms[i])
			paired[i-1], paired[i] = true, true
		}
	}
	for i, t := range terms {
		if !paired[i] {
			out = append(out, t)
		}
	}
	return out
}

// tokenizer cuts text into words: runs of letters, digits and combining
// marks, a number keeping its inner '.' and ',' (13.8, 1,240). Everything
// else separates words, so an e-mail address or a folio becomes its parts
// and is found as a phrase of them. It does in one pass what bleve's
// Unicode (UAX #29) tokenizer does for Spanish text, several times faster:
// analysis is most of the cost of indexing.
type tokenizer struct{}

func (tokenizer) Tokenize(input []byte) analysis.TokenStream {
	toks := make([]analysis.Token, 0, len(input)/6+1)
	pos := 1
	for i := 0; i < len(input); {
		r, n := rune(input[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(input[i:])
		}
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		i += n
		for i < len(input) {
			r, n = rune(input[i]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRune(input[i:])
			}
			if isWordRune(r) {
				i += n
				continue
			}
			if (r == '.' || r == ',') && i+1 < len(input) && isDigit(input[i-1]) && isDigit(input[i+1]) {
				i++
				continue
			}
			break
		}
		toks = append(toks, analysis.Token{Term: input[start:i], Start: start, End: i, Position: pos, Type: analysis.AlphaNumeric})
		pos++
	}
	out := make(analysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// normalizeFilter lower-cases and folds every token (see fold), and writes
// numbers without thousands separators: documents print 778,181 and people
// type 778181.
type normalizeFilter struct{}

func (normalizeFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		ascii := true
		for _, c := range t.Term {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if !ascii {
			t.Term = []byte(strings.Map(func(r rune) rune { return foldRune(unicode.ToLower(r)) }, string(t.Term)))
			continue
		}
		// The term is a slice of the field's own bytes: lower-case it
		// in place, as bleve's lowercase filter does.
		for i, c := range t.Term {
			if c >= 'A' && c <= 'Z' {
				t.Term[i] = c + 'a' - 'A'
			}
		}
		if bytes.IndexByte(t.Term, ',') > 0 {
			t.Term = bytes.ReplaceAll(t.Term, []byte(","), nil)
		}
	}
	return in
}

// stemFilter is bleve's light Spanish stemmer (analysis/lang/es), which
// strips the endings of gender and number (dictámenes → dictamen,
// contraseñas → contrasen, luces → luz), done on bytes for the plain
// letters folding leaves.
type stemFilter struct{}

var esStemmer = es.NewSpanishLightStemmerFilter()

func (stemFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		b := t.Term
		ascii := true
		for _, c := range b {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if !ascii {
			esStemmer.Filter(analysis.TokenStream{t})
			continue
		}
		l := len(b)
		if l < 5 {
			continue
		}
		switch b[l-1] {
		case 'o', 'a', 'e':
			t.Term = b[:l-1]
		case 's':
			switch {
			case b[l-2] == 'e' && b[l-3] == 's' && b[l-4] == 'e':
				t.Term = b[:l-2]
			case b[l-2] == 'e' && b[l-3] == 'c':
				b[l-3] = 'z'
				t.Term = b[:l-2]
			case b[l-2] == 'o' || b[l-2] == 'a' || b[l-2] == 'e':
				t.Term = b[:l-2]
			}
		}
	}
	return in
}

// fold removes the accents, the tilde of ñ and the diaeresis of the letters
// a Spanish text (in Windows-1252, what documents may hold) can carry. Its
// input is lower case.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(foldRune, s)
		}
	}
	return s
}

func foldRune(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ', 'ø':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	case 'ý', 'ÿ':
		return 'y'
	case 'š':
		return 's'
	case 'ž':
		return 'z'
	}
	return r
}

// stopWords is bleve's Spanish stop list (Snowball's), folded.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(es.SpanishStopWords))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "|")
		if w := strings.TrimSpace(line); w != "" {
			m[fold(w)] = true
		}
	}
	return m
}()

// stopFilter drops stop words. Tokens keep their positions, so a phrase
// with «de» or «la» in it still matches with the gap.
type stopFilter struct{}

func (stopFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := in[:0]
	for _, t := range in {
		if !stopWords[string(t.Term)] {
			out = append(out, t)
		}
	}
	return out
}
