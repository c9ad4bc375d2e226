package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/generators/xlsx"
)

// runTrail exports an auditor's trail: every event that matches the
// filters, in chronological order, as XLSX, CSV, JSON or one bundle PDF,
// with the verification of the chains involved. The file is written even
// when verification fails (it says so); the exit status is then 1.
func (m *Main) runTrail(ctx context.Context, args []string) error {
	fs := m.flags("trail")
	exp := fs.String("expediente", "", "only this expediente")
	tramite := fs.String("tramite", "", "only this trámite (case and accents ignored)")
	area := fs.String("area", "", "only áreas containing these words")
	typ := fs.String("type", "", "only this document type")
	person := fs.String("person", "", "only events by or documents naming this person")
	from := fs.String("from", "", "from this date AAAA-MM-DD")
	to := fs.String("to", "", "up to this date AAAA-MM-DD, inclusive")
	year := fs.Int("year", 0, "the whole year AAAA (instead of --from and --to)")
	format := fs.String("format", "", "xlsx, csv, json or pdf (default: from the extension of --out)")
	out := fs.String("out", "", "file to write, or - for standard output (required)")
	fojas := fs.Bool("fojas", true, "count the pages of every filed file (xlsx, csv, json); reads every file")
	author := fs.String("author", "", "who exports it (default: $USER)")
	asJSON := fs.Bool("json", false, "print a summary of the export as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	f := *format
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	switch f {
	case "xlsx", "csv", "json", "pdf":
	default:
		return usagef("--format must be xlsx, csv, json or pdf")
	}
	if *out == "-" && *asJSON {
		return usagef("--json prints to standard output; write the trail to a file with --out")
	}
	if *year != 0 && (*from != "" || *to != "") {
		return usagef("--year excludes --from and --to")
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if *year != 0 {
		*from, *to = fmt.Sprintf("%04d-01-01", *year), fmt.Sprintf("%04d-12-31", *year)
	}
	fromT, toT, err := dateRange(*from, *to, a.cfg.Zone)
	if err != nil {
		return err
	}
	filter := legajo.TrailFilter{Expediente: *exp, Tramite: *tramite, Area: *area, Type: *typ, Person: *person, From: fromT, To: toT}
	if *fojas && f != "pdf" {
		filter.Pages = pdf.PageCount
	}
	var info legajo.TrailInfo
	err = m.writeOut(*out, func(w io.Writer) error {
		var err error
		info, err = exporter{m, a}.Trail(ctx, w, filter, f, m.author(*author))
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := m.printJSON(map[string]any{"out": *out, "format": f, "events": info.Events, "verified": info.Verified(),
			"summary": info.VerificationSummary(), "verifications": info.Verifications}); err != nil {
			return err
		}
	} else {
		msg := m.Stdout
		if *out == "-" {
			msg = m.Stderr
		}
		fmt.Fprintf(msg, "rastro: %d fila(s) → %s (%s)\n", info.Events, *out, f)
		for _, l := range info.VerificationLines() {
			fmt.Fprintln(msg, l)
		}
	}
	if n := info.Problems(); n > 0 {
		return fmt.Errorf("la verificación de la cadena encontró %s; el rastro lo indica", legajo.Plural(n, "problema", "problemas"))
	}
	return nil
}

// exporter makes trails and instruments for the CLI and the web server.
type exporter struct {
	m *Main
	a *app
}

// Trail writes the trail selected by filter in format to w, then the
// verification of every expediente it involves; the returned information
// says whether the chains verified.
func (e exporter) Trail(ctx context.Context, w io.Writer, filter legajo.TrailFilter, format, by string) (legajo.TrailInfo, error) {
	a := e.a
	info := legajo.TrailInfo{Filter: filter, Criteria: a.office.TrailCriteria(filter), ExportedBy: by,
		ExportedAt: e.m.Now().In(a.cfg.Zone), Institution: a.cfg.Institution}
	involved := map[string]bool{}
	if filter.Expediente != "" {
		involved[filter.Expediente] = true
	}
	tw, err := e.m.trailWriter(ctx, a, format, w)
	if err != nil {
		return info, err
	}
	var entries []string
	err = a.office.Trail(ctx, filter, func(ev legajo.TrailEvent) error {
		involved[ev.Expediente] = true
		info.Events++
		if n := len(entries); ev.Entry != "" && (n == 0 || entries[n-1] != ev.Entry) {
			entries = append(entries, ev.Entry)
		}
		return tw.Add(ev)
	})
	if err != nil {
		return info, err
	}
	if format == "pdf" {
		if info.Seal, err = a.archive.TrailSeal(ctx, entries); err != nil {
			return info, err
		}
	}
	var ids []string
	for id := range involved {
		ids = append(ids, id)
	}
	if info.Verifications, err = a.office.VerifyTrail(ctx, ids); err != nil {
		return info, err
	}
	return info, tw.Close(info)
}

// trailWriter writes a trail in one format: events in order, then the
// export's information.
type trailWriter interface {
	Add(legajo.TrailEvent) error
	Close(legajo.TrailInfo) error
}

func (m *Main) trailWriter(ctx context.Context, a *app, format string, w io.Writer) (trailWriter, error) {
	switch format {
	case "xlsx":
		return xlsx.NewTrail(w)
	case "csv":
		return newCSVTrail(w)
	case "json":
		return newJSONTrail(w), nil
	case "pdf":
		r, err := pdf.New(pdf.Options{Logo: a.cfg.Logo})
		if err != nil {
			return nil, err
		}
		return &bundleTrail{ctx: ctx, a: a, b: r.NewBundle(), w: w}, nil
	}
	return nil, fmt.Errorf("trail: unknown format %q", format)
}

// bundleTrail gathers the kept files of a trail for the bundle PDF. The
// tantos that went to their addressees are in the archive but not in the
// expediente as a clerk keeps it: they are left out of the legajo.
type bundleTrail struct {
	ctx context.Context
	a   *app
	b   *pdf.Bundle
	w   io.Writer
}

func (t *bundleTrail) Add(ev legajo.TrailEvent) error {
	if ev.Kind == "pdf" && !ev.Filed {
		return nil
	}
	var data []byte
	if ev.Filed && ev.Key != "" {
		b, err := t.a.archive.Get(t.ctx, ev.Key)
		switch {
		case errors.Is(err, legajo.ErrNotFound):
			// a missing file: the bundle puts a substitute foja
		case err != nil:
			return err
		default:
			data = b
		}
	}
	t.b.Add(ev, data)
	return nil
}

func (t *bundleTrail) Close(info legajo.TrailInfo) error { return t.b.Write(t.w, info) }

// trailHeader are the columns of the CSV trail, as in the XLSX one.
var trailHeader = []string{"No.", "Fecha y hora", "Evento", "Folio", "Tipo de documento", "Asunto", "Fecha del documento",
	"Área", "Trámite", "Expediente", "Tanto", "Estado tras el evento", "Autor", "Motivo", "Fojas", "Entrada de la cadena", "SHA-256",
	"Clave de almacenamiento", "Tamaño (bytes)"}

// csvTrail writes the trail as CSV in UTF-8 with a byte-order mark, so
// that Excel opens the accents right; dates dd/mm/aaaa hh:mm:ss. CSV has
// no room for the verification: the command prints it and exits 1 when it
// fails.
type csvTrail struct {
	bw *bufio.Writer
	cw *csv.Writer
	n  int
}

func newCSVTrail(w io.Writer) (*csvTrail, error) {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true // what Excel writes and expects
	t := &csvTrail{bw: bw, cw: cw}
	if err := t.write(trailHeader); err != nil {
		return nil, err
	}
	return t, nil
}

// write writes one record with every cell neutralised (see csvCell).
func (t *csvTrail) write(record []string) error {
	for i, s := range record {
		record[i] = csvCell(s)
	}
	return t.cw.Write(record)
}

// csvCell keeps a spreadsheet from taking a cell for a formula (CSV
// injection): a subject, trámite or reason typed as =HYPERLINK(…) or
// @SUM(…) must open as the text it is. As OWASP recommends, a cell that
// begins with = + - @, a tab or a carriage return gets a leading single
// quote; no cell Legajo writes as a number begins with one of them.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (t *csvTrail) Add(ev legajo.TrailEvent) error {
	t.n++
	date, fojas, size := "", "", ""
	if !ev.Date.IsZero() {
		date = ev.Date.Format("02/01/2006")
	}
	if ev.Fojas > 0 {
		fojas = strconv.Itoa(ev.Fojas)
	}
	if ev.Key != "" {
		size = strconv.FormatInt(ev.Size, 10)
	}
	title := ev.Title
	if title == "" {
		title = ev.Type
	}
	return t.write([]string{strconv.Itoa(t.n), ev.At.Format("02/01/2006 15:04:05"), ev.Event.Label(), ev.Folio, title,
		ev.Subject, date, ev.Area, ev.Tramite, ev.Expediente, ev.Tanto, string(ev.Status), ev.Author, ev.Reason, fojas,
		strconv.FormatInt(ev.Seq, 10), ev.SHA256, ev.Key, size})
}

func (t *csvTrail) Close(legajo.TrailInfo) error {
	t.cw.Flush()
	if err := t.cw.Error(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// jsonTrail writes the trail as one JSON object, streamed: the events
// first, then the criteria, who exported it and when, and the
// verification.
type jsonTrail struct {
	bw  *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

func newJSONTrail(w io.Writer) *jsonTrail {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	_, err := bw.WriteString(`{"events":[`)
	return &jsonTrail{bw: bw, enc: enc, err: err}
}

func (t *jsonTrail) Add(ev legajo.TrailEvent) error {
	if t.err != nil {
		return t.err
	}
	if t.n > 0 {
		t.bw.WriteByte(',')
	}
	t.n++
	t.err = t.enc.Encode(ev)
	return t.err
}

func (t *jsonTrail) Close(info legajo.TrailInfo) error {
	if t.err != nil {
		return t.err
	}
	rest, err := json.Marshal(struct {
		Criteria      []legajo.Criterion    `json:"criteria"`
		Filter        legajo.TrailFilter    `json:"filter"`
		ExportedBy    string                `json:"exported_by"`
		ExportedAt    time.Time             `json:"exported_at"`
		Count         int                   `json:"count"`
		Verified      bool                  `json:"verified"`
		Summary       string                `json:"verification"`
		Verifications []legajo.Verification `json:"verifications"`
	}{info.Criteria, info.Filter, info.ExportedBy, info.ExportedAt, t.n, info.Verified(), info.VerificationSummary(), info.Verifications})
	if err != nil {
		return err
	}
	t.bw.WriteString("],")
	t.bw.Write(rest[1:]) // the object's fields after its "{"
	t.bw.WriteByte('\n')
	return t.bw.Flush()
}

// writeOut writes a file through write: "-" is standard output; a path is
// written to a temporary file beside it and renamed when complete, so a
// failed export never leaves half a file under the name asked for.
func (m *Main) writeOut(path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(m.Stdout)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".legajo-*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(tmp, 1<<16)
	werr := write(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	cerr := tmp.Chmod(0o644)
	if err := errors.Join(werr, cerr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// webExporter serves the web application's exports: fojas are counted as
// the CLI does by default.
type webExporter struct{ exporter }

func (e webExporter) Trail(ctx context.Context, w io.Writer, filter legajo.TrailFilter, format, by string) (legajo.TrailInfo, error) {
	if format != "pdf" {
		filter.Pages = pdf.PageCount
	}
	return e.exporter.Trail(ctx, w, filter, format, by)
}

// Caratula prints the carátula of an expediente for a year.
func (e webExporter) Caratula(ctx context.Context, w io.Writer, exp string, year int, by string) error {
	a := e.a
	sum, err := a.office.Summary(ctx, exp, year, pdf.PageCount)
	if err != nil {
		return err
	}
	r, err := pdf.New(pdf.Options{Logo: a.cfg.Logo})
	if err != nil {
		return err
	}
	return r.Caratula(w, pdf.Caratula{Institution: a.cfg.Institution, Summary: sum,
		Printed: e.m.Now().In(a.cfg.Zone), By: by, Seal: a.checkpointSeal(ctx)})
}

// Inventario writes an inventario documental (general, transferencia,
// baja) as XLSX or PDF.
func (e webExporter) Inventario(ctx context.Context, w io.Writer, kind, format, exp, by string) error {
	a := e.a
	sums, err := a.office.Summaries(ctx, exp, pdf.PageCount)
	if err != nil {
		return err
	}
	rows, err := legajo.InventoryRows(kind, sums, e.m.Now().In(a.cfg.Zone))
	if err != nil {
		return err
	}
	return writeInventario(w, a, format, kind, rows, e.m.instrumentInfo(a, by))
}
