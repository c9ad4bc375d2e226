package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

//go:embed templates/*.html static
var assets embed.FS

// pages are the parsed templates, one set per page: the layout, the shared
// partials and the page.
type pages struct {
	byName map[string]*template.Template
}

// zone is where dates are shown: documents are dated in Mexico's time.
var zone = func() *time.Location {
	z, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		return time.FixedZone("CST", -6*3600)
	}
	return z
}()

var funcs = template.FuncMap{
	"longDate":  func(t time.Time) string { return legajo.LongDate(t.In(zone)) },
	"shortDate": func(t time.Time) string { return t.In(zone).Format("02/01/2006") },
	"dateTime":  func(t time.Time) string { return t.In(zone).Format("02/01/2006 15:04") },
	"hour":      func(t time.Time) string { return t.In(zone).Format("15:04") },
	"isoDate":   func(t time.Time) string { return t.In(zone).Format(legajo.DateLayout) },
	// day writes a date without a time of day (validity dates), untouched
	// by time zones.
	"day":       func(t time.Time) string { return t.UTC().Format("02/01/2006") },
	"slug":      func(f string) string { return strings.ReplaceAll(f, "/", "-") },
	"lower":     strings.ToLower,
	"fileLabel": fileLabel,
	"cls":       func(v any) string { return strings.ReplaceAll(strings.ToLower(fmt.Sprint(v)), " ", "-") },
	// label names a document's status for people; other values as they are.
	"label": func(v any) string {
		switch x := v.(type) {
		case legajo.Status:
			return x.Label()
		case string:
			return legajo.Status(x).Label()
		}
		return fmt.Sprint(v)
	},
	"short": func(s string) string { return s[:min(len(s), 16)] },
	// plural writes a count with the noun that agrees with it.
	"plural": legajo.Plural,
	// folio lets a long folio wrap after its slashes, not inside a number,
	// on a phone.
	"folio": func(v any) template.HTML {
		return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(fmt.Sprint(v)), "/", "/<wbr>"))
	},
	"add":   func(a, b int) int { return a + b },
	"years": legajo.Years,
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"query": func(kv ...string) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		return template.URL(v.Encode())
	},
	// trusted marks search fragments, which the index escapes and marks
	// with <mark>, as safe HTML.
	"trusted": func(s string) template.HTML { return template.HTML(s) },
}

func parsePages() (*pages, error) {
	common, err := fs.Glob(assets, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	all, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	base := template.New("layout").Funcs(funcs)
	if _, err := base.ParseFS(assets, common...); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, file := range all {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(assets, file); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", file, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page template receives: the page's own typed data in
// Page, and what the layout needs.
type view struct {
	Title string
	User  legajo.User
	Nav   nav
	Page  any
}

// nav tells the layout which menu entries the user may follow.
type nav struct {
	Issue, Audit, Admin bool
	Current             string
}

// titled is implemented by page data that names its page.
type titled interface{ title() string }

// renderPage executes the named page into a buffer first, so that a
// template error never sends half a page.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Logger.Error("missing template", "name", name)
		http.Error(w, "Error interno del servidor.", http.StatusInternalServerError)
		return
	}
	u := currentUser(r)
	v := view{User: u, Page: data, Nav: nav{
		Issue:   u.Login != "" && permIssue.grantedTo(u.Role),
		Audit:   u.Login != "" && permAudit.grantedTo(u.Role),
		Admin:   u.Login != "" && permAdmin.grantedTo(u.Role),
		Current: name,
	}}
	if t, ok := data.(titled); ok {
		v.Title = t.title()
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Logger.Error("template", "name", name, "err", err)
		http.Error(w, "Error interno del servidor.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

type errorPage struct {
	Status  int
	Message string
}

func (errorPage) title() string { return "No se pudo completar" }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
