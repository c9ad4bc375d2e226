package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// suggest rewrites text with each fix's typed word replaced by the indexed
// word it most likely meant, as a document writes it (the index holds
// stems: «jurisdiccion», never the «jurisdicción» of the text, and
// «motorol» for Motorola). "" when no such word is found.
func (x *Index) suggest(ctx context.Context, text string, fixes []fix, an analysis.Analyzer) (string, error) {
	out := text
	changed := false
	for _, f := range fixes {
		w, err := x.surface(ctx, f.term, an)
		if err != nil {
			return "", err
		}
		if w == "" {
			continue
		}
		i := strings.Index(out, f.typed)
		if i < 0 {
			continue
		}
		out = out[:i] + w + out[i+len(f.typed):]
		changed = true
	}
	if !changed {
		return "", nil
	}
	return out, nil
}

// maxSurfaceText bounds the text read to find a word as written.
const maxSurfaceText = 64 << 10

// surface finds term as a document writes it, lower case: the first word
// of one document holding term whose analysis is term.
func (x *Index) surface(ctx context.Context, term string, an analysis.Analyzer) (string, error) {
	t := query.NewTermQuery(term)
	t.SetField(fContent)
	req := bleve.NewSearchRequestOptions(t, 1, 0, false)
	req.Score = bleve.ScoreNone
	req.Fields = []string{fTitle, fSubject, fText, fFiles, fNotes}
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	if len(res.Hits) == 0 {
		return "", nil
	}
	for _, f := range req.Fields {
		s := str(res.Hits[0].Fields[f])
		if len(s) > maxSurfaceText {
			s = strings.ToValidUTF8(s[:maxSurfaceText], "")
		}
		for _, tok := range an.Analyze([]byte(s)) {
			if string(tok.Term) == term {
				return strings.ToLower(s[tok.Start:tok.End]), nil
			}
		}
	}
	return "", nil
}
