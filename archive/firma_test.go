package archive

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/sesver/legajo"
)

// The documents whose exemplar comes back signed by someone outside the
// department wait «pendiente de firma» until it is filed, like an acuse:
// once, never after a cancellation, and only for those types.
func TestFirma(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		for _, typ := range []string{"responsiva-micrositio", "respaldo-bd", "integracion-informacion", "solicitud-contratacion"} {
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: typ, Data: sample(t, typ), Author: "ana"})
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
			rec, err := a.Record(ctx, f)
			if err != nil || rec.Status != legajo.StatusPendienteFirma {
				t.Fatalf("%s: status %q (%v)", typ, rec.Status, err)
			}
			// The solicitud de contratación also waits for the acuse of its
			// delivery, after the firma; the others take no acuse.
			both := typ == "solicitud-contratacion"
			refusal := "no requiere acuse"
			if both {
				refusal = "espera primero su ejemplar firmado"
			}
			if _, err := o.Acuse(ctx, f, pdfScan(t), "acuse.pdf", "ana"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), refusal) {
				t.Errorf("%s: an acuse was taken: %v", typ, err)
			}
			if _, err := o.Firma(ctx, f, []byte("MZ not a scan"), "firma.pdf", "ana"); !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "«Ejemplar firmado»") {
				t.Errorf("%s: a non-scan was taken: %v", typ, err)
			}
			// Two clerks register the signed exemplar at once: one wins.
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Go(func() { _, errs[i] = o.Firma(ctx, f, pdfScan(t), "firmado.pdf", "ana") })
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("%s: concurrent firmas: %v / %v", typ, errs[0], errs[1])
			}
			lost := errors.Join(errs...)
			if !errors.Is(lost, legajo.ErrConflict) || !strings.Contains(lost.Error(), "ya tiene registrado su ejemplar firmado") {
				t.Errorf("%s: the loser is told %v", typ, lost)
			}
			rec, _ = a.Record(ctx, f)
			n := 0
			for _, e := range rec.Entries {
				if e.Event == legajo.EventFirma {
					n++
					if len(e.Objects) != 2 || e.Objects[0].Kind != "firma" && e.Objects[1].Kind != "firma" {
						t.Errorf("%s: firma objects %+v", typ, e.Objects)
					}
				}
			}
			if both {
				if rec.Status != legajo.StatusPendiente || n != 1 {
					t.Errorf("%s: after the firma: %q, %d firma entries; want pendiente de acuse", typ, rec.Status, n)
				}
				if _, err := o.Acuse(ctx, f, pdfScan(t), "acuse.pdf", "ana"); err != nil {
					t.Errorf("%s: acuse after the firma: %v", typ, err)
				}
				if rec, _ = a.Record(ctx, f); rec.Status != legajo.StatusAcusado {
					t.Errorf("%s: after firma and acuse: %q", typ, rec.Status)
				}
				continue
			}
			if rec.Status != legajo.StatusFirmado || n != 1 || rec.Status.Label() != "firmado de conformidad" {
				t.Errorf("%s: after the firma: %q, %d firma entries", typ, rec.Status, n)
			}
		}
		// A cancelled one takes no firma; a document that waits for none
		// is told so.
		res, _ := o.Emit(ctx, legajo.EmitRequest{Type: "respaldo-bd", Data: sample(t, "respaldo-bd"), Author: "ana"})
		f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		if _, err := o.Cancel(ctx, f, "Se emitió con la base de datos equivocada", "ana"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Firma(ctx, f, pdfScan(t), "firmado.pdf", "ana"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "no admite el registro de la firma") {
			t.Errorf("firma of a cancelled document: %v", err)
		}
		res, _ = o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
		f, _ = legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		if _, err := o.Firma(ctx, f, pdfScan(t), "firmado.pdf", "ana"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "no espera un ejemplar firmado") {
			t.Errorf("firma of an oficio: %v", err)
		}
		for _, exp := range a.Expedientes() {
			if v, err := a.Verify(ctx, exp.ID); err != nil || !v.OK() {
				t.Errorf("verify %s: %v %+v", exp.ID, err, v.Findings)
			}
		}
	})
}

// The servicio a equipo follows the equipment through its stages, each
// filed once with date and person, forward only (skipping is allowed).
func TestEquipmentStages(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "servicio-equipo", Data: sample(t, "servicio-equipo"), Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		typ, _ := o.Catalog.Type("servicio-equipo")
		for _, s := range []string{"recibido", "en diagnóstico", "en espera de refacciones"} {
			if _, err := o.Stage(ctx, f, s, "beto"); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		if _, err := o.Stage(ctx, f, "en diagnóstico", "beto"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "ya pasó por la etapa «en diagnóstico»") {
			t.Errorf("back to a past stage: %v", err)
		}
		var ve *legajo.ValidationError
		if _, err := o.Stage(ctx, f, "perdido", "beto"); !errors.As(err, &ve) || ve.Problems[0].Field != "etapa" {
			t.Errorf("unknown stage: %v", err)
		}
		// Concurrent clerks mark «reparado»: one entry.
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() { _, errs[i] = o.Stage(ctx, f, "reparado", "beto") })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if !errors.Is(err, legajo.ErrConflict) {
				t.Errorf("concurrent stage: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d clerks filed «reparado»", ok)
		}
		if _, err := o.Stage(ctx, f, "entregado", "carla"); err != nil {
			t.Fatal(err)
		}
		rec, err := a.Record(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range rec.Stages() {
			got = append(got, s.Stage+"/"+s.Author)
		}
		if strings.Join(got, ",") != "recibido/beto,en diagnóstico/beto,en espera de refacciones/beto,reparado/beto,entregado/carla" ||
			len(rec.NextStages(typ)) != 0 || rec.Status != legajo.StatusPendiente {
			t.Errorf("stages %v, next %v, status %q", got, rec.NextStages(typ), rec.Status)
		}
		res, _ = o.Emit(ctx, legajo.EmitRequest{Type: "respaldo-bd", Data: sample(t, "respaldo-bd"), Author: "ana"})
		f2, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		if _, err := o.Stage(ctx, f2, "recibido", "beto"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "no sigue las etapas") {
			t.Errorf("stage of a respaldo: %v", err)
		}
		// Skipping is allowed; a cancelled document takes no stage.
		res, _ = o.Emit(ctx, legajo.EmitRequest{Type: "servicio-equipo", Data: sample(t, "servicio-equipo"), Author: "ana"})
		f3, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		if _, err := o.Stage(ctx, f3, "reparado", "beto"); err != nil {
			t.Errorf("skipping to reparado: %v", err)
		}
		o.Cancel(ctx, f3, "Se capturó el número de inventario equivocado", "ana")
		if _, err := o.Stage(ctx, f3, "entregado", "beto"); !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), "no admite más etapas") {
			t.Errorf("stage of a cancelled document: %v", err)
		}
		for _, exp := range a.Expedientes() {
			if v, err := a.Verify(ctx, exp.ID); err != nil || !v.OK() {
				t.Errorf("verify %s: %v %+v", exp.ID, err, v.Findings)
			}
		}
	})
}
