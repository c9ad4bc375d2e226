package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

// TestReceiveWithoutPaper registers the requests that come without paper:
// a phone call (nothing but its manifest is filed) and an e-mail (the
// .eml as it came, and each admitted attachment beside it).
func TestReceiveWithoutPaper(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)

		call, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
			"tipo": legajo.TipoLlamada, "fecha_recepcion": "2026-11-26", "hora_recepcion": "10:15",
			"remitente": "Lic. Sofía Ávila", "area": "Jurisdicción Sanitaria V", "extension": "3021",
			"asunto": "Solicita alta de cuenta de correo institucional",
			"cuerpo": "Pide la cuenta para la nueva jefa de enfermería; llamará de nuevo el lunes."}, Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if call.Folio != "SESVER/DA/DTI/RE/0001/2026" || len(call.Tantos) != 0 {
			t.Errorf("call: %+v", call)
		}
		f, _ := legajo.ParseFolio(call.Folio, "SESVER/DA/DTI")
		rec, err := a.Record(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != legajo.StatusRecibido || len(rec.Manifests) != 1 || rec.Manifests[0].Fields["extension"].Text != "3021" ||
			rec.Manifests[0].Title != "Llamada telefónica recibida" {
			t.Errorf("call record: %q %+v", rec.Status, rec.Manifests)
		}

		raw, err := os.ReadFile(filepath.Join("..", "testdata", "eml", "respaldo-multipart.eml"))
		if err != nil {
			t.Fatal(err)
		}
		// Only the área is typed: the rest comes from the message.
		mail, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{"area": "Jurisdicción Sanitaria V"},
			Email: raw, EmailName: "respaldo.eml", Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		f, _ = legajo.ParseFolio(mail.Folio, "SESVER/DA/DTI")
		rec, err = a.Record(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		v := rec.Manifests[0].Fields
		if v["tipo"].Text != legajo.TipoCorreo || v["remitente"].Text != "María Peña Ibáñez" || v["correo_remitente"].Text != "maria.pena@ssaver.gob.mx" ||
			v["asunto"].Text != "Solicitud de respaldo de base de datos — Jurisdicción Sanitaria V" ||
			v["fecha_recepcion"].Text != "2026-11-25" || !strings.Contains(v["cuerpo"].Text, "SIAFFASPE") || v["anexos"].Text != "4" {
			t.Errorf("values from the e-mail: %+v", v)
		}
		if !strings.Contains(v["adjuntos"].Text, "oficio.docx — no se archivó aparte") || !strings.Contains(v["adjuntos"].Text, "factura.pdf — no se archivó aparte") ||
			strings.Contains(v["adjuntos"].Text, "servidor.png —") {
			t.Errorf("attachment list %q", v["adjuntos"].Text)
		}
		kinds := map[string]int{}
		var emlKey string
		for _, obj := range rec.Entries[0].Objects {
			kinds[obj.Kind]++
			if obj.Kind == "correo" {
				emlKey = obj.Key
			}
		}
		// The .eml, the PDF and the PNG; the .docx and the fake PDF stay
		// inside the .eml only.
		if kinds["correo"] != 1 || kinds["anexo"] != 2 || kinds["escaneo"] != 0 || !strings.HasSuffix(emlKey, ".eml") {
			t.Errorf("objects %v (%s)", kinds, emlKey)
		}
		if b, err := st.Get(ctx, emlKey); err != nil || !bytes.Equal(b, raw) {
			t.Errorf("the filed .eml is not the original: %v", err)
		}
		if len(mail.Tantos) != 1 || mail.Tantos[0].Tanto != "CORREO" {
			t.Errorf("result %+v", mail.Tantos)
		}
		if ver, err := a.Verify(ctx, "oficios-recibidos"); err != nil || !ver.OK() {
			t.Errorf("verify: %v %+v", err, ver.Findings)
		}
	})
}

func TestReceiveWithoutPaperRefusals(t *testing.T) {
	o, _ := newOffice(t, newFSStore(t))
	ctx := context.Background()
	base := func() map[string]any {
		return map[string]any{"fecha_recepcion": "2026-11-26", "hora_recepcion": "10:15",
			"remitente": "Lic. Sofía Ávila", "area": "Jurisdicción Sanitaria V", "asunto": "Alta de cuenta"}
	}
	with := func(k, v string) map[string]any { d := base(); d["tipo"] = k; d["cargo"] = v; return d }
	hostile, _ := os.ReadFile(filepath.Join("..", "testdata", "eml", "hostil-sin-boundary.eml"))
	cases := []struct {
		name  string
		req   legajo.ReceiveRequest
		field string
		want  string
	}{
		{"paper without scan", legajo.ReceiveRequest{Data: with("Oficio", "Jefa")}, "escaneo", "«Documento escaneado»: el archivo está vacío."},
		{"paper without cargo", legajo.ReceiveRequest{Data: with("Oficio", ""), Scan: []byte("%PDF-1.4 x")}, "cargo", "Cargo de quien remite es obligatorio para un documento en papel."},
		{"e-mail without its file", legajo.ReceiveRequest{Data: with(legajo.TipoCorreo, "")}, "correo", "con su archivo .eml"},
		{"damaged e-mail", legajo.ReceiveRequest{Data: base(), Email: hostile}, "correo", "estructura MIME está dañada"},
		{"call without área", legajo.ReceiveRequest{Data: map[string]any{"tipo": legajo.TipoLlamada, "fecha_recepcion": "2026-11-26",
			"hora_recepcion": "10:15", "remitente": "X", "asunto": "Y"}}, "area", "obligatorio"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := o.Receive(ctx, c.req)
			var ve *legajo.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v", err)
			}
			for _, p := range ve.Problems {
				if p.Field == c.field && strings.Contains(p.Message, c.want) {
					return
				}
			}
			t.Errorf("no problem on %s with %q: %+v", c.field, c.want, ve.Problems)
		})
	}
}
