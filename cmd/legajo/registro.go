package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/generators/xlsx"
)

// Registries are wired when the expediente that records their changes is
// configured: every process replays them from the archive and follows
// what others file, as cases are.

// openRegistros returns the registries of archive a, or nil when the
// configuration has no expediente for them.
func (m *Main) openRegistros(a *archive.Archive, zone *time.Location) (*legajo.Registros, error) {
	if _, err := a.Expediente(legajo.RegistroExpediente); err != nil {
		return nil, nil // serve says so
	}
	rs, err := legajo.NewRegistros(a, legajo.RegistroDefs()...)
	if err != nil {
		return nil, err
	}
	rs.Zone, rs.Now = zone, m.Now
	// A document issued from the command line whose registry change
	// failed says so on standard error (serve logs it instead).
	rs.Logf = func(format string, args ...any) { fmt.Fprintf(m.Stderr, "legajo: "+format+"\n", args...) }
	return rs, nil
}

// followRegistros replays the registries now, then follows new changes
// until ctx ends.
func (a *app) followRegistros(ctx context.Context, logger *slog.Logger) error {
	rs := a.office.Registros
	if rs == nil {
		logger.Warn("registries are off: configure the expediente " + legajo.RegistroExpediente)
		return nil
	}
	start := time.Now()
	rs.Logf = func(format string, args ...any) { logger.Error(fmt.Sprintf(format, args...)) }
	if err := rs.Sync(ctx); err != nil {
		return fmt.Errorf("registros: replay: %w", err)
	}
	logger.Info("registries replayed", "took", time.Since(start).String())
	go func() {
		t := time.NewTicker(caseFollowEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := rs.Sync(ctx); err != nil && ctx.Err() == nil {
					logger.Error("registros: follow", "err", err)
				}
			}
		}
	}()
	return nil
}

// registroFiles writes registries' exports and reads XLSX imports for the
// web server and the CLI.
type registroFiles struct{ a *app }

func (f registroFiles) Export(w io.Writer, ins *legajo.Instrument, format string, info legajo.InstrumentInfo) error {
	if format != "pdf" {
		return xlsx.RegistroVivo(w, ins)
	}
	r, err := pdf.New(pdf.Options{Logo: f.a.cfg.Logo})
	if err != nil {
		return err
	}
	return r.Registro(w, ins, info)
}

func (registroFiles) ReadXLSX(data []byte) ([][]string, error) { return xlsx.ReadTable(data) }

// fieldFlags collects repeated --campo nombre=valor.
type fieldFlags map[string]string

func (f fieldFlags) String() string { return "" }

func (f fieldFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("--campo wants nombre=valor, got %q", s)
	}
	f[strings.TrimSpace(k)] = v
	return nil
}

// registroRowJSON is a row of `legajo registro --nombre N --json`.
type registroRowJSON struct {
	*legajo.RegistroRow
	Status string `json:"status"`
}

// runRegistro works on the registries: their list, a registry's rows
// (--json, --buscar), its export (--out, --format), an import
// (--importar), a change (--cambio), and the one-off --reconstruir from
// the documents issued before the registries existed. The bitácora de
// fallas, which is not a live registry, is still rebuilt from its
// documents (--nombre fallas --out).
func (m *Main) runRegistro(ctx context.Context, args []string) error {
	fs := m.flags("registro")
	var names []string
	for _, d := range legajo.RegistroDefs() {
		names = append(names, d.ID)
	}
	for _, r := range legajo.Registries() {
		if !slices.Contains(names, r.ID) {
			names = append(names, r.ID)
		}
	}
	name := fs.String("nombre", "", "the registry: "+strings.Join(names, ", "))
	out := fs.String("out", "", "write the registry to this file (XLSX or PDF), or - for standard output")
	format := fs.String("format", "xlsx", "format of --out: xlsx or pdf")
	search := fs.String("buscar", "", "only the rows holding these words")
	active := fs.Bool("vigentes", false, "only the rows not given de baja")
	importFile := fs.String("importar", "", "import the rows of this CSV or XLSX file (all or none)")
	kind := fs.String("cambio", "", "file a change: alta, modificacion, baja, reactivacion, restablecimiento, entrada, salida, anotacion")
	row := fs.String("fila", "", "the row a change applies to (its key)")
	fields := fieldFlags{}
	fs.Var(fields, "campo", "a column's value for --cambio, nombre=valor (repeatable)")
	qty := fs.Int("cantidad", 0, "quantity of an entrada or salida")
	note := fs.String("nota", "", "observaciones of the change")
	rebuild := fs.Bool("reconstruir", false, "feed the empty registries with the documents issued before they existed")
	author := fs.String("author", "", "who does it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "xlsx" && *format != "pdf" {
		return usagef("--format must be xlsx or pdf")
	}
	if *name != "" && !slices.Contains(names, *name) {
		return usagef("--nombre must be one of %s", strings.Join(names, ", "))
	}
	actions := 0
	for _, on := range []bool{*out != "", *importFile != "", *kind != "", *rebuild} {
		if on {
			actions++
		}
	}
	if actions > 1 {
		return usagef("use one of --out, --importar, --cambio and --reconstruir")
	}
	if (*out != "" || *importFile != "" || *kind != "") && *name == "" {
		return usagef("--nombre is required")
	}
	if *out == "-" && *asJSON {
		return usagef("--json prints to standard output; write the registry to a file with --out")
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	rs := a.office.Registros
	if rs == nil || (*name != "" && !slices.ContainsFunc(rs.Defs(), func(d *legajo.RegistroDef) bool { return d.ID == *name })) {
		// Not a live registry here: the rebuild from documents, as before.
		if *out == "" || *name == "" {
			return fmt.Errorf("registries are not configured (no expediente %q)", legajo.RegistroExpediente)
		}
		return m.rebuildRegistro(ctx, a, *name, *out, *author, *asJSON)
	}
	if err := rs.Sync(ctx); err != nil {
		return err
	}
	who := m.author(*author)
	switch {
	case *rebuild:
		n, err := a.office.ReplayRegistros(ctx)
		if err != nil && n == 0 {
			return err
		}
		// A document that does not fit its registry (an account given de
		// baja) is said, not fatal: the rest went in.
		if err != nil {
			fmt.Fprintf(m.Stderr, "legajo: aviso: %v\n", err)
		}
		if *asJSON {
			return m.printJSON(map[string]any{"documents": n})
		}
		fmt.Fprintf(m.Stdout, "registros: %d documento(s) leídos\n", n)
		return nil
	case *importFile != "":
		data, err := os.ReadFile(*importFile)
		if err != nil {
			return err
		}
		var table [][]string
		if strings.HasPrefix(string(data), "PK\x03\x04") {
			table, err = xlsx.ReadTable(data)
		} else {
			table, err = legajo.ReadCSV(data)
		}
		if err != nil {
			return err
		}
		ev, err := rs.Import(ctx, *name, table, filepath.Base(*importFile), who)
		if err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(ev)
		}
		fmt.Fprintf(m.Stdout, "%s: %s importados\n", *name, legajo.Plural(len(ev.Changes), "renglón", "renglones"))
		return nil
	case *kind != "":
		c := legajo.RegistroChange{Row: *row, Kind: legajo.RegistroKind(*kind), Fields: fields, Qty: *qty}
		if len(fields) == 0 {
			c.Fields = nil
		}
		ev, err := rs.File(ctx, legajo.RegistroEvent{Registro: *name, Author: who, Note: *note, Changes: []legajo.RegistroChange{c}})
		if err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(ev)
		}
		fmt.Fprintf(m.Stdout, "%s: %s de «%s» registrada (cambio %d)\n", *name, ev.Changes[0].Kind.Label(), ev.Changes[0].Row, ev.Seq)
		return nil
	case *name == "":
		var list []map[string]any
		for _, d := range rs.Defs() {
			list = append(list, map[string]any{"id": d.ID, "title": d.Title, "rows": rs.Count(d.ID), "procedures": d.Procedures})
			if !*asJSON {
				fmt.Fprintf(m.Stdout, "%-18s %5d  %s\n", d.ID, rs.Count(d.ID), d.Title)
			}
		}
		if *asJSON {
			return m.printJSON(list)
		}
		return nil
	}
	d, _ := rs.Def(*name)
	q := legajo.RegistroQuery{Q: *search, Active: *active}
	rows, err := rs.Rows(d.ID, q)
	if err != nil {
		return err
	}
	if *out != "" {
		info := m.instrumentInfo(a, m.signerName(ctx, a, *author))
		ins := legajo.RegistroReport(d, rows, q, info)
		if err := m.writeOut(*out, func(w io.Writer) error { return registroFiles{a}.Export(w, ins, *format, info) }); err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(map[string]any{"registry": d.ID, "title": d.Title, "rows": len(rows), "out": *out})
		}
		if *out != "-" {
			fmt.Fprintf(m.Stdout, "%s: %s → %s\n", d.Title, legajo.Plural(len(rows), "renglón", "renglones"), *out)
		}
		return nil
	}
	if *asJSON {
		list := make([]registroRowJSON, 0, len(rows))
		for _, r := range rows {
			list = append(list, registroRowJSON{r, r.Status()})
		}
		return m.printJSON(list)
	}
	for _, r := range rows {
		fmt.Fprintf(m.Stdout, "%-8s %s\n", r.Status(), r.Key)
	}
	return nil
}

// rebuildRegistro rebuilds a registry from the documents that feed it:
// the bitácora de fallas, and the others where registries are not
// configured.
func (m *Main) rebuildRegistro(ctx context.Context, a *app, name, out, author string, asJSON bool) error {
	reg, err := legajo.RegistryByID(name)
	if err != nil {
		return err
	}
	events, err := a.office.RegistryEvents(ctx, reg)
	if err != nil {
		return err
	}
	info := m.instrumentInfo(a, m.signerName(ctx, a, author))
	if err := m.writeOut(out, func(w io.Writer) error { return xlsx.Registro(w, reg, events, info) }); err != nil {
		return err
	}
	if asJSON {
		return m.printJSON(map[string]any{"registry": reg.ID, "title": reg.Title, "events": len(events), "out": out})
	}
	if out != "-" {
		fmt.Fprintf(m.Stdout, "%s: reconstruido de %d evento(s) → %s\n", reg.Title, len(events), out)
	}
	return nil
}
