package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Field names in the index. One bleve document per folio.
const (
	fFolio      = "folio"      // as printed; stored
	fFolioKey   = "folio_key"  // every normalised way of writing the folio
	fFolioSort  = "folio_sort" // AAAA/SERIE/NNNNNN
	fType       = "type"
	fTitle      = "title"
	fSubject    = "subject"
	fExpediente = "expediente"
	fArea       = "area"
	fTramite    = "tramite"
	fStatus     = "status"
	fYear       = "year"
	fDate       = "date"
	fAuthor     = "author"
	fFacet      = "facet"   // every facet value of the document, prefixed by its facet: one doc-values read per hit
	fHead       = "head"    // title and asunto, analysed: matches there weigh more
	fContent    = "content" // everything searchable, analysed, with the pairs of neighbouring words for phrases
	fText       = "text"    // the document's full text (PlainText), stored for fragments
	fFiles      = "files"   // text layer of uploaded PDFs, stored for fragments
	fNotes      = "notes"   // cancellation reasons, attachment descriptions
	fNoText     = "notext"  // why the text of an uploaded file was not extracted, one file a line
	fLive       = "live"    // "no" when cancelled or annulled: live documents rank first (see liveFirst)
	fAcr        = "acr"     // the acronyms the document defines, «sicip=Sistema Integral…» (see acronymsIn)
)

// formatVersion names the layout of the index (fields, analysis). An index
// written with another layout is not read: it is rebuilt.
const formatVersion = "legajo-search-8"

// Keys of the index's internal storage.
var (
	keyFormat    = []byte("legajo.format")
	keyPositions = []byte("legajo.positions")
)

func newMapping() mapping.IndexMapping {
	kw := func(store, docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.DocValues = docValues
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		// bleve analyses every text field, indexed or not: the keyword
		// analyzer makes that one token instead of a second Spanish
		// analysis of the whole text.
		f.Analyzer = keyword.Name
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	// No term vectors: phrases are looked up as pairs of words, and
	// fragments are cut from the stored text.
	text := func(analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	date := bleve.NewDateTimeFieldMapping()
	date.Store = true
	date.DocValues = true
	date.IncludeInAll = false

	doc := bleve.NewDocumentStaticMapping()
	add := func(name string, f *mapping.FieldMapping) { doc.AddFieldMappingsAt(name, f) }
	add(fFolio, kw(true, false))
	add(fFolioKey, kw(false, false))
	add(fFolioSort, kw(false, true))
	add(fType, kw(true, false))
	add(fTitle, stored())
	add(fSubject, stored())
	add(fExpediente, kw(true, false))
	add(fArea, kw(true, false))
	add(fTramite, kw(true, false))
	add(fStatus, kw(true, false))
	add(fYear, kw(false, false))
	add(fFacet, kw(false, true))
	add(fDate, date)
	add(fAuthor, kw(true, false))
	add(fLive, kw(false, false))
	add(fAcr, kw(false, false))
	add(fHead, text(analyzerName))
	add(fContent, text(pairsAnalyzerName))
	add(fText, stored())
	add(fFiles, stored())
	add(fNotes, stored())
	add(fNoText, stored())

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}
