package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fieldChunk is the form's markup for the field called name: from its
// <div class="field…"> to the next field.
func fieldChunk(page, name string) string {
	for _, chunk := range strings.Split(page, `<div class="field`) {
		if strings.Contains(chunk, `for="f.`+name+`"`) || strings.Contains(chunk, `id="l-`+name+`"`) {
			return chunk
		}
	}
	return ""
}

// TestRuleErrorsBesideFields: a rule across fields that fails shows its
// Spanish message beside its field, the form keeps what was typed, and
// nothing is issued; the corrected form issues, and a baja de equipo goes
// to its expediente without the clerk choosing it.
func TestRuleErrorsBesideFields(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	form := sampleForm(t, "minuta")
	form.Set("accion", "emitir")
	form.Set("f.hora_termino", "09:05")
	form.Set("t.acuerdos.1.fecha_compromiso", "2026-10-01")
	resp, err := c.PostForm(e.ts.URL+"/nuevo/minuta", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("minuta that ends before it starts: %d", resp.StatusCode)
	}
	hora := fieldChunk(page, "hora_termino")
	if !strings.Contains(hora, `invalid">`) || !strings.Contains(hora, "«Hora de término» (09:05) debe ser posterior a «Hora de inicio» (") ||
		!strings.Contains(hora, `value="09:05"`) {
		t.Errorf("hora_termino lacks its error or its typed value:\n%s", hora)
	}
	acuerdos := fieldChunk(page, "acuerdos")
	if !strings.Contains(acuerdos, "«Acuerdos», renglón 2: «Fecha compromiso» (1 de octubre de 2026) no puede ser anterior a «Fecha de la reunión»") ||
		!strings.Contains(acuerdos, `value="2026-10-01"`) {
		t.Errorf("acuerdos lacks its error or its typed value:\n%s", acuerdos)
	}
	if strings.Contains(acuerdos, ".firma") || strings.Contains(fieldChunk(page, "asistentes"), `.firma"`) {
		t.Errorf("the form asks for the handwritten Firma")
	}
	if other := fieldChunk(page, "sede"); strings.Contains(other, `class="error"`) {
		t.Errorf("an error beside a good field:\n%s", other)
	}

	form = sampleForm(t, "dictamen-tecnico.baja")
	form.Set("accion", "emitir")
	form.Del("f.motivo_baja")
	for k := range form {
		if strings.HasPrefix(k, "t.piezas.") {
			form.Del(k)
		}
	}
	resp, _ = c.PostForm(e.ts.URL+"/nuevo/dictamen-tecnico", form)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	page = string(b)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("dictamen de baja without motivo: %d", resp.StatusCode)
	}
	if ch := fieldChunk(page, "motivo_baja"); !strings.Contains(ch, "El campo «Motivo de la baja» es obligatorio cuando «Tipo de dictamen» es «baja de equipo».") {
		t.Errorf("motivo_baja lacks its error:\n%s", ch)
	}
	if ch := fieldChunk(page, "piezas"); !strings.Contains(ch, "«Piezas reutilizables extraídas» requiere al menos un renglón cuando «Piezas extraídas para reutilizar» es «Sí».") {
		t.Errorf("piezas lacks its error:\n%s", ch)
	}
	if !strings.Contains(page, `<option value="" selected>El que corresponde según el tipo de documento</option>`) {
		t.Errorf("the expediente of a type with variants is not left to the variant")
	}

	form = sampleForm(t, "dictamen-tecnico.baja")
	form.Set("accion", "emitir")
	form.Set("expediente", "")
	resp, _ = c.PostForm(e.ts.URL+"/nuevo/dictamen-tecnico", form)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue the corrected dictamen: %d", resp.StatusCode)
	}
	if code, body := e.get(c, loc); code != 200 || !strings.Contains(body, "Expediente de baja de equipo") {
		t.Errorf("the dictamen de baja is not in the Expediente de baja de equipo (%d)", code)
	}
}

// TestRuleErrorsByAPI: the JSON API reports the same problems, by field.
func TestRuleErrorsByAPI(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	data := sampleData(t, "minuta")
	data["hora_termino"] = "08:00"
	body, _ := json.Marshal(map[string]any{"type": "minuta", "data": data})
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/documentos", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Problems []struct{ Field, Message string }
	}
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(out.Problems) != 1 || out.Problems[0].Field != "hora_termino" ||
		!strings.Contains(out.Problems[0].Message, "«Hora de término» (08:00) debe ser posterior a «Hora de inicio»") {
		t.Errorf("API: %d %+v", resp.StatusCode, out)
	}
}
