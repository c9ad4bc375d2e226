package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

func (m *Main) runVerify(ctx context.Context, args []string) error {
	fs := m.flags("verify")
	exp := fs.String("expediente", "", "verify only this expediente's chain (the log and folio checks need the whole archive)")
	checkpoint := fs.String("checkpoint", "", "a checkpoint kept earlier (legajo checkpoint --out F): prove the archive extends it")
	key := fs.String("key", "", "the institution's public key (text or file), to verify without the signing key")
	asJSON := fs.Bool("json", false, "print the results as one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *key != "" {
		m = m.withEnv("LEGAJO_PUBLIC_KEY", *key)
	}
	var opts archive.AuditOptions
	if *checkpoint != "" {
		b, err := os.ReadFile(*checkpoint)
		if err != nil {
			return err
		}
		opts.Checkpoint = b
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	m.lockNotice(a)
	if *exp != "" {
		if _, err := a.archive.Expediente(*exp); err != nil {
			return err
		}
	}
	opts.Expediente = *exp
	all, err := a.archive.VerifyAll(ctx, opts)
	if err != nil {
		return err
	}
	bad := 0
	for i := range all {
		if all[i].Findings == nil {
			all[i].Findings = []legajo.Finding{}
		}
		bad += len(all[i].Findings)
	}
	if *asJSON {
		if err := m.printJSON(all); err != nil {
			return err
		}
	} else {
		for _, v := range all {
			status := "íntegro"
			if !v.OK() {
				status = fmt.Sprintf("%d PROBLEMA(S)", len(v.Findings))
			}
			switch v.Expediente {
			case "registro":
				fmt.Fprintf(m.Stdout, "%-20s %6d hojas   %7d lotes    %s\n", v.Expediente, v.Entries, v.Objects, status)
			case "folios":
				fmt.Fprintf(m.Stdout, "%-20s %6s         %7d folios   %s\n", v.Expediente, "", v.Objects, status)
			case "documentos":
				fmt.Fprintf(m.Stdout, "%-20s %6s         %7d índices  %s\n", v.Expediente, "", v.Objects, status)
			default:
				fmt.Fprintf(m.Stdout, "%-20s %6d entradas %7d objetos  %s\n", v.Expediente, v.Entries, v.Objects, status)
			}
			for _, f := range v.Findings {
				fmt.Fprintf(m.Stdout, "  %-11s %s\n              %s\n", f.Problem, f.Key, f.Detail)
			}
		}
		if c, err := a.archive.Checkpoint(ctx); err == nil {
			fmt.Fprintf(m.Stdout, "punto de control: %d entradas, firmado el %s por %s\n", c.Size, c.At.In(a.cfg.Zone).Format("2006-01-02 15:04:05"), c.Origin)
		}
	}
	if bad > 0 {
		return fmt.Errorf("la verificación encontró %s", legajo.Plural(bad, "problema", "problemas"))
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
	return fmt.Errorf("fsck encontró %s del almacenamiento: %s", legajo.Plural(len(rep.Deleted), "documento eliminado", "documentos eliminados"), strings.Join(rep.Deleted, ", "))
}
