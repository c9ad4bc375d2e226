package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sesver/legajo"
)

// The monthly telephony cycle (procedure 10): the carrier's bill is
// uploaded, read and filed; its analysis shows the lines above normal and
// the totals per área, and issues the reporte de consumo and the propuesta
// de reducción prefilled.

type telephonyPage struct {
	Imports  []legajo.BillImport
	Layouts  []legajo.BillLayout
	Columns  []layoutColumn // of the first layout, to show what is read
	Period   string         // proposed: the month before this one
	Latest   string         // the last month that may have a bill
	Layout   string
	Problems []legajo.Problem
	Existing string // folio of the bill that made an import a duplicate
	// Edit is the layout the administrator's form shows.
	Edit        legajo.BillLayout
	EditColumns []layoutColumn
	EditPosted  bool // the layout form came back with problems
	Saved       bool
}

func (telephonyPage) title() string { return "Telefonía: facturas y consumo" }

type layoutColumn struct {
	Name, Label, Header string
	Required            bool
}

// layoutColumns are a layout's columns as the pages show and edit them.
func layoutColumns(l legajo.BillLayout) []layoutColumn {
	c := l.Columns
	return []layoutColumn{
		{"cuenta", "Cuenta maestra", c.Account, true}, {"factura", "Factura", c.Invoice, false}, {"linea", "Línea", c.Line, true},
		{"area", "Área", c.Area, false}, {"ubicacion", "Ubicación", c.Location, false}, {"paquete", "Paquete", c.Plan, false},
		{"renta", "Renta", c.Rent, true}, {"local", "Local", c.Local, true}, {"larga_distancia", "Larga distancia", c.LongDistance, true},
		{"celular", "Celular", c.Mobile, true}, {"servicios", "Servicios adicionales", c.Services, false}, {"total", "Total", c.Total, false},
	}
}

func (s *Server) telephony() (*legajo.Telephony, error) {
	if s.Telephony == nil {
		return nil, legajo.Errorf(legajo.ErrUnavailable, "La telefonía no está disponible en este servidor.")
	}
	return s.Telephony, nil
}

func (s *Server) telephonyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTelephony(w, r, http.StatusOK, url.Values{}, nil, "")
}

// layoutOf reads the layout form.
func layoutOf(form url.Values) legajo.BillLayout {
	l := legajo.BillLayout{Name: strings.TrimSpace(form.Get("nombre")), Provider: strings.TrimSpace(form.Get("proveedor"))}
	c := &l.Columns
	for name, dst := range map[string]*string{"cuenta": &c.Account, "factura": &c.Invoice, "linea": &c.Line, "area": &c.Area,
		"ubicacion": &c.Location, "paquete": &c.Plan, "renta": &c.Rent, "local": &c.Local, "larga_distancia": &c.LongDistance,
		"celular": &c.Mobile, "servicios": &c.Services, "total": &c.Total} {
		*dst = strings.TrimSpace(form.Get("c." + name))
	}
	return l
}

// saveLayout saves a carrier's layout in the settings (a new version of
// them): it replaces the layout of the same name, or is added first, and
// is in force at once.
func (s *Server) saveLayout(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	l := layoutOf(r.PostForm)
	var ve *legajo.ValidationError
	if err := l.Validate(); errors.As(err, &ve) {
		return s.renderTelephony(w, r, http.StatusUnprocessableEntity, r.PostForm, ve.Problems, "")
	}
	if s.Settings == nil {
		return legajo.Errorf(legajo.ErrUnavailable, "La configuración no se puede guardar en este servidor.")
	}
	st, err := s.Settings.Settings(r.Context())
	if errors.Is(err, legajo.ErrNotFound) {
		// Never saved: the first version is what is in force.
		st, err = legajo.Settings{Directory: s.Office.Signatories(), Expedientes: s.Office.Archive.Expedientes(), Areas: s.areas(),
			Synonyms: s.synonyms()}, nil
	}
	if err != nil {
		return err
	}
	layouts := []legajo.BillLayout{l}
	for _, old := range st.BillLayouts {
		if old.Name != l.Name {
			layouts = append(layouts, old)
		}
	}
	st.BillLayouts = layouts
	st.UpdatedAt, st.UpdatedBy = s.now().UTC(), currentUser(r).Login
	if err := st.Validate(); errors.As(err, &ve) {
		return s.renderTelephony(w, r, http.StatusUnprocessableEntity, r.PostForm, ve.Problems, "")
	}
	saved, err := s.Settings.SaveSettings(r.Context(), st)
	if err != nil {
		return err
	}
	if s.Apply != nil {
		if err := s.Apply(saved); err != nil {
			return err
		}
	}
	s.logActivity(r, "configuracion", "versión "+strconv.Itoa(saved.Version), "formato de factura "+l.Name)
	http.Redirect(w, r, "/telefonia?formato_guardado=1", http.StatusSeeOther)
	return nil
}

func (s *Server) renderTelephony(w http.ResponseWriter, r *http.Request, code int, form url.Values, problems []legajo.Problem, existing string) error {
	tel, err := s.telephony()
	if err != nil {
		return err
	}
	imports, err := tel.Imports(r.Context())
	if err != nil {
		return err
	}
	now := s.now().In(zone)
	page := telephonyPage{Imports: imports, Layouts: tel.AllLayouts(), Problems: problems, Existing: existing,
		Period: form.Get("periodo"), Layout: form.Get("formato"),
		Latest: now.Format("2006-01"), Saved: r.URL.Query().Has("formato_guardado")}
	if page.Period == "" {
		page.Period = now.AddDate(0, 0, -now.Day()).Format("2006-01") // the month before
	}
	page.Edit = page.Layouts[0]
	if form.Has("nombre") {
		page.Edit = layoutOf(form) // what the administrator typed, with its problems
		page.EditPosted = true
	}
	page.EditColumns = layoutColumns(page.Edit)
	for _, lc := range layoutColumns(page.Layouts[0]) {
		if lc.Header != "" {
			page.Columns = append(page.Columns, lc)
		}
	}
	s.renderPage(w, r, code, "telefonia", page)
	return nil
}

// importBill reads, analyzes and files the month's bill. The browser sends
// it with a progress bar (upload.js); without JavaScript it is an
// ordinary form.
func (s *Server) importBill(w http.ResponseWriter, r *http.Request) error {
	tel, err := s.telephony()
	if err != nil {
		return err
	}
	files, err := parseFiles(r, "factura")
	if err != nil {
		return err
	}
	u := currentUser(r)
	f := files["factura"]
	im, _, err := tel.Import(r.Context(), legajo.ImportRequest{Data: f.data, Name: f.name, Period: r.PostForm.Get("periodo"),
		Layout: r.PostForm.Get("formato"), Author: u.Login})
	var ve *legajo.ValidationError
	var dup *legajo.DuplicateBillError
	switch {
	case errors.As(err, &ve):
		return s.renderTelephony(w, r, http.StatusUnprocessableEntity, r.PostForm, ve.Problems, "")
	case errors.As(err, &dup):
		return s.renderTelephony(w, r, http.StatusConflict, r.PostForm, []legajo.Problem{{Field: "factura", Message: err.Error()}}, dup.Folio)
	case err != nil:
		return err
	}
	s.logActivity(r, "importar-factura", im.Folio, f.name)
	http.Redirect(w, r, "/telefonia/facturas/"+slug(im.Folio)+"?importada=1", http.StatusSeeOther)
	return nil
}

type billPage struct {
	Import   legajo.BillImport
	Analysis *legajo.Analysis
	Invoices []string
	Area     string // the lines shown are of this área; "" all
	Flagged  []legajo.LineAnalysis
	Reports  map[string]string // área → folio of its reporte de consumo
	Imported bool
}

func (p billPage) title() string {
	return "Consumo de " + p.Import.PeriodLabel() + ", cuenta maestra " + p.Import.Account
}

// bill finds the bill of the request's {folio}.
func (s *Server) bill(ctx context.Context, tel *legajo.Telephony, slugged string) (legajo.BillImport, *legajo.BillRecord, error) {
	f, err := legajo.ParseFolio(strings.ReplaceAll(slugged, "-", "/"), s.Office.Institution.FolioPrefix)
	if err != nil {
		return legajo.BillImport{}, nil, legajo.Errorf(legajo.ErrNotFound, "No hay factura telefónica importada con el folio %s.", slugged)
	}
	im, err := tel.Find(ctx, f.String())
	if err != nil {
		return im, nil, err
	}
	rec, err := tel.Load(ctx, im)
	return im, rec, err
}

func (s *Server) billPage(w http.ResponseWriter, r *http.Request) error {
	tel, err := s.telephony()
	if err != nil {
		return err
	}
	im, rec, err := s.bill(r.Context(), tel, r.PathValue("factura"))
	if err != nil {
		return err
	}
	// The bill is a document of its expediente: who may not read that
	// expediente is told it does not exist.
	f, _ := legajo.ParseFolio(im.Folio, s.Office.Institution.FolioPrefix)
	if doc, err := s.Office.Record(r.Context(), f); err != nil || !s.mayRead(r, doc) {
		return notFound(f)
	}
	reports, err := tel.Reports(r.Context(), im)
	if err != nil {
		return err
	}
	page := billPage{Import: im, Analysis: rec.Analysis, Invoices: rec.Bill.Invoices, Reports: reports,
		Imported: r.URL.Query().Has("importada")}
	if a := r.URL.Query().Get("area"); a != "" {
		if _, ok := rec.Analysis.Area(a); ok {
			page.Area = a
		}
	}
	page.Flagged = rec.Analysis.Flagged(page.Area)
	s.renderPage(w, r, http.StatusOK, "telefonia_factura", page)
	return nil
}

// telephonyPrefill fills the form of a reporte de consumo or a propuesta
// de reducción from a bill's analysis, when the link from the analysis
// page says which (?factura=<folio>&area=…[&reporte=<folio>]).
func (s *Server) telephonyPrefill(r *http.Request, t *legajo.DocType, form url.Values) {
	ctx, q := r.Context(), r.URL.Query()
	if s.Telephony == nil || q.Get("factura") == "" || (t.ID != "reporte-consumo" && t.ID != "propuesta-reduccion") {
		return
	}
	im, rec, err := s.bill(ctx, s.Telephony, q.Get("factura"))
	if err != nil {
		return
	}
	if f, err := legajo.ParseFolio(im.Folio, s.Office.Institution.FolioPrefix); err != nil {
		return
	} else if doc, err := s.Office.Record(ctx, f); err != nil || !s.mayRead(r, doc) {
		return
	}
	area := q.Get("area")
	if _, ok := rec.Analysis.Area(area); !ok {
		return
	}
	var data map[string]any
	if t.ID == "reporte-consumo" {
		data = rec.Analysis.ReporteConsumoData(im, rec.Bill.Invoices, area)
	} else {
		data = rec.Analysis.PropuestaReduccionData(area, q.Get("reporte"))
	}
	for k, v := range data {
		switch v := v.(type) {
		case string:
			form.Set("f."+k, v)
		case []any:
			for i, row := range v {
				for col, cell := range row.(map[string]any) {
					form.Set("t."+k+"."+strconv.Itoa(i)+"."+col, fmt.Sprint(cell))
				}
			}
		}
	}
}

// The telephony pages' template functions join the shared ones before the
// templates are parsed (Server.Init).
func init() {
	funcs["phone"] = legajo.FormatLine
	funcs["period"] = legajo.PeriodLabel
}
