package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// listFlag is a flag that may be given several times, each value an
// alternative: --type minuta --type dictamen-tecnico.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, strings.TrimSpace(s))
	return nil
}

// runSearch answers a query on the archive's index. The index may be held
// by a server on the same data: search then reads a private snapshot of it
// (see package search), and either way it first catches up with every event
// filed since, by this host or any other.
func (m *Main) runSearch(ctx context.Context, args []string) error {
	fs := m.flags("search")
	var types, exps, areas, tramites, statuses listFlag
	fs.Var(&types, "type", "document type id (repeatable)")
	fs.Var(&exps, "expediente", "expediente id (repeatable)")
	fs.Var(&areas, "area", "área, as filed (repeatable)")
	fs.Var(&tramites, "tramite", "trámite, as filed, e.g. TR/0001/2026 (repeatable)")
	fs.Var(&statuses, "status", "pendiente, acusado, emitido, cancelado, recibido (repeatable)")
	year := fs.Int("year", 0, "year of the document's date")
	from := fs.String("from", "", "documents dated on or after `AAAA-MM-DD`")
	to := fs.String("to", "", "documents dated on or before `AAAA-MM-DD`")
	sortBy := fs.String("sort", "", "relevancia, fecha, -fecha, folio or -folio (default: relevancia; -fecha without a query)")
	page := fs.Int("page", 1, "page of results")
	perPage := fs.Int("per-page", legajo.DefaultPerPage, "results per page")
	facets := fs.Bool("facets", false, "count the matches by type, expediente, área, status and year (always in --json)")
	asJSON := fs.Bool("json", false, "print the result as one JSON value")
	fs.Usage = func() {
		fmt.Fprintln(m.Stderr, `usage: legajo search "<query>" [flags]

The query is Spanish free text: words (accents, ñ and case do not matter),
"quoted phrases", -word to exclude, folios as SESVER/DA/DTI/OL/0042/2026,
OL/0042/2026, 0042/2026 or ol-42.`)
		fs.PrintDefaults()
	}
	text, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	q := legajo.SearchQuery{Text: text, Types: types, Expedientes: exps, Areas: areas, Tramites: tramites, Statuses: statuses,
		Year: *year, Sort: *sortBy, Page: *page, PerPage: *perPage, Facets: *facets || *asJSON}
	if *from != "" {
		d, err := time.ParseInLocation(legajo.DateLayout, *from, cfg.Zone)
		if err != nil {
			return usagef("--from %q is not a date AAAA-MM-DD", *from)
		}
		q.From = d
	}
	if *to != "" {
		d, err := time.ParseInLocation(legajo.DateLayout, *to, cfg.Zone)
		if err != nil {
			return usagef("--to %q is not a date AAAA-MM-DD", *to)
		}
		q.To = d.AddDate(0, 0, 1) // the whole day
	}

	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	idx, err := m.openIndex(ctx, a, nil)
	if err != nil {
		return err
	}
	defer idx.Close()
	if len(idx.Positions()) == 0 && a.hasEntries(ctx) {
		// A new index: build it in bulk, which is several times faster
		// than following the chains document by document.
		fmt.Fprintln(m.Stderr, "legajo: creando el índice de búsqueda a partir del archivo…")
		p := newProgress(m.Stderr, isTerminal(m.Stderr), m.Now)
		err = idx.Rebuild(ctx, p.update)
		p.finish()
	} else {
		err = idx.CatchUp(ctx)
	}
	if err != nil {
		return err
	}
	q.Synonyms = a.synonyms
	res, err := idx.Search(ctx, q)
	if errors.Is(err, legajo.ErrInvalid) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	m.printResult(res, a.cfg.Zone, *facets)
	return nil
}

// hasEntries tells whether anything was ever filed in the archive.
func (a *app) hasEntries(ctx context.Context) bool {
	for _, e := range a.archive.Expedientes() {
		if ok, err := a.archive.HasEntry(ctx, e.ID, 1); ok || err != nil {
			return true
		}
	}
	return false
}

// parseInterleaved parses flags given before, after or between the words
// of the query, and returns the words joined.
func parseInterleaved(fs *flag.FlagSet, args []string) (string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		words = append(words, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return strings.Join(words, " "), nil
}

// printResult writes a page of results for a person: folio, date, status
// and title, the asunto, and the matching fragments with the words in bold
// on a terminal (between asterisks otherwise).
func (m *Main) printResult(res *legajo.SearchResult, zone *time.Location, facets bool) {
	on, off := "*", "*"
	if isTerminal(m.Stdout) {
		on, off = "\x1b[1m", "\x1b[0m"
	}
	plain := strings.NewReplacer("<mark>", on, "</mark>", off)
	w := m.Stdout
	if res.Suggestion != "" {
		fmt.Fprintf(w, "¿Quiso decir «%s»?\n", res.Suggestion)
	}
	if res.Partial {
		fmt.Fprintln(w, "Ningún documento contiene todas las palabras; se muestran los que contienen la mayoría.")
	}
	switch {
	case res.Total == 0:
		fmt.Fprintln(w, "Ningún documento coincide con la búsqueda.")
	case res.Total == 1:
		fmt.Fprintln(w, "1 documento.")
	default:
		first := (res.Page-1)*res.PerPage + 1
		last := first + len(res.Hits) - 1
		if len(res.Hits) == 0 {
			fmt.Fprintf(w, "%d documentos; la página %d está vacía.\n", res.Total, res.Page)
		} else {
			fmt.Fprintf(w, "%d documentos; del %d al %d:\n", res.Total, first, last)
		}
	}
	for _, h := range res.Hits {
		fmt.Fprintf(w, "\n%s  %s  %s  %s\n", h.Folio, h.Date.In(zone).Format(legajo.DateLayout), h.Status, h.Title)
		if h.Subject != "" {
			fmt.Fprintf(w, "    %s\n", h.Subject)
		}
		for _, field := range []string{"text", "files", "notes"} {
			for _, f := range h.Fragments[field] {
				fmt.Fprintf(w, "    %s\n", html.UnescapeString(plain.Replace(f)))
			}
		}
	}
	if facets && len(res.Facets) > 0 {
		names := make([]string, 0, len(res.Facets))
		for n := range res.Facets {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(w, "\n%s:\n", facetTitle[n])
			for _, c := range res.Facets[n] {
				fmt.Fprintf(w, "  %6d  %s\n", c.Count, c.Value)
			}
		}
	}
}

var facetTitle = map[string]string{
	legajo.FacetType: "Tipo", legajo.FacetExpediente: "Expediente", legajo.FacetArea: "Área",
	legajo.FacetStatus: "Estado", legajo.FacetYear: "Año",
}

// isTerminal tells whether w is a terminal, for colours and progress bars.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
