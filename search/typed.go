package search

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sesver/legajo"
)

// What staff type that is not a plain word: folios in several words, dates
// and numbers written in groups, abbreviations.

// folioLeads are the words people put before a folio: «oficio DT
// 0004/2026», «folio OL 7», «no. 12».
var folioLeads = wordSet(`oficio oficios of folio folios no num numero n`)

// folioAt recognises a folio typed from pieces[i] on, in one word (see
// folioKey) or in several: [leads] SERIE NUMBER [YEAR], [leads] SERIE
// NUMBER/YEAR, or a zero-padded NUMBER and YEAR («0042 2026»). The leads
// are folioLeads and the words of the title of the serie's type
// («dictamen técnico DT 4»). It returns the pieces used and the folio's
// indexed key.
func (x *Index) folioAt(pieces []piece, i int) (int, string, bool) {
	word := func(k int) string {
		if k >= len(pieces) || pieces[k].phrase || pieces[k].exclude {
			return ""
		}
		return strings.TrimFunc(pieces[k].text, func(r rune) bool { return r == '.' || r == ',' || r == ':' || r == '#' || r == '°' || r == 'º' })
	}
	j := i
	for j < len(pieces) && j-i < 6 {
		w := fold(strings.ToLower(word(j)))
		if w == "" || (!folioLeads[w] && !stopWords[w] && !x.titleWord(w)) {
			break
		}
		// A lead that is itself a serie followed by a number is the folio.
		if _, _, ok := x.folioFrom(word, j); ok {
			break
		}
		j++
	}
	// The type's name instead of its serie: «dictamen técnico
	// 0004/2026», «tarjeta informativa 12».
	n, key, ok := 0, "", false
	if j > i {
		n, key, ok = x.folioOfTitle(word, i, j)
	}
	if !ok {
		n, key, ok = x.folioFrom(word, j)
	}
	if !ok {
		return 0, "", false
	}
	// Title words before the folio must be of its type's title.
	serie := strings.ToUpper(strings.SplitN(key, "/", 2)[0])
	for k := i; k < j; k++ {
		w := fold(strings.ToLower(word(k)))
		if !folioLeads[w] && !stopWords[w] && !x.titleOf(serie, w) {
			return 0, "", false
		}
	}
	return j - i + n, key, true
}

var (
	digits  = regexp.MustCompile(`^[0-9]{1,6}$`)
	year    = regexp.MustCompile(`^(19|20)[0-9]{2}$`)
	letters = regexp.MustCompile(`^(?i)[a-z]{1,4}$`)
	numYear = regexp.MustCompile(`^0*([0-9]{1,6})[/-]((?:19|20)[0-9]{2})$`)
	padded  = regexp.MustCompile(`^0[0-9]{2,5}$`)
)

// folioFrom reads a folio starting at piece j: one folio-like word, or a
// serie and its number (and year) in separate words.
func (x *Index) folioFrom(word func(int) string, j int) (int, string, bool) {
	w := word(j)
	if w == "" {
		return 0, "", false
	}
	if letters.MatchString(w) && x.knownSerie(w) {
		s := strings.ToLower(w)
		next := word(j + 1)
		if m := numYear.FindStringSubmatch(next); m != nil {
			return 2, s + "/" + trimZeros(m[1]) + "/" + m[2], true
		}
		if digits.MatchString(next) {
			if y := word(j + 2); year.MatchString(y) {
				return 3, s + "/" + trimZeros(next) + "/" + y, true
			}
			// «OL 7 de 2026»
			if de := strings.ToLower(word(j + 2)); (de == "de" || de == "del") && year.MatchString(word(j+3)) {
				return 4, s + "/" + trimZeros(next) + "/" + word(j+3), true
			}
			return 2, s + "/" + trimZeros(next), true
		}
		return 0, "", false
	}
	if padded.MatchString(w) {
		if y := word(j + 1); year.MatchString(y) {
			return 2, trimZeros(w) + "/" + y, true
		}
	}
	if key, ok := x.folioKey(w); ok {
		return 1, key, true
	}
	return 0, "", false
}

// folioOfTitle reads a folio's number (and year) at piece j after words
// i…j-1 that name one type only: the words of its title (other than
// folioLeads and stop words) that no other type's title holds all of. A
// bare number that looks like a year is a year, not a folio: «minuta
// 2026» is a search.
func (x *Index) folioOfTitle(word func(int) string, i, j int) (int, string, bool) {
	var named []string
	for k := i; k < j; k++ {
		w := fold(strings.ToLower(word(k)))
		if !folioLeads[w] && !stopWords[w] {
			named = append(named, w)
		}
	}
	if len(named) == 0 || x.x.cat == nil {
		return 0, "", false
	}
	serie := ""
	for _, t := range append(x.x.cat.Types(), legajo.ReceptionType) {
		all := true
		for _, w := range named {
			if !titleHas(t.Title, w) {
				all = false
				break
			}
		}
		if all {
			if serie != "" {
				return 0, "", false // names more than one type
			}
			serie = strings.ToLower(t.Serie)
		}
	}
	if serie == "" {
		return 0, "", false
	}
	next := word(j)
	if m := numYear.FindStringSubmatch(next); m != nil {
		return 1, serie + "/" + trimZeros(m[1]) + "/" + m[2], true
	}
	if !digits.MatchString(next) || (year.MatchString(next) && !padded.MatchString(next)) {
		return 0, "", false
	}
	if y := word(j + 1); year.MatchString(y) {
		return 2, serie + "/" + trimZeros(next) + "/" + y, true
	}
	return 1, serie + "/" + trimZeros(next), true
}

// folioText is the folio as typed, its words apart, for the phrase that
// finds documents mentioning it: «ol 7», «ol 0007 2026».
func folioText(typed []string) string {
	var out []string
	for _, t := range typed {
		if !folioLeads[fold(strings.ToLower(strings.Trim(t, ".,:#°º")))] {
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}

// titleWord tells whether w (folded) is a word of some type's title.
func (x *Index) titleWord(w string) bool { return x.x.titleWords()[w] }

// titleWords are the words (folded, not stop words) of the titles of the
// catalog's types and the reception's, made once: the catalog never
// changes, and folding every title for every typed word was a third of
// the time of a search for a rare word.
func (x *indexer) titleWords() map[string]bool {
	x.titlesOnce.Do(func() {
		x.titles = map[string]bool{}
		if x.cat == nil {
			return
		}
		for _, t := range append(x.cat.Types(), legajo.ReceptionType) {
			for _, w := range strings.Fields(fold(strings.ToLower(t.Title))) {
				if !stopWords[w] {
					x.titles[w] = true
				}
			}
		}
	})
	return x.titles
}

// titleOf tells whether w is a word of the title of the type of serie.
func (x *Index) titleOf(serie, w string) bool {
	if serie == legajo.ReceptionType.Serie {
		return titleHas(legajo.ReceptionType.Title, w)
	}
	if x.x.cat == nil {
		return false
	}
	for _, t := range x.x.cat.Types() {
		if t.Serie == serie && titleHas(t.Title, w) {
			return true
		}
	}
	return false
}

func titleHas(title, w string) bool {
	for _, tw := range strings.Fields(fold(strings.ToLower(title))) {
		if tw == w && !stopWords[w] {
			return true
		}
	}
	return false
}

// Dates as typed in Mexico: day first (15/03/2026, 15-03-2026, 15/03/26),
// or year first with dashes (2026-03-15).
var (
	dayFirst  = regexp.MustCompile(`^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})$`)
	yearFirst = regexp.MustCompile(`^([0-9]{4})[/-]([0-9]{1,2})[/-]([0-9]{1,2})$`)
)

var months = []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}

// zone is where the department's days begin and end.
var zone = func() *time.Location {
	if z, err := time.LoadLocation("America/Mexico_City"); err == nil {
		return z
	}
	return time.UTC
}()

// dateQuery is the clause of a date typed as numbers: documents dated that
// day, and documents whose text gives it the way documents write dates
// («15 de marzo de 2026») or as it was typed.
func dateQuery(an analysis.Analyzer, w string) (query.Query, bool) {
	var d, m, y int
	if g := dayFirst.FindStringSubmatch(w); g != nil {
		d, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
		if len(g[3]) == 2 {
			y += 2000
		}
	} else if g := yearFirst.FindStringSubmatch(w); g != nil {
		y, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		d, _ = strconv.Atoi(g[3])
	} else {
		return nil, false
	}
	day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, zone)
	if m < 1 || m > 12 || d < 1 || day.Day() != d || y < 1900 || y > 2200 {
		return nil, false
	}
	incl, excl := true, false
	r := query.NewDateRangeInclusiveQuery(day, day.AddDate(0, 0, 1), &incl, &excl)
	r.SetField(fDate)
	alts := []query.Query{r}
	for _, text := range []string{fmt.Sprintf("%d de %s de %d", d, months[m-1], y), w} {
		if terms := analyze(an, text); len(terms) > 0 {
			alts = append(alts, phrase(terms))
		}
	}
	return query.NewDisjunctionQuery(alts), true
}

// numberGroups recognises a number typed in groups from pieces[i] on
// («228 813 4470»): it matches the number written whole or in the same
// groups.
func numberGroups(an analysis.Analyzer, pieces []piece, i int) (int, query.Query, bool) {
	j, total := i, 0
	for j < len(pieces) && !pieces[j].phrase && !pieces[j].exclude {
		w := strings.Trim(pieces[j].text, "()")
		if len(w) < minGroup || len(w) > maxGroup || !isNumber(w) {
			break
		}
		total += len(w)
		j++
	}
	if j-i < 2 || total < minJoined || total > maxJoined {
		return 0, nil, false
	}
	var whole, spaced []string
	for _, p := range pieces[i:j] {
		w := strings.Trim(p.text, "()")
		whole = append(whole, w)
		spaced = append(spaced, w)
	}
	joined := query.NewTermQuery(string(dropZeros([]byte(strings.Join(whole, "")))))
	joined.SetField(fContent)
	alts := []query.Query{joined}
	if terms := analyze(an, strings.Join(spaced, " ")); len(terms) > 1 {
		alts = append(alts, phrase(terms))
	}
	return j - i, query.NewDisjunctionQuery(alts), true
}

// synonymMap is the abbreviations of list by their folded, lower-case
// short form without its final dot.
func synonymMap(list []legajo.Synonym) map[string][]string {
	m := make(map[string][]string, len(list))
	for _, s := range list {
		k := fold(strings.ToLower(strings.TrimRight(strings.TrimSpace(s.Short), ".")))
		if k != "" {
			m[k] = append(m[k], s.Long...)
		}
	}
	return m
}

var defaultSynonyms = synonymMap(legajo.DefaultSynonyms())
