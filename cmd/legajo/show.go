package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

func (m *Main) runShow(ctx context.Context, args []string) error {
	fs := m.flags("show")
	asJSON := fs.Bool("json", false, "print the record as one JSON value")
	pos, err := parsePositional(fs, args, 1, "<folio>")
	if err != nil {
		return err
	}
	return m.withFolio(ctx, pos[0], func(a *app, folio legajo.Folio) error {
		rec, err := a.archive.Record(ctx, folio)
		if err != nil {
			return err
		}
		if *asJSON {
			entries := make([]map[string]any, len(rec.Entries))
			for i, e := range rec.Entries {
				entries[i] = entryJSON(e)
			}
			return m.printJSON(map[string]any{"folio": rec.Folio.String(), "expediente": rec.Expediente,
				"status": rec.Status, "manifests": rec.Manifests, "events": entries})
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Folio:       %s\n", rec.Folio)
		if len(rec.Manifests) > 0 {
			mf := rec.Manifests[0]
			fmt.Fprintf(&b, "Tipo:        %s (%s, versión %d)\n", mf.Title, mf.Type, mf.TypeVersion)
			fmt.Fprintf(&b, "Asunto:      %s\n", mf.Subject)
			fmt.Fprintf(&b, "Área:        %s\n", mf.Area)
			fmt.Fprintf(&b, "Fecha:       %s\n", legajo.LongDate(mf.Date.In(a.cfg.Zone)))
			if mf.Tramite != "" {
				fmt.Fprintf(&b, "Trámite:     %s\n", mf.Tramite)
			}
		}
		fmt.Fprintf(&b, "Expediente:  %s\n", rec.Expediente)
		fmt.Fprintf(&b, "Estado:      %s\n", rec.Status)
		b.WriteString("Eventos:\n")
		for _, e := range rec.Entries {
			fmt.Fprintf(&b, "  %s  %-10s %-12s entrada %d", e.At.In(a.cfg.Zone).Format("02/01/2006 15:04"), e.Event, e.Author, e.Seq)
			if e.Reason != "" {
				fmt.Fprintf(&b, "  motivo: %s", e.Reason)
			}
			b.WriteByte('\n')
			for _, o := range e.Objects {
				if o.Kind != "manifest" {
					fmt.Fprintf(&b, "      %s  %s\n", o.Key, o.SHA256[:16])
				}
			}
		}
		_, err = fmt.Fprint(m.Stdout, b.String())
		return err
	})
}

func (m *Main) runList(ctx context.Context, args []string) error {
	fs := m.flags("list")
	exp := fs.String("expediente", "", "expediente id (required)")
	from := fs.String("from", "", "from this date AAAA-MM-DD")
	to := fs.String("to", "", "up to this date AAAA-MM-DD, inclusive")
	asJSON := fs.Bool("json", false, "print one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *exp == "" {
		return usagef("--expediente is required")
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	f, t, err := dateRange(*from, *to, a.cfg.Zone)
	if err != nil {
		return err
	}
	var list []map[string]any
	var b strings.Builder
	err = a.archive.Entries(ctx, *exp, f, t, func(e legajo.Entry) error {
		if *asJSON {
			list = append(list, entryJSON(e))
			return nil
		}
		fmt.Fprintf(&b, "%6d  %s  %-10s %-28s %-24s %s\n", e.Seq, e.At.In(a.cfg.Zone).Format("02/01/2006 15:04:05"),
			e.Event, e.Folio, e.Type, e.Author)
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []map[string]any{}
		}
		return m.printJSON(list)
	}
	_, err = fmt.Fprint(m.Stdout, b.String())
	return err
}

// dateRange reads --from and --to (inclusive) as a half-open interval.
func dateRange(from, to string, zone *time.Location) (time.Time, time.Time, error) {
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = time.ParseInLocation(legajo.DateLayout, from, zone); err != nil {
			return f, t, usagef("--from %q is not a date AAAA-MM-DD", from)
		}
	}
	if to != "" {
		if t, err = time.ParseInLocation(legajo.DateLayout, to, zone); err != nil {
			return f, t, usagef("--to %q is not a date AAAA-MM-DD", to)
		}
		t = t.AddDate(0, 0, 1)
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return f, t, usagef("--from is after --to")
	}
	return f, t, nil
}
