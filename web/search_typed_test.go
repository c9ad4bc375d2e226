package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/search"
)

// The search page goes straight to the document of a folio typed alone,
// says when no document holds every word, and offers the spelling the
// archive's own words suggest as a link that runs it; the abbreviations
// are the administrator's.
func TestSearchPageTypedQueries(t *testing.T) {
	e := newEnv(t)
	c := e.client("consulta")
	folio := e.emit("capturista")
	f, err := legajo.ParseFolio(folio, "SESVER/DA/DTI")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Search.(*search.Index).CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	slug := strings.ReplaceAll(folio, "/", "-")

	// A folio in words: straight to the document.
	for _, q := range []string{"ol " + itoa(f.Number), "oficio OL " + itoa(f.Number) + " " + itoa(f.Year), folio} {
		resp, err := c.Get(e.ts.URL + "/buscar?q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/documentos/"+slug {
			t.Errorf("%q: %d to %q, want the document", q, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	// Ordered or filtered, it is a list.
	if code, body := e.get(c, "/buscar?orden=folio&q=ol+"+itoa(f.Number)); code != http.StatusOK || !strings.Contains(body, folio) {
		t.Errorf("ordered folio search: %d", code)
	}

	// No document holds every word: said, and the closest shown.
	code, body := e.get(c, "/buscar?q="+url.QueryEscape("liberacion sicip xyzzy"))
	if code != http.StatusOK || !strings.Contains(body, "Ningún documento contiene todas las palabras; se muestran los que contienen la mayoría.") || !strings.Contains(body, folio) {
		t.Errorf("partial match: %d, message or hit missing", code)
	}
	if code, body := e.get(c, "/buscar?q="+url.QueryEscape("liberacion sicip")); code != http.StatusOK || strings.Contains(body, "Ningún documento contiene") {
		t.Errorf("full match says it is partial: %d", code)
	}

	// A misspelt word: the suggestion, a link that runs it (with the
	// filters kept), and the corrected search suggests nothing more.
	code, body = e.get(c, "/buscar?tipo=oficio-liberacion&q="+url.QueryEscape("incidensias del personal"))
	link := regexp.MustCompile(`¿Quiso decir <a href="([^"]+)"><strong>([^<]+)</strong></a>\?`).FindStringSubmatch(body)
	if code != http.StatusOK || link == nil || link[2] != "incidencias del personal" {
		t.Fatalf("suggestion: %d %q", code, link)
	}
	target := html.UnescapeString(link[1])
	if !strings.Contains(target, "tipo=oficio-liberacion") {
		t.Errorf("suggestion link %q drops the filter", target)
	}
	if code, body := e.get(c, target); code != http.StatusOK || strings.Contains(body, "¿Quiso decir") || !strings.Contains(body, folio) {
		t.Errorf("following the suggestion: %d", code)
	}

	// The administrator's abbreviations: a bad line is refused naming it;
	// a good table is in force at once.
	admin := e.client("admin")
	form := configForm(e, admin)
	form.Set("sinonimos", "SRHX = Subdirección de Recursos Humanos\nsolo una palabra")
	resp, b := e.post(admin, "/admin/configuracion", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "Sinónimos, línea 2") {
		t.Errorf("bad synonym line: %d", resp.StatusCode)
	}
	if _, body := e.get(c, "/buscar?q=srhx+sicip"); !strings.Contains(body, "Ningún documento contiene") {
		t.Error("srhx is understood before it is saved")
	}
	form.Set("sinonimos", "SRHX = Subdirección de Recursos Humanos")
	if resp, b := e.post(admin, "/admin/configuracion", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving synonyms: %d\n%s", resp.StatusCode, b)
	}
	if _, body := e.get(c, "/buscar?q=srhx+sicip"); strings.Contains(body, "Ningún documento contiene") || !strings.Contains(body, folio) {
		t.Error("srhx not understood once saved")
	}
	if _, body := e.get(admin, "/admin/configuracion"); !strings.Contains(body, "SRHX = Subdirección de Recursos Humanos") {
		t.Error("the configuration page does not show the saved synonyms")
	}
}
