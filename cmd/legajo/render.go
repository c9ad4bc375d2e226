package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// renderedFile is one tanto written by render and demo.
type renderedFile struct {
	Tanto  string `json:"tanto"`
	Path   string `json:"path"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

func (m *Main) runRender(ctx context.Context, args []string) error {
	fs := m.flags("render")
	typ := fs.String("type", "", "document type id (see legajo types)")
	data := fs.String("data", "", "JSON file with the document's fields")
	out := fs.String("out", "", "directory to write <type>-<tanto>.pdf into")
	folio := fs.Int("folio", 0, "folio number to print (0: a draft, marked BORRADOR)")
	date := fs.String("date", "", "document date AAAA-MM-DD (default: today, Mexico City time)")
	asJSON := fs.Bool("json", false, "print the files written as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *typ == "" || *data == "" || *out == "" {
		return usagef("--type, --data and --out are required")
	}
	if *folio < 0 || *folio > 999999 {
		return usagef("--folio must be between 1 and 999999")
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	when := m.Now().In(cfg.Zone)
	if *date != "" {
		d, err := time.ParseInLocation(legajo.DateLayout, *date, cfg.Zone)
		if err != nil {
			return usagef("--date %q is not a date AAAA-MM-DD", *date)
		}
		when = d.Add(10 * time.Hour)
	}
	values, err := readData(*data)
	if err != nil {
		return err
	}
	cat, err := templates.Load()
	if err != nil {
		return err
	}
	t, err := cat.Type(*typ)
	if err != nil {
		return err
	}
	var f legajo.Folio
	if *folio > 0 {
		f = legajo.Folio{Prefix: cfg.Institution.FolioPrefix, Serie: t.Serie, Number: *folio, Year: when.Year()}
	}
	doc, err := legajo.Prepare(legajo.Request{Type: t, Data: values, Folio: f, Date: when,
		Institution: cfg.Institution, Directory: cfg.Directory})
	if err != nil {
		return m.failJSON(err, *asJSON)
	}
	r, err := pdf.New(pdf.Options{Logo: cfg.Logo})
	if err != nil {
		return err
	}
	files, err := writeTantos(r, doc, *out, t.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(map[string]any{"type": t.ID, "folio": doc.Folio.String(), "digest": doc.Digest, "files": files})
	}
	for _, f := range files {
		fmt.Fprintln(m.Stdout, f.Path)
	}
	return nil
}

// writeTantos renders every tanto of doc into dir as <base>-<tanto>.pdf.
// Each file is written whole or not at all.
func writeTantos(r *pdf.Renderer, doc *legajo.Document, dir, base string) ([]renderedFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []renderedFile
	var buf bytes.Buffer
	for _, tanto := range doc.Type.Tantos {
		buf.Reset()
		if err := r.Render(&buf, doc, tanto); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, base+"-"+strings.ToLower(tanto.Name)+".pdf")
		if err := writeFileAtomic(path, buf.Bytes()); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(buf.Bytes())
		files = append(files, renderedFile{Tanto: tanto.Name, Path: path, Size: buf.Len(), SHA256: hex.EncodeToString(sum[:])})
	}
	return files, nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	perr := tmp.Chmod(0o644)
	cerr := tmp.Close()
	if err := errors.Join(werr, perr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// failJSON returns err after printing it, when asJSON, as one JSON value
// for scripts: {"error": "...", "problems": [{"field", "message"}]}.
func (m *Main) failJSON(err error, asJSON bool) error {
	if !asJSON {
		return err
	}
	out := map[string]any{"error": err.Error()}
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		out["problems"] = ve.Problems
	}
	m.printJSON(out)
	return err
}
