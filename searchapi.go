package legajo

import (
	"context"
	"time"
)

// Sort orders of search results, as typed after --sort and in the web
// form's «ordenar por».
const (
	SortRelevance = "relevancia" // best match first, then newest
	SortDate      = "fecha"      // oldest first
	SortDateDesc  = "-fecha"     // newest first
	SortFolio     = "folio"      // by year, serie and number
	SortFolioDesc = "-folio"
)

// Facet names: the keyword fields a search result is counted by.
const (
	FacetType       = "type"
	FacetExpediente = "expediente"
	FacetArea       = "area"
	FacetStatus     = "status"
	FacetYear       = "year"
)

// DefaultPerPage and MaxPerPage bound a page of results.
const (
	DefaultPerPage = 20
	MaxPerPage     = 200
)

// SearchQuery is what a person asks the archive's search: free text in
// Spanish plus filters. The text understands what a clerk types: words in
// any case and with or without accents or ñ, in any form of their stem
// (liberar finds liberación) and with typos, "quoted phrases", -palabra to
// exclude a word, palabra* for the words it starts, «a o b» (or a|b) for
// either, abbreviations (see Synonym), folios written any common way
// (SESVER/DA/DTI/OL/0042/2026, OL/0042/2026, 0042/2026, ol-42, «oficio OL 42
// 2026»), dates typed as numbers (15/03/2026, 2026-03-15) and numbers as
// read (2288134470 for «228 813 4470», 912 for 00912). Empty text with no
// filters lists every document. Filters of one kind are alternatives (any of the types); filters
// of different kinds must all hold.
type SearchQuery struct {
	Text        string    `json:"q"`
	Types       []string  `json:"types,omitempty"`       // document type ids
	Expedientes []string  `json:"expedientes,omitempty"` // expediente ids
	Areas       []string  `json:"areas,omitempty"`       // área names, exactly as filed
	Tramites    []string  `json:"tramites,omitempty"`    // trámite, exactly as filed (a case number: TR/0001/2026)
	Statuses    []string  `json:"statuses,omitempty"`    // Status values; "pendiente" stands for "pendiente de acuse"
	Year        int       `json:"year,omitempty"`        // of the document's date; 0: any
	From        time.Time `json:"from,omitzero"`         // document date at or after; zero: unbounded
	To          time.Time `json:"to,omitzero"`           // document date before; zero: unbounded
	Sort        string    `json:"sort,omitempty"`        // one of the Sort constants; "": relevance, or newest first without text
	Page        int       `json:"page,omitempty"`        // 1-based; 0 is 1
	PerPage     int       `json:"per_page,omitempty"`    // 0 is DefaultPerPage; at most MaxPerPage
	Facets      bool      `json:"facets,omitempty"`      // count the matches by type, expediente, área, status and year
	// Synonyms are the abbreviations the text understands (see
	// Settings.Synonyms); nil: DefaultSynonyms.
	Synonyms []Synonym `json:"-"`
	// Restrict, when set, leaves out what one person may not read: hits,
	// totals and facet counts are all of the permitted documents only.
	Restrict *Restriction `json:"-"`
}

// Restriction is what one person may read in a search: every document of
// the Readable expedientes, and of the others only those Author issued or
// registered. An expediente not named (a restricted one, or one no longer
// configured) is hidden by default.
type Restriction struct {
	Readable []string // expediente ids
	Author   string   // login
}

// SearchResult is one page of matches: the contract of `legajo search
// --json`.
type SearchResult struct {
	Total   int                     `json:"total"` // matches in all pages
	Page    int                     `json:"page"`
	PerPage int                     `json:"per_page"`
	Hits    []SearchHit             `json:"hits"`
	Facets  map[string][]FacetCount `json:"facets"` // by facet name; empty unless asked for
	// Partial: no document holds every word of the text; the hits are
	// those holding some, those holding the most first.
	Partial bool `json:"partial,omitempty"`
	// Suggestion is the text with the words the index does not hold
	// replaced by the indexed words most like them: «¿Quiso decir …?».
	Suggestion string `json:"suggestion,omitempty"`
	// Folio is set when the text was one folio and exactly one document
	// has it: the search can go straight to it.
	Folio string        `json:"folio,omitempty"`
	Took  time.Duration `json:"-"`
}

// SearchHit is one matching document.
type SearchHit struct {
	Folio      string    `json:"folio"`
	Type       string    `json:"type"`  // type id
	Title      string    `json:"title"` // the type's title, e.g. Oficio de liberación de sistema
	Subject    string    `json:"subject"`
	Expediente string    `json:"expediente"`
	Area       string    `json:"area,omitempty"`
	Status     string    `json:"status"`
	Date       time.Time `json:"date"`
	Score      float64   `json:"score"`
	// Fragments are excerpts of the matching text by field (subject, text,
	// files, notes), HTML-escaped, with the matching words inside
	// <mark>…</mark>.
	Fragments map[string][]string `json:"fragments"`
	// NoText says, one uploaded file a line and in Spanish, why the text of
	// a file was not extracted (a damaged or encrypted PDF, one over the
	// limits of reading): the file is filed, but its words are not
	// searchable.
	NoText []string `json:"no_text,omitempty"`
}

// FacetCount is how many matches have one value of a facet.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Searcher answers search queries; the CLI and the web server share it.
type Searcher interface {
	// Search returns one page of the documents matching q. A malformed
	// query (unknown sort, a range that ends before it starts, a page past
	// the limit) is an ErrInvalid error worded for the person who typed it;
	// other errors are failures of the index.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
}
