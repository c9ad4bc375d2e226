package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/xlsx"
)

// telephonyOf is the monthly telephony analysis on office: bills read from
// CSV or (through generators/xlsx) XLSX, in the layouts of the settings in
// force, which apply changes while the server runs; each line's plan, área
// and responsable from the register of líneas telefónicas y servicios.
func telephonyOf(o *legajo.Office, layouts *atomic.Pointer[[]legajo.BillLayout]) *legajo.Telephony {
	return &legajo.Telephony{Office: o, Sheets: xlsx.ReadSheet, Plans: legajo.RegisteredPlans(o.Registros),
		Layouts: func() []legajo.BillLayout {
			if l := layouts.Load(); l != nil {
				return *l
			}
			return nil
		}}
}

// runTelephony imports a carrier's monthly bill and prints its analysis:
// the totals per área and the lines above normal with their reasons. With
// --analisis it imports nothing and prints the analysis of the bills
// already filed for --periodo.
func (m *Main) runTelephony(ctx context.Context, args []string) error {
	fs := m.flags("telefonia")
	period := fs.String("periodo", "", "the month billed, AAAA-MM (required)")
	layout := fs.String("formato", "", "the carrier's layout, by name (default: the first in the settings, else Telmex SIANA)")
	author := fs.String("author", "", "who imports it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the import and its analysis as one JSON value")
	analysis := fs.Bool("analisis", false, "import nothing: print the analysis of the bills filed for --periodo")
	account := fs.String("cuenta", "", "with --analisis: only this cuenta maestra")
	n, names := 1, "<factura.csv|factura.xlsx>"
	if slices.ContainsFunc(args, func(a string) bool {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		return strings.HasPrefix(a, "-") && name == "analisis"
	}) {
		n, names = 0, "no file with --analisis" // the file is the import's
	}
	pos, err := parsePositional(fs, args, n, names)
	if err != nil {
		return err
	}
	if *analysis {
		return m.printAnalyses(ctx, *period, *account, *asJSON)
	}
	data, err := readUpload(pos[0])
	if err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	im, an, err := a.telephony.Import(ctx, legajo.ImportRequest{Data: data, Name: filepath.Base(pos[0]), Period: *period,
		Layout: *layout, Author: m.author(*author)})
	if err != nil {
		return m.failJSON(err, *asJSON)
	}
	if *asJSON {
		return m.printJSON(map[string]any{"factura": im, "analisis": an})
	}
	m.printAnalysis(*im, an, "archivada")
	return nil
}

// printAnalysis prints a bill's analysis for people.
func (m *Main) printAnalysis(im legajo.BillImport, an *legajo.Analysis, what string) {
	w := m.Stdout
	fmt.Fprintf(w, "%s %s: cuenta maestra %s, %s, %s, %s fuera de lo normal, total %s\n", im.Folio, what, im.Account,
		legajo.PeriodLabel(im.Period), legajo.Plural(im.Lines, "línea", "líneas"), legajo.Plural(an.Totals.Flagged, "línea", "líneas"), an.Totals.Total)
	for _, at := range an.Areas {
		fmt.Fprintf(w, "  %s: %s, %d fuera de lo normal, total %s, excedente %s\n", at.Area, legajo.Plural(at.Lines, "línea", "líneas"),
			at.Flagged, at.Total, at.Excess)
	}
	for _, l := range an.Flagged("") {
		fmt.Fprintf(w, "%s  %s: %s\n", legajo.FormatLine(l.Number), l.Area, strings.Join(l.Reasons, "; "))
	}
}

// printAnalyses prints the analyses of the bills filed for period (of
// account only, when given), as the API's /api/v1/telefonia/analisis.
func (m *Main) printAnalyses(ctx context.Context, period, account string, asJSON bool) error {
	if _, err := legajo.ParsePeriod(period); err != nil {
		return m.failJSON(&legajo.ValidationError{Problems: []legajo.Problem{{Field: "periodo", Message: err.Error()}}}, asJSON)
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	imports, err := a.telephony.Imports(ctx)
	if err != nil {
		return err
	}
	type bill struct {
		Import   legajo.BillImport `json:"factura"`
		Analysis *legajo.Analysis  `json:"analisis"`
	}
	out := []bill{}
	for _, im := range imports {
		if im.Period != period || (account != "" && im.Account != account) {
			continue
		}
		rec, err := a.telephony.Load(ctx, im)
		if err != nil {
			return err
		}
		out = append(out, bill{im, rec.Analysis})
	}
	if len(out) == 0 {
		of := ""
		if account != "" {
			of = " de la cuenta maestra " + legajo.Printable(account, false)
		}
		return m.failJSON(legajo.Errorf(legajo.ErrNotFound, "No hay factura telefónica importada%s de %s.", of, legajo.PeriodLabel(period)), asJSON)
	}
	if asJSON {
		return m.printJSON(out)
	}
	for _, b := range out {
		m.printAnalysis(b.Import, b.Analysis, "importada el "+legajo.LongDate(b.Import.FiledAt.In(a.cfg.Zone))+" por "+b.Import.Author)
	}
	return nil
}
