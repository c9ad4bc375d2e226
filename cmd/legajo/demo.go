package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

func (m *Main) runDemo(ctx context.Context, args []string) error {
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	fs := m.flags("demo")
	out := fs.String("out", filepath.Join(cfg.Data, "demo"), "directory to write the PDFs into")
	if err := parse(fs, args); err != nil {
		return err
	}
	cat, err := templates.Load()
	if err != nil {
		return err
	}
	samples, err := fixtures.Samples()
	if err != nil {
		return err
	}
	r, err := pdf.New(pdf.Options{Logo: cfg.Logo})
	if err != nil {
		return err
	}
	when := m.Now().In(cfg.Zone)
	n := 0
	for i, s := range samples {
		t, err := cat.Type(s.Type)
		if err != nil {
			return err
		}
		folio := legajo.Folio{Prefix: cfg.Institution.FolioPrefix, Serie: t.Serie, Number: i + 1, Year: when.Year()}
		doc, err := legajo.Prepare(legajo.Request{Type: t, Data: s.Data, Folio: folio, Date: when,
			Institution: cfg.Institution, Directory: cfg.Directory})
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		files, err := writeTantos(r, doc, *out, s.Name)
		if err != nil {
			return err
		}
		n += len(files)
	}
	fmt.Fprintf(m.Stdout, "%d documentos de ejemplo (%d PDF) en %s\n", len(samples), n, *out)
	return nil
}
