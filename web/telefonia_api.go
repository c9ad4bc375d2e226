package web

import (
	"net/http"
	"strings"

	"github.com/sesver/legajo"
)

// The telephony cycle in the JSON API: the register of lines, the bills
// imported, the import of a bill (the same checks and messages as the
// page's) and a month's analysis. Amounts are integer centavos, as the
// analysis is filed.

// apiTelephonyLines lists the register of líneas telefónicas y servicios,
// as the registries' API does (?q=, ?vigentes=1).
func (s *Server) apiTelephonyLines(w http.ResponseWriter, r *http.Request) error {
	r.SetPathValue("id", legajo.LineasTelefonicasID)
	return s.apiRegistroRows(w, r)
}

// apiLine is a line of the analysis with what the page shows beside it.
type apiLine struct {
	legajo.LineAnalysis
	Total       legajo.Centavos `json:"total"`
	AboveNormal bool            `json:"anormal"`
}

// apiBill is one bill and its analysis.
type apiBill struct {
	Bill    legajo.BillImport     `json:"factura"`
	Period  string                `json:"periodo"` // in words
	Page    string                `json:"pagina"`  // the analysis in the web application
	History []string              `json:"historial"`
	Rules   legajo.TelephonyRules `json:"reglas"`
	Totals  legajo.AreaTotals     `json:"totales"`
	Areas   []legajo.AreaTotals   `json:"areas"`
	Lines   []apiLine             `json:"lineas"`
}

// apiBillOf shapes a bill's analysis: of one área when area is not "",
// and only the lines above normal when flagged.
func apiBillOf(im legajo.BillImport, an *legajo.Analysis, area string, flagged bool) apiBill {
	b := apiBill{Bill: im, Period: im.PeriodLabel(), Page: "/telefonia/facturas/" + slug(im.Folio), History: an.History,
		Rules: an.Rules, Totals: an.Totals, Areas: an.Areas, Lines: []apiLine{}}
	if b.History == nil {
		b.History = []string{}
	}
	if area != "" {
		t, _ := an.Area(area)
		b.Totals, b.Areas = t, []legajo.AreaTotals{t}
	}
	lines := an.Lines
	if flagged {
		lines = an.Flagged(area)
	}
	for _, l := range lines {
		if area == "" || l.Area == area {
			b.Lines = append(b.Lines, apiLine{LineAnalysis: l, Total: l.Total(), AboveNormal: l.AboveNormal()})
		}
	}
	return b
}

// readableBills are the bills keep takes that the caller may read: each
// is a document of the department's expediente, looked up only when keep
// took it.
func (s *Server) readableBills(r *http.Request, tel *legajo.Telephony, keep func(legajo.BillImport) bool) ([]legajo.BillImport, error) {
	imports, err := tel.Imports(r.Context())
	if err != nil {
		return nil, err
	}
	out := []legajo.BillImport{}
	for _, im := range imports {
		if !keep(im) {
			continue
		}
		f, err := legajo.ParseFolio(im.Folio, s.Office.Institution.FolioPrefix)
		if err != nil {
			continue
		}
		if doc, err := s.Office.Record(r.Context(), f); err == nil && s.mayRead(r, doc) {
			out = append(out, im)
		}
	}
	return out, nil
}

func (s *Server) apiBills(w http.ResponseWriter, r *http.Request) error {
	tel, err := s.telephony()
	if err != nil {
		return err
	}
	bills, err := s.readableBills(r, tel, func(legajo.BillImport) bool { return true })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, bills)
}

// apiImportBill imports a bill sent as the raw body (?periodo=&formato=
// &archivo=) or as multipart/form-data (file «factura», fields «periodo»
// and «formato»). A bad bill is refused whole (422, every problem by row
// and column); a bill already imported, 409 naming the first import.
func (s *Server) apiImportBill(w http.ResponseWriter, r *http.Request) error {
	tel, err := s.telephony()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	period, layout, name := q.Get("periodo"), q.Get("formato"), q.Get("archivo")
	var data []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		files, err := parseFiles(r, "factura")
		if err != nil {
			return err
		}
		f := files["factura"]
		data = f.data
		if name == "" {
			name = f.name
		}
		if v := r.PostForm.Get("periodo"); v != "" {
			period = v
		}
		if v := r.PostForm.Get("formato"); v != "" {
			layout = v
		}
	} else if data, _, err = uploadBody(r); err != nil {
		return err
	}
	if len(data) > legajo.MaxUploadBytes {
		return &legajo.ValidationError{Problems: []legajo.Problem{{Field: "factura",
			Message: "El archivo de la factura pasa de 20 MB; expórtelo sin columnas de más o divídalo por cuenta maestra."}}}
	}
	if name, err = uploadName(name); err != nil {
		return err
	}
	if name == "" {
		name = "factura por la API"
	}
	im, an, err := tel.Import(r.Context(), legajo.ImportRequest{Data: data, Name: name, Period: period,
		Layout: layout, Author: currentUser(r).Login})
	if err != nil {
		return err
	}
	s.logActivity(r, "importar-factura", im.Folio, "api")
	return writeJSON(w, http.StatusCreated, apiBillOf(*im, an, "", true))
}

// apiAnalysis gives the analysis of every bill of a month (one per cuenta
// maestra): ?mes=AAAA-MM, and optionally ?cuenta=, ?area= and
// ?anormales=1 (only the lines above normal).
func (s *Server) apiAnalysis(w http.ResponseWriter, r *http.Request) error {
	tel, err := s.telephony()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	month := strings.TrimSpace(q.Get("mes"))
	if month == "" {
		return &legajo.ValidationError{Problems: []legajo.Problem{{Field: "mes", Message: "Indique el mes de la factura en «mes», como AAAA-MM (por ejemplo 2026-10)."}}}
	}
	if _, err := legajo.ParsePeriod(month); err != nil {
		return &legajo.ValidationError{Problems: []legajo.Problem{{Field: "mes",
			Message: "«mes» no es un mes válido: escríbalo como AAAA-MM (por ejemplo 2026-10)."}}}
	}
	account, area := strings.TrimSpace(q.Get("cuenta")), strings.TrimSpace(q.Get("area"))
	for field, v := range map[string]string{"cuenta": account, "area": area} {
		if len([]rune(v)) > 200 {
			return &legajo.ValidationError{Problems: []legajo.Problem{{Field: field, Message: "«" + field + "» es demasiado largo: el máximo es 200 caracteres."}}}
		}
	}
	bills, err := s.readableBills(r, tel, func(im legajo.BillImport) bool {
		return im.Period == month && (account == "" || im.Account == account)
	})
	if err != nil {
		return err
	}
	out := struct {
		Month  string    `json:"mes"`
		Period string    `json:"periodo"`
		Bills  []apiBill `json:"facturas"`
	}{Month: month, Period: legajo.PeriodLabel(month), Bills: []apiBill{}}
	for _, im := range bills {
		rec, err := tel.Load(r.Context(), im)
		if err != nil {
			return err
		}
		if area != "" {
			if _, ok := rec.Analysis.Area(area); !ok {
				continue
			}
		}
		out.Bills = append(out.Bills, apiBillOf(im, rec.Analysis, area, q.Get("anormales") == "1"))
	}
	switch {
	case len(bills) == 0 && account != "":
		return legajo.Errorf(legajo.ErrNotFound, "No hay factura telefónica importada de la cuenta maestra %s de %s.", legajo.Printable(account, false), out.Period)
	case len(bills) == 0:
		return legajo.Errorf(legajo.ErrNotFound, "No hay factura telefónica importada de %s.", out.Period)
	case len(out.Bills) == 0:
		return &legajo.ValidationError{Problems: []legajo.Problem{{Field: "area",
			Message: "El área «" + legajo.Printable(area, false) + "» no tiene líneas en las facturas de " + out.Period + "."}}}
	}
	return writeJSON(w, http.StatusOK, out)
}
