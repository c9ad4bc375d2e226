package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sesver/legajo"
)

func (m *Main) runVerify(ctx context.Context, args []string) error {
	fs := m.flags("verify")
	exp := fs.String("expediente", "", "verify only this expediente")
	asJSON := fs.Bool("json", false, "print the results as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	m.lockNotice(a)
	ids := []string{*exp}
	if *exp == "" {
		ids = nil
		for _, e := range a.archive.Expedientes() {
			ids = append(ids, e.ID)
		}
	}
	var all []legajo.Verification
	bad := 0
	for _, id := range ids {
		v, err := a.archive.Verify(ctx, id)
		if err != nil {
			return err
		}
		if v.Findings == nil {
			v.Findings = []legajo.Finding{}
		}
		all = append(all, v)
		bad += len(v.Findings)
		if *asJSON {
			continue
		}
		status := "íntegro"
		if !v.OK() {
			status = fmt.Sprintf("%d PROBLEMA(S)", len(v.Findings))
		}
		fmt.Fprintf(m.Stdout, "%-20s %6d entradas %7d objetos  %s\n", id, v.Entries, v.Objects, status)
		for _, f := range v.Findings {
			fmt.Fprintf(m.Stdout, "  %-11s %s\n              %s\n", f.Problem, f.Key, f.Detail)
		}
	}
	if *asJSON {
		if err := m.printJSON(all); err != nil {
			return err
		}
	}
	if bad > 0 {
		return fmt.Errorf("la verificación encontró %d problema(s)", bad)
	}
	return nil
}

func (m *Main) runFsck(ctx context.Context, args []string) error {
	fs := m.flags("fsck")
	grace := fs.Duration("grace", 15*time.Minute, "leave alone work younger than this (it may still be running)")
	asJSON := fs.Bool("json", false, "print the report as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.archive.Fsck(ctx, *grace, m.Now(), "fsck")
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(rep)
	}
	fmt.Fprintf(m.Stdout, "objetos de emisiones interrumpidas registrados como descartados: %d\n", len(rep.Discarded))
	for _, k := range rep.Discarded {
		fmt.Fprintf(m.Stdout, "  %s\n", k)
	}
	fmt.Fprintf(m.Stdout, "folios reservados sin documento, anulados («interrumpida»): %d\n", len(rep.Annulled))
	for _, f := range rep.Annulled {
		fmt.Fprintf(m.Stdout, "  %s\n", f)
	}
	fmt.Fprintf(m.Stdout, "índices de folio reconstruidos: %d; claves de idempotencia cerradas: %d\n", rep.Pointers, rep.Idempotency)
	return nil
}
