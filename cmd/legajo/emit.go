package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

func (m *Main) runEmit(ctx context.Context, args []string) error {
	fs := m.flags("emit")
	typ := fs.String("type", "", "document type id (see legajo types)")
	data := fs.String("data", "", "JSON file with the document's fields")
	exp := fs.String("expediente", "", "expediente to file into (default: the type's)")
	tramite := fs.String("tramite", "", "trámite (matter) the document belongs to")
	key := fs.String("idempotency-key", "", "a retry with the same key returns the first result")
	author := fs.String("author", "", "who issues it (default: $USER)")
	out := fs.String("out", "", "also write the tantos to print into this directory")
	asJSON := fs.Bool("json", false, "print the result as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *typ == "" || *data == "" {
		return usagef("--type and --data are required")
	}
	values, err := readData(*data)
	if err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.office.Emit(ctx, legajo.EmitRequest{Type: *typ, Data: values, Expediente: *exp, Tramite: *tramite,
		Author: m.author(*author), IdempotencyKey: *key})
	if err != nil {
		return m.failJSON(err, *asJSON)
	}
	var written []string
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for _, t := range res.Tantos {
			b := t.Print
			if b == nil {
				if b, err = a.archive.Get(ctx, t.Key); err != nil {
					return err
				}
			}
			folio, _ := a.parseFolio(res.Folio)
			path := filepath.Join(*out, folio.Slug()+"-"+strings.ToLower(t.Tanto)+".pdf")
			if err := writeFileAtomic(path, b); err != nil {
				return err
			}
			written = append(written, path)
		}
	}
	if *asJSON {
		return m.printJSON(res)
	}
	fmt.Fprintf(m.Stdout, "%s emitido: %s en el expediente %s\n", res.Folio, res.Type, res.Expediente)
	for _, t := range res.Tantos {
		fmt.Fprintf(m.Stdout, "  %-9s %s  sha256 %s\n", t.Tanto, t.Key, t.SHA256)
	}
	for _, p := range written {
		fmt.Fprintf(m.Stdout, "  para imprimir: %s\n", p)
	}
	return nil
}

// readData reads a document's data file: one JSON object, bounded.
func readData(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) > legajo.MaxDataBytes {
		return nil, fmt.Errorf("%s: el archivo de datos excede %d KiB", path, legajo.MaxDataBytes>>10)
	}
	values, err := fixtures.DecodeData(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: no es un objeto JSON válido: %v", path, err)
	}
	return values, nil
}
