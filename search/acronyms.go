package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Acronyms defined in one document serve every document: a text that says
// «Sistema Integral de Control de Inventarios y Pedidos (SICIP)» teaches the
// index that sicip stands for that name, and a search for SICIP also finds
// the documents that only spell the name out. Each document keeps the
// definitions it makes in the keyword field fAcr as «acronym=name», so the
// definitions live, are rebuilt and are shared between processes with the
// index itself. Each process reads the field's dictionary whole into a
// table (a few hundred definitions) when it opens the index and after a
// commit that brought a new one, and a typed word is one map lookup: a
// dictionary lookup per word cost a fifth of a rare word's search.

// maxAcronyms bounds the definitions one document adds.
const maxAcronyms = 16

// acronymsIn returns the definitions text makes, «sicip=Sistema Integral de
// Control de Inventarios y Pedidos»: an acronym in parentheses (two to ten
// capitals or digits, two letters at least) right after a name whose first
// word is capitalised and starts with the acronym's first letter, and whose
// letters hold the acronym's letters in order. Of the names before the
// parenthesis, the shortest that fits is taken.
func acronymsIn(text string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(text) && len(out) < maxAcronyms; {
		open := strings.IndexByte(text[i:], '(')
		if open < 0 {
			break
		}
		open += i
		end := strings.IndexByte(text[open:], ')')
		if end < 0 {
			break
		}
		end += open
		i = open + 1
		acr := text[open+1 : end]
		if !isAcronym(acr) {
			continue
		}
		name := nameBefore(text[:open], fold(strings.ToLower(acr)))
		if name == "" {
			continue
		}
		def := fold(strings.ToLower(acr)) + "=" + name
		if !seen[def] {
			seen[def] = true
			out = append(out, def)
		}
	}
	return out
}

func isAcronym(s string) bool {
	n, letters := utf8.RuneCountInString(s), 0
	if n < 2 || n > 10 {
		return false
	}
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r):
		default:
			return false
		}
	}
	return letters >= 2
}

// nameBefore is the name that ends where before ends and spells acr (folded,
// lower case), or "".
func nameBefore(before, acr string) string {
	before = strings.TrimRight(before, " ")
	// The words right before the parenthesis, nearest last; a mark other
	// than a space ends the name.
	var words []string
	j := len(before)
	for len(words) < 12 {
		k := j
		for k > 0 {
			r, n := utf8.DecodeLastRuneInString(before[:k])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			k -= n
		}
		if k == j {
			break
		}
		words = append(words, before[k:j])
		if k == 0 || before[k-1] != ' ' {
			break
		}
		j = k - 1
	}
	letters := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, acr)
	for n := 2; n <= len(words); n++ {
		first := words[n-1]
		r, _ := utf8.DecodeRuneInString(first)
		if !unicode.IsUpper(r) || nameJoins[fold(strings.ToLower(first))] {
			continue
		}
		name := make([]string, n)
		for k := range n {
			name[k] = words[n-1-k]
		}
		if spells(fold(strings.ToLower(strings.Join(name, " "))), letters) {
			return strings.Join(name, " ")
		}
	}
	return ""
}

// spells tells whether acr's letters appear in name in order, the first at
// name's start.
func spells(name, acr string) bool {
	if acr == "" || name == "" || name[0] != acr[0] {
		return false
	}
	i := 0
	for k := 0; k < len(name) && i < len(acr); k++ {
		if name[k] == acr[i] {
			i++
		}
	}
	return i == len(acr)
}

// acronymTable is the definitions of the index open, by acronym.
func (x *Index) acronymTable() map[string][]string {
	if t := x.acronyms.Load(); t != nil {
		return *t
	}
	return nil
}

// refreshAcronyms reads the definitions of the index open anew.
func (x *Index) refreshAcronyms() error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed || x.idx == nil {
		return nil
	}
	d, err := x.idx.FieldDict(fAcr)
	if err != nil {
		return fmt.Errorf("search: acronyms: %w", err)
	}
	defer d.Close()
	t := map[string][]string{}
	for {
		e, err := d.Next()
		if err != nil {
			return fmt.Errorf("search: acronyms: %w", err)
		}
		if e == nil {
			break
		}
		acr, name, ok := strings.Cut(e.Term, "=")
		if ok && len(t[acr]) < maxAcronyms {
			t[acr] = append(t[acr], name)
		}
	}
	x.acronyms.Store(&t)
	return nil
}

// acronymsChanged refreshes the table after a commit that brought a
// definition.
func (x *Index) acronymsChanged() error {
	if !x.x.newAcronyms.Swap(false) {
		return nil
	}
	return x.refreshAcronyms()
}
