package search

import (
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/sesver/legajo"
)

// The hits of a page are read from their stored fields here rather than by
// bleve (SearchRequest.Fields): bleve copies every stored value of a
// document twice, the whole text included, then looks each requested field
// up among them, which took as long as the search itself on a page of 20.
// Here each hit's stored section is visited once, and only the values
// shown are copied.

// pageHits turns the hits of a search into the hits of the page, with
// their fragments when the query has words to mark (an, the index's
// analyzer, tells which words match).
func (x *Index) pageHits(hits bsearch.DocumentMatchCollection, p *plan, an analysis.Analyzer) ([]legajo.SearchHit, error) {
	out := make([]legajo.SearchHit, 0, len(hits))
	if len(hits) == 0 {
		return out, nil
	}
	// A snapshot taken after the search holds every hit: documents are
	// replaced, never removed, and a generation is not changed under a
	// search.
	r, err := x.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	highlight := p.highlight()
	for _, h := range hits {
		hit := legajo.SearchHit{Score: h.Score, Fragments: map[string][]string{}}
		var text, files, notes string
		err := visitStored(r, h.ID, func(name string, val []byte) {
			switch name {
			case fFolio:
				hit.Folio = string(val)
			case fType:
				hit.Type = string(val)
			case fTitle:
				hit.Title = string(val)
			case fSubject:
				hit.Subject = string(val)
			case fExpediente:
				hit.Expediente = string(val)
			case fArea:
				hit.Area = string(val)
			case fStatus:
				hit.Status = string(val)
			case fNoText:
				if len(val) > 0 {
					hit.NoText = strings.Split(string(val), "\n")
				}
			case fDate:
				if t, _, err := document.NewDateTimeFieldFromBytes(name, nil, val).DateTime(); err == nil {
					// As bleve gave it: RFC 3339, to the second.
					hit.Date = t.Truncate(time.Second)
				}
			case fText:
				if highlight {
					text = string(val)
				}
			case fFiles:
				if highlight {
					files = string(val)
				}
			case fNotes:
				if highlight {
					notes = string(val)
				}
			}
		})
		if err != nil {
			return nil, err
		}
		if highlight {
			for _, f := range []struct{ name, text string }{{"subject", hit.Subject}, {"text", text}, {"files", files}, {"notes", notes}} {
				if frags := p.marks.fragments(an, f.text, f.name == "subject"); len(frags) > 0 {
					hit.Fragments[f.name] = frags
				}
			}
		}
		out = append(out, hit)
	}
	return out, nil
}

// visitStored calls fn with each stored value of the document id in the
// snapshot r; the value is only valid during the call. A document r does
// not hold has no values.
func visitStored(r index.IndexReader, id string, fn func(name string, val []byte)) error {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		doc, err := r.Document(id)
		if err != nil || doc == nil {
			return fmtErr(err)
		}
		doc.VisitFields(func(f index.Field) { fn(f.Name(), f.Value()) })
		return nil
	}
	iid, err := snap.InternalID(id)
	if err != nil || iid == nil {
		return fmtErr(err)
	}
	// The internal number counts the documents of the segments before
	// the document's (deleted ones included), as scorch numbers them.
	num := iid.Value()
	var seg *scorch.SegmentSnapshot
	for _, ss := range snap.Segments() {
		if n := ss.Segment().Count(); num >= n {
			num -= n
			continue
		}
		seg = ss
		break
	}
	if seg == nil {
		return fmt.Errorf("search: document %s outside the index's segments", id)
	}
	err = seg.VisitDocument(num, func(name string, typ byte, val []byte, pos []uint64) bool {
		fn(name, val)
		return true
	})
	return fmtErr(err)
}

func fmtErr(err error) error {
	if err != nil {
		return fmt.Errorf("search: stored fields: %w", err)
	}
	return nil
}
