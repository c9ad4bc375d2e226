package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// configForm is the configuration page's form as it comes, with changes.
func configForm(e *env, c *http.Client) url.Values {
	e.t.Helper()
	_, body := e.get(c, "/admin/configuracion")
	v := url.Values{}
	for _, m := range inputRe.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], m[2])
	}
	for _, m := range selectRe.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], m[2])
	}
	v.Set("areas", "Dirección de Salud Pública\nUnidad de Transparencia")
	return v
}

func TestSettings(t *testing.T) {
	e := newEnv(t)
	c := e.client("admin")
	form := configForm(e, c)
	// the jefe-dti of the fixtures is row 5 (index 5); a new head from today
	if form.Get("s.5.0") != "jefe-dti" {
		t.Fatalf("unexpected configuration form: %v", form)
	}
	form.Set("s.5.4", "2026-10-31")
	n := 0
	for form.Has("s." + itoa(n) + ".0") {
		n++
	}
	last := "s." + itoa(n-1) + "."
	form.Set(last+"0", "jefe-dti")
	form.Set(last+"1", "Mtra. Rocío Aburto Landa")
	form.Set(last+"2", "Jefa del Departamento de Tecnologías de la Información")
	form.Set(last+"3", "2026-11-01")

	// an overlap is refused, naming the rows
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("s.5.4", "")
	resp, _ := c.PostForm(e.ts.URL+"/admin/configuracion", bad)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "se traslapan") {
		t.Errorf("overlapping signatories: %d", resp.StatusCode)
	}
	// removing an expediente a type files into is refused
	bad.Set("s.5.4", "2026-10-31")
	bad.Set("e.1.0", "")
	bad.Set("e.1.1", "")
	bad.Set("e.1.2", "")
	bad.Set("e.1.3", "")
	bad.Set("e.1.4", "")
	bad.Set("e.1.5", "")
	bad.Set("e.1.6", "")
	bad.Set("e.1.7", "")
	resp, _ = c.PostForm(e.ts.URL+"/admin/configuracion", bad)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "no se puede quitar") {
		t.Errorf("removing dti: %d", resp.StatusCode)
	}

	// a día inhábil that is not a date is refused, naming it
	bad.Set("e.1.0", form.Get("e.1.0"))
	bad.Set("dias_inhabiles", "2026-12-24\n24/12/2026")
	resp, _ = c.PostForm(e.ts.URL+"/admin/configuracion", bad)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "«24/12/2026» no es una fecha AAAA-MM-DD") {
		t.Errorf("a bad día inhábil: %d", resp.StatusCode)
	}

	form.Set("dias_inhabiles", "2026-12-24\r\n2026-12-31\r\n")
	resp, _ = c.PostForm(e.ts.URL+"/admin/configuracion", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	// in force at once: a document dated today is signed by the new head
	who, err := e.office.Signatories().InOffice("jefe-dti", time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	if err != nil || who.Name != "Mtra. Rocío Aburto Landa" {
		t.Errorf("jefe-dti in force: %v %v", who, err)
	}
	old, _ := e.office.Signatories().InOffice("jefe-dti", time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC))
	if old.Name != "Ing. Laura Patricia Méndez Ortiz" {
		t.Errorf("jefe-dti in October: %v", old)
	}
	saved, err := e.archive.Settings(t.Context())
	if err != nil || saved.Version != 1 || len(saved.Areas) != 2 || saved.UpdatedBy != "admin" || strings.Join(saved.NonWorkingDays, " ") != "2026-12-24 2026-12-31" {
		t.Errorf("stored settings: %+v %v", saved, err)
	}
	if _, body := e.get(c, "/admin/configuracion"); !strings.Contains(body, "2026-12-24\n2026-12-31</textarea>") {
		t.Error("the configuration page does not show the días inhábiles saved")
	}
	// the areas are offered in the forms
	_, body := e.get(e.client("capturista"), "/nuevo/oficio-liberacion")
	if !strings.Contains(body, `<option value="Unidad de Transparencia">`) || !strings.Contains(body, `list="areas"`) {
		t.Error("the form does not offer the configured areas")
	}
	var _ = legajo.RoleAdmin
}
