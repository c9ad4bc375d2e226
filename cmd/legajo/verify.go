package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
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
	grace := fs.Duration("grace", time.Hour, "leave alone work younger than this: an emission that has claimed its folio may still be rendering and filing it "+
		"(slow storage, a large batch, a paused process); an hour is safe on a live system, and a folio annulled too early costs its document")
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
		if err := m.printJSON(rep); err != nil {
			return err
		}
		return deletedError(rep)
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
	if len(rep.Deleted) > 0 {
		fmt.Fprintf(m.Stdout, "DOCUMENTOS ELIMINADOS del almacenamiento (emitidos, ya no están en la cadena): %d\n", len(rep.Deleted))
		for _, f := range rep.Deleted {
			fmt.Fprintf(m.Stdout, "  eliminado  %s\n", f)
		}
	}
	return deletedError(rep)
}

// deletedError makes fsck fail when documents were deleted behind
// Legajo's back: fsck leaves them as they are, for someone to look into.
func deletedError(rep archive.FsckReport) error {
	if len(rep.Deleted) == 0 {
		return nil
	}
	return fmt.Errorf("fsck encontró %d documento(s) eliminado(s) del almacenamiento: %s", len(rep.Deleted), strings.Join(rep.Deleted, ", "))
}
