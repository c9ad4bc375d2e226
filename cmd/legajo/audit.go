package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/generators/pdf"
)

// runAudit checks a bundle PDF on its own, with the institution's public
// key: no archive, no configuration.
func (m *Main) runAudit(ctx context.Context, args []string) error {
	fs := m.flags("audit")
	bundle := fs.String("bundle", "", "the bundle PDF exported with legajo trail --format pdf")
	key := fs.String("key", "", "the institution's public key (text or file); default LEGAJO_PUBLIC_KEY")
	asJSON := fs.Bool("json", false, "print the results as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *bundle == "" {
		return &usageError{"audit: --bundle is required"}
	}
	if *key == "" {
		*key = m.Getenv("LEGAJO_PUBLIC_KEY")
	}
	if *key == "" {
		return &usageError{"audit: --key (or LEGAJO_PUBLIC_KEY) is required: the institution's public key, from legajo key"}
	}
	v, err := parseKeyText(*key)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(*bundle)
	if err != nil {
		return err
	}
	seal, err := pdf.BundleSeal(b)
	if err != nil {
		return err
	}
	c, results, err := archive.AuditSeal(seal, v)
	if err != nil {
		return fmt.Errorf("el punto de control del legajo no es válido: %w", err)
	}
	bad := 0
	for _, r := range results {
		if !r.OK {
			bad++
		}
	}
	if *asJSON {
		if err := m.printJSON(map[string]any{"checkpoint": map[string]any{"origin": c.Origin, "size": c.Size,
			"signed_at": c.At}, "proofs": results, "ok": bad == 0}); err != nil {
			return err
		}
	} else {
		at := c.At
		if zone, err := time.LoadLocation("America/Mexico_City"); err == nil {
			at = at.In(zone)
		}
		fmt.Fprintf(m.Stdout, "punto de control: %d hojas, firmado el %s por %s: firma válida\n", c.Size, at.Format("2006-01-02 15:04:05 MST"), c.Origin)
		for _, r := range results {
			status := "incluido"
			if !r.OK {
				status = "FALLA: " + r.Problem
			}
			// Counted from 1, as the bundle prints them.
			fmt.Fprintf(m.Stdout, "  hoja %6d de %-6d %-28s %s\n", r.Index+1, c.Size, r.Folio, status)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d de %d prueba(s) de inclusión no se verificaron", bad, len(results))
	}
	return nil
}
