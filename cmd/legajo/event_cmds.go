package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sesver/legajo"
)

func (m *Main) runAcuse(ctx context.Context, args []string) error {
	fs := m.flags("acuse")
	author := fs.String("author", "", "who registers it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the chain entry as one JSON value")
	pos, err := parsePositional(fs, args, 2, "<folio> <scanned file>")
	if err != nil {
		return err
	}
	scan, err := readUpload(pos[1])
	if err != nil {
		return err
	}
	return m.withFolio(ctx, pos[0], func(a *app, folio legajo.Folio) error {
		e, err := a.office.Acuse(ctx, folio, scan, filepath.Base(pos[1]), m.author(*author))
		return m.reportEntry(e, err, *asJSON, "acuse registrado")
	})
}

func (m *Main) runCancel(ctx context.Context, args []string) error {
	fs := m.flags("cancel")
	reason := fs.String("reason", "", "why the document is cancelled (required)")
	author := fs.String("author", "", "who cancels it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the chain entry as one JSON value")
	pos, err := parsePositional(fs, args, 1, "<folio>")
	if err != nil {
		return err
	}
	return m.withFolio(ctx, pos[0], func(a *app, folio legajo.Folio) error {
		e, err := a.office.Cancel(ctx, folio, *reason, m.author(*author))
		return m.reportEntry(e, err, *asJSON, "documento cancelado")
	})
}

func (m *Main) runAttach(ctx context.Context, args []string) error {
	fs := m.flags("attach")
	desc := fs.String("description", "", "what the file is, e.g. «Manual del usuario» (required)")
	author := fs.String("author", "", "who attaches it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the chain entry as one JSON value")
	pos, err := parsePositional(fs, args, 2, "<folio> <file>")
	if err != nil {
		return err
	}
	data, err := readUpload(pos[1])
	if err != nil {
		return err
	}
	return m.withFolio(ctx, pos[0], func(a *app, folio legajo.Folio) error {
		e, err := a.office.Attach(ctx, folio, data, filepath.Base(pos[1]), *desc, m.author(*author))
		return m.reportEntry(e, err, *asJSON, "anexo archivado")
	})
}

func (m *Main) runReceive(ctx context.Context, args []string) error {
	fs := m.flags("receive")
	data := fs.String("data", "", "JSON file: tipo, referencia, fecha_documento, fecha_recepcion, hora_recepcion, remitente, cargo, area, extension, correo_remitente, asunto, anexos, turnado_a, fecha_limite, observaciones, cuerpo")
	scan := fs.String("scan", "", "the scanned document (PDF or image); none for a phone call or with --eml")
	eml := fs.String("eml", "", "an e-mail as it came (.eml): filed with its attachments; fields left out of --data are taken from it")
	exp := fs.String("expediente", "", "expediente (default: oficios-recibidos)")
	tramite := fs.String("tramite", "", "trámite (matter) it belongs to")
	author := fs.String("author", "", "who registers it (default: $USER)")
	asJSON := fs.Bool("json", false, "print the result as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return usagef("--data is required (and --scan, except for a phone call or with --eml)")
	}
	values, err := readData(*data)
	if err != nil {
		return err
	}
	var b, mail []byte
	if *scan != "" {
		if b, err = readUpload(*scan); err != nil {
			return err
		}
	}
	if *eml != "" {
		if mail, err = readUpload(*eml); err != nil {
			return err
		}
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	base := func(p string) string {
		if p == "" {
			return ""
		}
		return filepath.Base(p)
	}
	res, err := a.office.Receive(ctx, legajo.ReceiveRequest{Data: values, Scan: b, ScanName: base(*scan),
		Email: mail, EmailName: base(*eml), Expediente: *exp, Tramite: *tramite, Author: m.author(*author)})
	if err != nil {
		return m.failJSON(err, *asJSON)
	}
	if *asJSON {
		return m.printJSON(res)
	}
	fmt.Fprintf(m.Stdout, "%s registrado en el expediente %s\n", res.Folio, res.Expediente)
	return nil
}

// readUpload reads a file to upload, refusing what is too large before
// reading it whole.
func readUpload(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > legajo.MaxUploadBytes {
		return nil, legajo.Errorf(legajo.ErrInvalid, "%s mide %.1f MiB; el máximo es %d MiB.", path, float64(st.Size())/(1<<20), legajo.MaxUploadBytes>>20)
	}
	return os.ReadFile(path)
}

// withFolio opens the app and parses the folio for fn.
func (m *Main) withFolio(ctx context.Context, s string, fn func(*app, legajo.Folio) error) error {
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	folio, err := a.parseFolio(s)
	if err != nil {
		return err
	}
	return fn(a, folio)
}

func (m *Main) reportEntry(e legajo.Entry, err error, asJSON bool, msg string) error {
	if err != nil {
		return m.failJSON(err, asJSON)
	}
	if asJSON {
		return m.printJSON(entryJSON(e))
	}
	fmt.Fprintf(m.Stdout, "%s: %s (entrada %d del expediente %s)\n", e.Folio, msg, e.Seq, e.Expediente)
	return nil
}

// entryJSON is a chain entry as printed: with its key and hash.
func entryJSON(e legajo.Entry) map[string]any {
	return map[string]any{"expediente": e.Expediente, "seq": e.Seq, "key": e.Key, "hash": e.Hash, "prev": e.Prev,
		"at": e.At, "event": e.Event, "folio": e.Folio, "type": e.Type, "author": e.Author, "reason": e.Reason, "objects": e.Objects}
}
