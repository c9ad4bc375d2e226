package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/search"
)

func (e *env) emitType(typ, author string) legajo.Folio {
	e.t.Helper()
	res, err := e.office.Emit(context.Background(), legajo.EmitRequest{Type: typ, Data: sampleData(e.t, typ), Author: author})
	if err != nil {
		e.t.Fatal(err)
	}
	f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
	return f
}

// «Registrar firma» files the exemplar signed outside the department; the
// page shows the state before and after, and a wrong file beside the form.
func TestRegisterFirma(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	f := e.emitType("respaldo-bd", "capturista")
	page := "/documentos/" + f.Slug()
	_, body := e.get(c, page)
	if !strings.Contains(body, "pendiente de firma") || !strings.Contains(body, `action="/documentos/`+f.Slug()+`/firma"`) || strings.Contains(body, "Subir el acuse") {
		t.Fatal("the page of a respaldo does not offer «Registrar firma»")
	}
	if err := e.srv.Search.(*search.Index).CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, home := e.get(c, "/"); !strings.Contains(home, "Firmas pendientes (1)") || !strings.Contains(home, f.String()) {
		t.Error("the home page does not list the document waiting for its firma")
	}
	resp, body := e.upload(c, page+"/firma", "firmado.pdf", []byte("MZ esto no es un escaneo"), nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="firma-error" role="alert">«Ejemplar firmado»: el contenido del archivo no es un PDF`) {
		t.Errorf("a bad file: %d", resp.StatusCode)
	}
	resp, _ = e.upload(c, page+"/firma", "firmado.pdf", []byte("%PDF-1.4\n%%EOF\n"), nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("firma: %d", resp.StatusCode)
	}
	_, body = e.get(c, page)
	if !strings.Contains(body, "firmado de conformidad") || strings.Contains(body, "Registrar firma</button>") || !strings.Contains(body, "Ejemplar firmado</a>") {
		t.Error("after the firma the page does not show it")
	}
	resp, body = e.upload(c, page+"/firma", "firmado.pdf", []byte("%PDF-1.4\n%%EOF\n"), nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "ya tiene registrado su ejemplar firmado") {
		t.Errorf("a second firma: %d", resp.StatusCode)
	}
	// Consulta may not register it.
	resp, _ = e.upload(e.client("consulta"), page+"/firma", "firmado.pdf", []byte("%PDF-1.4\n%%EOF\n"), nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("consulta: %d", resp.StatusCode)
	}
}

// The servicio a equipo page follows the equipment stage by stage.
func TestEquipmentStagesPage(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	f := e.emitType("servicio-equipo", "capturista")
	page := "/documentos/" + f.Slug()
	_, body := e.get(c, page)
	if !strings.Contains(body, "Seguimiento del equipo") || !strings.Contains(body, "Aún no se registra ninguna etapa") || !strings.Contains(body, "<option>en espera de refacciones</option>") {
		t.Fatal("no stage form on the servicio a equipo page")
	}
	for _, st := range []string{"recibido", "en diagnóstico"} {
		resp, _ := e.post(c, page+"/etapa", url.Values{"etapa": {st}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", st, resp.StatusCode)
		}
	}
	resp, body := e.post(c, page+"/etapa", url.Values{"etapa": {"recibido"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "ya pasó por la etapa «recibido»") {
		t.Errorf("going back: %d", resp.StatusCode)
	}
	resp, body = e.post(c, page+"/etapa", url.Values{"etapa": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "«Etapa del equipo»: elija una de estas") {
		t.Errorf("no stage: %d", resp.StatusCode)
	}
	_, body = e.get(c, page)
	if !strings.Contains(body, "<td>en diagnóstico</td>") || !strings.Contains(body, "Ana Capturista") || strings.Contains(body, "<option>recibido</option>") {
		t.Error("the stages are not shown, or a past one is offered")
	}
	// A respaldo has no stages.
	f2 := e.emitType("respaldo-bd", "capturista")
	if _, body := e.get(c, "/documentos/"+f2.Slug()); strings.Contains(body, "Seguimiento del equipo") {
		t.Error("a respaldo shows equipment stages")
	}
}
