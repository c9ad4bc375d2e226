package legajo_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// TestCheckRecord: a record that holds together has no findings; each way
// of not holding together is named, in words anyone can read.
func TestCheckRecord(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := archive.OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &stepClock{t: day("2026-11-02 08:00")}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(),
		Directory: fixtures.Directory(), Zone: mexico, Now: c.now}
	data, err := fixtures.SampleData("oficio-liberacion")
	if err != nil {
		t.Fatal(err)
	}
	var recs []*legajo.Record
	for range 2 {
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := legajo.ParseFolio(res.Folio, fixtures.Institution().FolioPrefix)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := o.Record(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	// fresh returns a copy of the first record to spoil.
	fresh := func() *legajo.Record {
		rec, err := o.Record(ctx, recs[0].Folio)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	tests := []struct {
		name    string
		spoil   func(*legajo.Record)
		problem string
		detail  string
	}{
		{"intact", func(*legajo.Record) {}, "", ""},
		{"another document's entry", func(r *legajo.Record) { r.Entries[0] = recs[1].Entries[0] },
			"ajeno", "El registro de la emisión que el archivo dio para este folio es de otro documento (SESVER/DA/DTI/OL/0002/2026)."},
		{"an entry twice", func(r *legajo.Record) { r.Entries = append(r.Entries, r.Entries[0]) },
			"duplicado", "El registro de la emisión aparece dos veces."},
		{"two emissions", func(r *legajo.Record) {
			e := recs[1].Entries[0]
			e.Folio = r.Folio.String()
			r.Entries = append(r.Entries, e)
		}, "duplicado", "El archivo registra la emisión de este folio más de una vez."},
		{"another folio's manifest", func(r *legajo.Record) { r.Manifests[1].Folio = "SESVER/DA/DTI/OL/0002/2026" },
			"ajeno", "La ficha del tanto COPIA es de otro folio (SESVER/DA/DTI/OL/0002/2026)."},
		{"another digest", func(r *legajo.Record) { r.Manifests[1].Digest = recs[1].Manifests[1].Digest + "0" },
			"inconsistente", "La ficha del tanto COPIA no lleva el mismo código de verificación que las demás."},
		{"another file", func(r *legajo.Record) { r.Manifests[0].File.SHA256 = strings.Repeat("0", 64) },
			"inconsistente", "La ficha del tanto ORIGINAL describe un archivo distinto del que registra la emisión."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := fresh()
			tt.spoil(rec)
			got, err := o.CheckRecord(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			if tt.problem == "" {
				if len(got) != 0 {
					t.Errorf("findings on an intact record: %+v", got)
				}
				return
			}
			if len(got) == 0 || got[0].Problem != tt.problem || got[0].Detail != tt.detail {
				t.Errorf("findings %+v\nwant first %s: %s", got, tt.problem, tt.detail)
			}
		})
	}

	// On storage: a tanto changed, then missing.
	key := recs[0].Entries[0].Objects[0].Key
	path := filepath.Join(dir, filepath.FromSlash(key))
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, []byte("%PDF-1.4 otro documento"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := o.CheckRecord(ctx, fresh())
	if err != nil || len(got) != 1 || got[0].Problem != "modificado" || got[0].Key != key ||
		got[0].Detail != "El tanto ORIGINAL fue modificado: su contenido ya no es el registrado." {
		t.Errorf("changed tanto: %+v, %v", got, err)
	}
	os.Remove(path)
	got, err = o.CheckRecord(ctx, fresh())
	if err != nil || len(got) != 1 || got[0].Problem != "faltante" || got[0].Detail != "Falta el tanto ORIGINAL." {
		t.Errorf("missing tanto: %+v, %v", got, err)
	}
}
