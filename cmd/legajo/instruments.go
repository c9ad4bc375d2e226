package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/generators/xlsx"
)

// The archival instruments: carátula, inventarios documentales, retention
// report and the registries the procedures keep. Each is computed from the
// chains, never from an index.

func (m *Main) runCaratula(ctx context.Context, args []string) error {
	fs := m.flags("caratula")
	exp := fs.String("expediente", "", "expediente id (required)")
	year := fs.Int("year", 0, "year of the expediente (default: the current year)")
	out := fs.String("out", "", "PDF file to write, or - for standard output (required)")
	fojas := fs.Bool("fojas", true, "count the fojas (reads every kept file)")
	author := fs.String("author", "", "who prints it: a user's login (printed as the account's name) or a full name (default: $USER's account)")
	asJSON := fs.Bool("json", false, "print the expediente's summary as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *exp == "" || *out == "" {
		return usagef("--expediente and --out are required")
	}
	if *out == "-" && *asJSON {
		return usagef("--json prints to standard output; write the carátula to a file with --out")
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	now := m.Now().In(a.cfg.Zone)
	if *year == 0 {
		*year = now.Year()
	}
	sum, err := a.office.Summary(ctx, *exp, *year, pageCounter(*fojas))
	if err != nil {
		return err
	}
	r, err := pdf.New(pdf.Options{Logo: a.cfg.Logo})
	if err != nil {
		return err
	}
	err = m.writeOut(*out, func(w io.Writer) error {
		return r.Caratula(w, pdf.Caratula{Institution: a.cfg.Institution, Summary: sum,
			Printed: now, By: m.signerName(ctx, a, *author), Seal: a.checkpointSeal(ctx)})
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(summaryJSON(sum))
	}
	if *out != "-" {
		fmt.Fprintf(m.Stdout, "carátula del expediente %s (%s) → %s\n", sum.Clasificacion(), sum.Title(), *out)
	}
	return nil
}

func pageCounter(on bool) legajo.PageCounter {
	if on {
		return pdf.PageCount
	}
	return nil
}

// summaryJSON adds the computed names to a summary.
func summaryJSON(s legajo.ExpedienteSummary) map[string]any {
	return map[string]any{"clasificacion": s.Clasificacion(), "title": s.Title(), "legajos": s.Legajos(),
		"location": s.Location(), "description": s.Description(), "summary": s}
}

func (m *Main) runInventario(ctx context.Context, args []string) error {
	fs := m.flags("inventario")
	kind := fs.String("tipo", "", "general, transferencia or baja (required)")
	exp := fs.String("expediente", "", "only this expediente")
	out := fs.String("out", "", "XLSX or PDF file to write, or - for standard output (required)")
	format := fs.String("format", "", "xlsx or pdf (default: pdf when --out ends in .pdf, xlsx otherwise)")
	fojas := fs.Bool("fojas", true, "count the fojas (reads every kept file)")
	author := fs.String("author", "", "who makes it: a user's login (printed as the account's name) or a full name (default: $USER's account)")
	asJSON := fs.Bool("json", false, "print the inventory's expedientes as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch *kind {
	case legajo.InventoryGeneral, legajo.InventoryTransferencia, legajo.InventoryBaja:
	default:
		return usagef("--tipo must be general, transferencia or baja")
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *format == "" {
		*format = "xlsx"
		if strings.EqualFold(filepath.Ext(*out), ".pdf") {
			*format = "pdf"
		}
	}
	if *format != "xlsx" && *format != "pdf" {
		return usagef("--format must be xlsx or pdf")
	}
	if *out == "-" && *asJSON {
		return usagef("--json prints to standard output; write the inventory to a file with --out")
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	now := m.Now().In(a.cfg.Zone)
	sums, err := a.office.Summaries(ctx, *exp, pageCounter(*fojas))
	if err != nil {
		return err
	}
	rows, err := legajo.InventoryRows(*kind, sums, now)
	if err != nil {
		return err
	}
	info := m.instrumentInfo(a, m.signerName(ctx, a, *author))
	if err := m.writeOut(*out, func(w io.Writer) error { return writeInventario(w, a, *format, *kind, rows, info) }); err != nil {
		return err
	}
	if *asJSON {
		list := []map[string]any{}
		for _, s := range rows {
			list = append(list, summaryJSON(s))
		}
		return m.printJSON(list)
	}
	if *out != "-" {
		fmt.Fprintf(m.Stdout, "inventario %s: %d expediente(s) → %s\n", *kind, len(rows), *out)
	}
	return nil
}

// writeInventario writes an inventario documental as a spreadsheet (xlsx)
// or as a PDF to print and sign (pdf).
func writeInventario(w io.Writer, a *app, format, kind string, rows []legajo.ExpedienteSummary, info xlsx.Info) error {
	if format != "pdf" {
		return xlsx.Inventario(w, kind, rows, info)
	}
	r, err := pdf.New(pdf.Options{Logo: a.cfg.Logo})
	if err != nil {
		return err
	}
	return r.Inventario(w, kind, rows, info)
}

// signerName is who makes an instrument, as its «Elaboró» line prints it:
// the full name of the account that --author (or else $USER) names; the
// --author text as given when it names no account (a name typed in full);
// "" when only a system login is known, which leaves the line to fill by
// hand rather than print a login.
func (m *Main) signerName(ctx context.Context, a *app, flagValue string) string {
	if u, err := a.archive.User(ctx, m.author(flagValue)); err == nil && u.Name != "" {
		return u.Name
	}
	return flagValue
}

// instrumentInfo: who makes an instrument (by name) and the responsable
// del archivo de trámite, the head of the department in office today.
func (m *Main) instrumentInfo(a *app, by string) xlsx.Info {
	now := m.Now().In(a.cfg.Zone)
	info := xlsx.Info{Institution: a.cfg.Institution, By: by, At: now}
	if s, err := a.cfg.Directory.InOffice("jefe-dti", now); err == nil {
		info.Responsable = s.Name + ", " + s.Position
	}
	return info
}

func (m *Main) runRetencion(ctx context.Context, args []string) error {
	fs := m.flags("retencion")
	exp := fs.String("expediente", "", "only this expediente")
	out := fs.String("out", "", "also write the report as an XLSX file")
	fojas := fs.Bool("fojas", false, "count the fojas of each expediente (reads every kept file)")
	author := fs.String("author", "", "who makes it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the expedientes due as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "-" {
		return usagef("--out - is not allowed: the report is printed on standard output")
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	now := m.Now().In(a.cfg.Zone)
	sums, err := a.office.Summaries(ctx, *exp, pageCounter(*fojas))
	if err != nil {
		return err
	}
	items := legajo.Retention(sums, now)
	if *out != "" {
		info := m.instrumentInfo(a, m.signerName(ctx, a, *author))
		if err := m.writeOut(*out, func(w io.Writer) error { return xlsx.Retencion(w, items, info) }); err != nil {
			return err
		}
	}
	if *asJSON {
		list := []map[string]any{}
		for _, it := range items {
			list = append(list, map[string]any{"expediente": it.Summary.Expediente.ID, "clasificacion": it.Summary.Clasificacion(),
				"title": it.Summary.Title(), "action": it.Action, "due": it.Due, "note": it.Note, "summary": it.Summary})
		}
		return m.printJSON(list)
	}
	var b strings.Builder
	if len(items) == 0 {
		fmt.Fprintf(&b, "Ningún expediente cerrado tiene su vigencia cumplida al %s.\n", legajo.ShortDate(now))
	}
	for _, it := range items {
		s := it.Summary
		fmt.Fprintf(&b, "%-20s %-18s %-22s cierre %s  %s desde %s\n", s.Clasificacion(), s.Expediente.ID, "("+s.Expediente.Destino+")",
			legajo.ShortDate(s.Cierre), it.Action, legajo.ShortDate(it.Due))
	}
	if len(items) > 0 {
		b.WriteString("Legajo sólo propone: nada se elimina ni se traslada sin inventario, dictamen y acta.\n")
	}
	_, err = io.WriteString(m.Stdout, b.String())
	return err
}
