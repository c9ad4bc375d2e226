package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sesver/legajo"
)

// TestCancelOnce sends one document's cancellation form four times at
// once (a clerk's double clicks, two tabs): one cancels it, the others get
// 409 with who cancelled it and when.
func TestCancelOnce(t *testing.T) {
	e := newEnv(t)
	data := sampleData(t, "oficio-liberacion")
	res, err := e.office.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	folio := mustFolio(t, res.Folio)
	c := e.client("capturista")
	codes, bodies := make([]int, 4), make([]string, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			resp, err := c.PostForm(e.ts.URL+"/documentos/"+folio.Slug()+"/cancelar", url.Values{"motivo": {"Se emitió con el sistema equivocado."}})
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			codes[i], bodies[i] = resp.StatusCode, string(b)
		})
	}
	wg.Wait()
	done := 0
	for i, code := range codes {
		switch code {
		case http.StatusSeeOther:
			done++
		case http.StatusConflict:
			if !strings.Contains(bodies[i], "El documento "+res.Folio+" ya fue cancelado el 26 de noviembre de 2026 a las 16:") ||
				!strings.Contains(bodies[i], "por capturista.") {
				t.Errorf("refusal %d does not say who cancelled and when:\n%s", i, bodies[i])
			}
		default:
			t.Errorf("cancel %d: status %d", i, code)
		}
	}
	if done != 1 {
		t.Errorf("%d cancellations went through (%v), want 1", done, codes)
	}
	rec, err := e.office.Record(context.Background(), folio)
	if err != nil || rec.Status != legajo.StatusCancelado || len(rec.Entries) != 2 {
		t.Errorf("record: %v %+v", err, rec)
	}
}
