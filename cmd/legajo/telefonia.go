package main

import (
	"context"
	"fmt"
	"path/filepath"
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
// the totals per área and the lines above normal with their reasons.
func (m *Main) runTelephony(ctx context.Context, args []string) error {
	fs := m.flags("telefonia")
	period := fs.String("periodo", "", "the month billed, AAAA-MM (required)")
	layout := fs.String("formato", "", "the carrier's layout, by name (default: the first in the settings, else Telmex SIANA)")
	author := fs.String("author", "", "who imports it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the import and its analysis as one JSON value")
	pos, err := parsePositional(fs, args, 1, "<factura.csv|factura.xlsx>")
	if err != nil {
		return err
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
	w := m.Stdout
	fmt.Fprintf(w, "%s archivada: cuenta maestra %s, %s, %s, %s fuera de lo normal, total %s\n", im.Folio, im.Account,
		legajo.PeriodLabel(im.Period), legajo.Plural(im.Lines, "línea", "líneas"), legajo.Plural(an.Totals.Flagged, "línea", "líneas"), an.Totals.Total)
	for _, at := range an.Areas {
		fmt.Fprintf(w, "  %s: %s, %d fuera de lo normal, total %s, excedente %s\n", at.Area, legajo.Plural(at.Lines, "línea", "líneas"),
			at.Flagged, at.Total, at.Excess)
	}
	for _, l := range an.Flagged("") {
		fmt.Fprintf(w, "%s  %s: %s\n", legajo.FormatLine(l.Number), l.Area, strings.Join(l.Reasons, "; "))
	}
	return nil
}
