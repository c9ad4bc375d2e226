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
		TokenFilters: []analysis.TokenFilter{normalizeFilter{}, stopFilter{}, stemFilter{}, pairFilter{}, numberFilter{}},
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

// numberFilter adds the numbers a document writes in parts as people type
// them whole: a telephone printed «228 813 4470» or «(228) 813-4470» is
// also 2288134470 (and 8134470), an amount «$18,300.00» is also 18300. It
// comes after pairFilter: what it adds makes no pairs.
type numberFilter struct{}

// Digit groups joined into one number: each of minGroup to maxGroup
// digits, apart by at most maxGap characters (a space, a dash, «) »),
// phoneDigits in all: Mexican numbers have 10 digits, local ones 7 or 8,
// and with 52 before them 12.
const (
	minGroup, maxGroup   = 2, 4
	maxGap               = 2
	minJoined, maxJoined = 7, 12
)

var phoneDigits = map[int]bool{7: true, 8: true, 10: true, 12: true}

func (numberFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	n := len(in)
	for i := 0; i < n; i++ {
		t := in[i]
		if t.Type == analysis.Shingle {
			continue
		}
		if whole, ok := cents(t.Term); ok {
			in = append(in, &analysis.Token{Term: whole, Start: t.Start, End: t.End, Position: t.Position, Type: analysis.Numeric})
			continue
		}
		if !group(t) {
			continue
		}
		j := i + 1
		for j < n && in[j].Type != analysis.Shingle && group(in[j]) && in[j].Start-in[j-1].End <= maxGap {
			j++
		}
		if j-i < 2 {
			continue
		}
		// A list of telephones («229 932 1457, 229 932 1460») is one run:
		// every number of phoneDigits digits in it, and the local
		// numbers (the last groups of one) that follow an area code.
		for k := i; k < j; k++ {
			digits := 0
			for e := k; e < j && digits < maxJoined; e++ {
				digits += in[e].End - in[e].Start
				if phoneDigits[digits] && e > k {
					in = append(in, joined(in[k:e+1]))
				}
			}
		}
		i = j - 1
	}
	return in
}

// group tells whether a word is a group of digits of a longer number, as
// written (its leading zeros are gone from the term by then).
func group(t *analysis.Token) bool {
	if w := t.End - t.Start; w < minGroup || w > maxGroup {
		return false
	}
	for _, c := range t.Term {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func joined(ts []*analysis.Token) *analysis.Token {
	var b []byte
	for _, t := range ts {
		for range t.End - t.Start - len(t.Term) {
			b = append(b, '0')
		}
		b = append(b, t.Term...)
	}
	return &analysis.Token{Term: dropZeros(b), Start: ts[0].Start, End: ts[len(ts)-1].End, Position: ts[0].Position, Type: analysis.Numeric}
}

// cents returns the whole part of an amount with two decimals: 18300 of
// 18300.00 (thousands separators are gone by then).
func cents(b []byte) ([]byte, bool) {
	dot := bytes.IndexByte(b, '.')
	if dot < 1 || len(b)-dot != 3 || !isDigit(b[len(b)-1]) || !isDigit(b[len(b)-2]) {
		return nil, false
	}
	for _, c := range b[:dot] {
		if !isDigit(c) {
			return nil, false
		}
	}
	return b[:dot:dot], true
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
		t.Term = dropZeros(t.Term)
	}
	return in
}

// dropZeros drops the leading zeros of a number, as people leave them out:
// inventory 00912 is typed 912, folio 0042 is 42. A word is left as it is.
func dropZeros(b []byte) []byte {
	i := 0
	for i+1 < len(b) && b[i] == '0' && isDigit(b[i+1]) {
		i++
	}
	if i == 0 {
		return b
	}
	for _, c := range b[i:] {
		if !isDigit(c) && c != '.' {
			return b
		}
	}
	return b[i:]
}

// stemFilter reduces a word to its stem: bleve's light Spanish stemmer
// (analysis/lang/es), which strips the endings of gender and number
// (dictámenes → dictamen, contraseñas → contrasen, luces → luz), done on
// bytes for the plain letters folding leaves, then the endings that make
// verbs and nouns of one stem (see derive), so that «liberar», «liberación»
// and «liberado» meet. Four-letter words lose their final vowel too, so
// that «base» meets «bases» and «nodo» «nodos». A word with a digit in it
// (a serial, a model, an amount) is left as it is.
type stemFilter struct{}

var esStemmer = es.NewSpanishLightStemmerFilter()

func (stemFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = stem(t.Term)
	}
	return in
}

// stem is the stem of one folded, lower-case word; it may reuse b.
func stem(b []byte) []byte {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= '0' && c <= '9' {
			return b
		}
	}
	if !ascii {
		t := &analysis.Token{Term: b}
		esStemmer.Filter(analysis.TokenStream{t})
		return t.Term
	}
	// An infinitive with «se» attached: «sustituirse», «repararse».
	if l := len(b); l >= 8 && b[l-2] == 's' && b[l-1] == 'e' && b[l-3] == 'r' {
		switch b[l-4] {
		case 'a', 'e', 'i':
			return infinitive(b[:l-2])
		}
	}
	if d, ok := irregular[string(b)]; ok {
		return []byte(d)
	}
	if d, ok := derive(b); ok {
		return d
	}
	l := len(b)
	if l == 4 {
		switch b[3] {
		case 'o', 'a', 'e':
			return b[:3]
		}
		return b
	}
	if l < 5 {
		return b
	}
	switch b[l-1] {
	case 'o', 'a', 'e':
		b = b[:l-1]
	case 's':
		switch {
		case b[l-2] == 'e' && b[l-3] == 's' && b[l-4] == 'e':
			b = b[:l-2]
		case b[l-2] == 'e' && b[l-3] == 'c':
			b[l-3] = 'z'
			b = b[:l-2]
		case b[l-2] == 'o' || b[l-2] == 'a' || b[l-2] == 'e':
			b = b[:l-2]
		}
	}
	return infinitive(b)
}

// minDerived is the fewest letters a stem keeps after derive or
// infinitive: «estación» and «estado» keep their endings rather than meet
// «estar» in «est», and «salida» stays apart from «sal».
const minDerived = 4

// derivations are the endings derive strips, longest first within each
// family: nouns of action (-ación, -ición, -ución, -sión,
// -imiento, -amiento), participles and gerunds. Each maps an ending to how
// many bytes of it stay: «-ución» keeps its u, as «sustituir» does.
var derivations = []struct {
	end  string
	keep int
}{
	{"aciones", 0}, {"acion", 0}, {"iciones", 0}, {"icion", 0}, {"uciones", 1}, {"ucion", 1},
	{"siones", 1}, {"sion", 1},
	{"imientos", 0}, {"imiento", 0}, {"amientos", 0}, {"amiento", 0},
	{"ados", 0}, {"adas", 0}, {"ado", 0}, {"ada", 0},
	{"idos", 0}, {"idas", 0}, {"ido", 0}, {"ida", 0},
	{"ando", 0}, {"iendo", 0},
	{"ables", 0}, {"able", 0}, {"ibles", 0}, {"ible", 0},
}

// derive strips an ending of derivations from a folded word, and the
// vowel left at the end of the stem (cableado → cable → cabl, as «cable»
// itself stems).
func derive(b []byte) ([]byte, bool) {
	if notDerived[string(b)] {
		return nil, false
	}
	for _, d := range derivations {
		if len(b)-len(d.end)+d.keep < minDerived || !bytes.HasSuffix(b, []byte(d.end)) {
			continue
		}
		s := b[:len(b)-len(d.end)+d.keep]
		if n := len(s); n > minDerived {
			switch s[n-1] {
			case 'a', 'e', 'o':
				s = s[:n-1]
			}
		}
		return s, true
	}
	return nil, false
}

// infinitive strips -ar, -er and -ir from a stem that keeps minDerived
// letters, so that a verb meets its nouns; notVerbs are the common words
// with those endings that are not verbs, and keep them («celular» would
// otherwise meet «célula», «primer» lose «primero»).
func infinitive(b []byte) []byte {
	l := len(b)
	if l-2 < minDerived || b[l-1] != 'r' {
		return b
	}
	switch b[l-2] {
	case 'a', 'e', 'i':
	default:
		return b
	}
	if notVerbs[string(b)] {
		return b
	}
	return b[:l-2]
}

// irregular are nouns of action whose verb's stem is not theirs: the stem
// of the verb (solicitar, conectar, suspender, devolver …).
var irregular = func() map[string]string {
	m := map[string]string{}
	for _, p := range [][2]string{
		{"solicitud", "solicit"}, {"conexion", "conect"}, {"suspension", "suspend"}, {"devolucion", "devolv"},
		{"resolucion", "resolv"}, {"inscripcion", "inscrib"}, {"descripcion", "describ"}, {"suscripcion", "suscrib"},
		{"reposicion", "repon"}, {"disposicion", "dispon"}, {"impresion", "imprim"}, {"extension", "extend"},
		{"comprension", "comprend"}, {"traduccion", "traduc"}, {"produccion", "produc"}, {"reduccion", "reduc"},
		{"conduccion", "conduc"}, {"introduccion", "introduc"}, {"construccion", "constru"}, {"instruccion", "instru"},
		{"destruccion", "destru"},
	} {
		m[p[0]] = p[1]
		m[p[0]+"es"] = p[1]
	}
	return m
}()

// notDerived are nouns whose meaning went their own way from their verb's:
// «información» is in every letterhead (Tecnologías de la Información) and
// must not match «informe»; an «aplicación» is a program.
var notDerived = wordSet(`informacion informaciones aplicacion aplicaciones solucion soluciones
	condicion condiciones comision comisiones ocasion ocasiones`)

var notVerbs = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`lugar hogar particular celular titular similar regular popular familiar
		auxiliar militar escolar solar lunar nuclear altar pilar collar dolar radar modular circular
		rectangular angular singular peculiar preliminar vascular molecular estelar
		primer tercer taller alquiler caracter cancer lider mujer ayer placer cualquier
		router server driver toner cluster banner poster laser super master switcher
		proveedor`) {
		m[w] = true
	}
	return m
}()

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

// initials are the initials of the areas and institutions a text names,
// lower case, as staff abbreviate them: «Hospital General de Tuxpan» is
// hgt, «Laboratorio Estatal de Salud Pública» lesp, «Jurisdicción Sanitaria
// No. V Xalapa» jsvx and jsv (its roman numeral whole, the place left
// out). A name starts with one of nameHeads, capitalised, and runs over
// capitalised words, roman numerals and the small words between them.
func initials(text string) []string {
	var out []string
	seen := map[string]bool{}
	emit := func(s string) {
		if len(s) >= 2 && !seen[s] && len(out) < maxInitials {
			seen[s] = true
			out = append(out, s)
		}
	}
	var run strings.Builder
	parts, numeral := 0, 0 // parts of the name so far; run's length at its roman numeral
	end := func() {
		if parts >= 2 {
			emit(run.String())
			if numeral > 0 && numeral < run.Len() {
				emit(run.String()[:numeral])
			}
		}
		run.Reset()
		parts, numeral = 0, 0
	}
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			// Only spaces (and the dot of «No.») keep a name going.
			if r != ' ' && r != '.' {
				end()
			}
			i += n
			continue
		}
		start := i
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsLetter(r) {
				break
			}
			i += n
		}
		w := text[start:i]
		first, _ := utf8.DecodeRuneInString(w)
		lower := fold(strings.ToLower(w))
		switch {
		case parts == 0:
			if unicode.IsUpper(first) && nameHeads[lower] {
				run.WriteRune(unicode.ToLower(foldRune(unicode.ToLower(first))))
				parts = 1
			}
		case romanNumerals[w]:
			run.WriteString(lower)
			parts++
			numeral = run.Len()
		case nameJoins[lower]:
		case unicode.IsUpper(first):
			run.WriteRune(foldRune(unicode.ToLower(first)))
			parts++
		default:
			end()
		}
	}
	end()
	return out
}

// maxInitials bounds the initials one document adds.
const maxInitials = 64

var (
	nameHeads = wordSet(`hospital jurisdiccion centro laboratorio departamento subdireccion direccion unidad
		coordinacion seccion oficina secretaria instituto clinica almacen servicios sistema programa
		subsecretaria comision consejo`)
	nameJoins     = wordSet(`de del la las los y e en para no num`)
	romanNumerals = wordSet(`I II III IV V VI VII VIII IX X XI XII`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
