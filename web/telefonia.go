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
}

func (telephonyPage) title() string { return "Telefonía: facturas y consumo" }

type layoutColumn struct {
	Label, Header string
	Required      bool
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
		Latest: now.Format("2006-01")}
	if page.Period == "" {
		page.Period = now.AddDate(0, 0, -now.Day()).Format("2006-01") // the month before
	}
	l := page.Layouts[0]
	c := l.Columns
	for _, lc := range []layoutColumn{
		{"Cuenta maestra", c.Account, true}, {"Factura", c.Invoice, false}, {"Línea", c.Line, true},
		{"Área", c.Area, false}, {"Ubicación", c.Location, false}, {"Paquete", c.Plan, false},
		{"Renta", c.Rent, true}, {"Local", c.Local, true}, {"Larga distancia", c.LongDistance, true},
		{"Celular", c.Mobile, true}, {"Servicios adicionales", c.Services, false}, {"Total", c.Total, false},
	} {
		if lc.Header != "" {
			page.Columns = append(page.Columns, lc)
		}
	}
	s.renderPage(w, r, code, "telefonia", page)
	return nil
}

// importBill reads, analyzes and files the month's bill. The browser sends
// it with a progress bar (telefonia.js); without JavaScript it is an
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
	im, rec, err := s.bill(r.Context(), tel, r.PathValue("folio"))
	if err != nil {
		return err
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
func (s *Server) telephonyPrefill(ctx context.Context, t *legajo.DocType, q url.Values, form url.Values) {
	if s.Telephony == nil || q.Get("factura") == "" || (t.ID != "reporte-consumo" && t.ID != "propuesta-reduccion") {
		return
	}
	im, rec, err := s.bill(ctx, s.Telephony, q.Get("factura"))
	if err != nil {
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
