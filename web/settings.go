package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

type configPage struct {
	Institution legajo.Institution
	Settings    legajo.Settings
	Signatories [][]string // rows as typed: role, name, position, from, to
	Expedientes [][]string // id, name, code, AT, AC, destino, valores, acceso
	Areas       string
	Synonyms    string // one a line, as legajo.ParseSynonyms reads them
	Closed      string // the institution's días inhábiles, one AAAA-MM-DD a line
	Problems    []legajo.Problem
	Message     string
	Destinos    []string
	Accesos     []string
}

func (configPage) title() string { return "Configuración" }

var (
	destinos = []string{"Conservación", "Baja", "Muestreo"}
	accesos  = []string{"pública", "reservada", "confidencial"}
)

// current returns the settings in force: the latest saved, else those the
// server started with.
func (s *Server) current(r *http.Request) (legajo.Settings, error) {
	st, err := s.Settings.Settings(r.Context())
	if err == nil {
		return st, nil
	}
	if !errors.Is(err, legajo.ErrNotFound) {
		return st, err
	}
	return legajo.Settings{Directory: s.Office.Signatories(), Expedientes: s.Office.Archive.Expedientes(), Areas: s.areas(),
		Synonyms: s.synonyms()}, nil
}

func (s *Server) configPage(w http.ResponseWriter, r *http.Request) error {
	st, err := s.current(r)
	if err != nil {
		return err
	}
	syn := st.Synonyms
	if syn == nil {
		syn = legajo.DefaultSynonyms()
	}
	page := configPage{Institution: s.Office.Institution, Settings: st, Areas: strings.Join(st.Areas, "\n"), Closed: strings.Join(st.NonWorkingDays, "\n"),
		Synonyms: legajo.FormatSynonyms(syn), Message: r.URL.Query().Get("mensaje"), Destinos: destinos, Accesos: accesos}
	for _, d := range st.Directory {
		to := ""
		if !d.To.IsZero() {
			to = d.To.UTC().Format(legajo.DateLayout)
		}
		page.Signatories = append(page.Signatories, []string{d.Role, d.Name, d.Position, d.From.UTC().Format(legajo.DateLayout), to})
	}
	for _, e := range st.Expedientes {
		page.Expedientes = append(page.Expedientes, []string{e.ID, e.Name, e.Code, strconv.Itoa(e.YearsTramite),
			strconv.Itoa(e.YearsConcentracion), e.Destino, strings.Join(e.Valores, ", "), e.Acceso})
	}
	page.Signatories = append(page.Signatories, make([]string, 5))
	page.Expedientes = append(page.Expedientes, make([]string, 8))
	s.renderPage(w, r, http.StatusOK, "config", page)
	return nil
}

// rows reads prefix.<i>.<j> inputs into rows of n cells, skipping blank rows.
func rows(form url.Values, prefix string, n int) [][]string {
	var out [][]string
	for i := 0; i < 500; i++ {
		row := make([]string, n)
		any := false
		present := false
		for j := range n {
			k := prefix + "." + strconv.Itoa(i) + "." + strconv.Itoa(j)
			if _, ok := form[k]; ok {
				present = true
			}
			row[j] = strings.TrimSpace(form.Get(k))
			any = any || row[j] != ""
		}
		if !present {
			break
		}
		if any {
			out = append(out, row)
		}
	}
	return out
}

// saveConfig validates and stores a new version of the settings and puts
// it in force at once.
func (s *Server) saveConfig(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	st := legajo.Settings{Version: version, UpdatedAt: s.now().UTC(), UpdatedBy: currentUser(r).Login}
	var probs []legajo.Problem
	sigRows := rows(r.PostForm, "s", 5)
	for i, row := range sigRows {
		from, err := time.Parse(legajo.DateLayout, row[3])
		if err != nil {
			probs = append(probs, legajo.Problem{Field: "firmantes", Message: "Firmante " + strconv.Itoa(i+1) + ": «Desde» no es una fecha válida: escríbala completa o elíjala en el calendario."})
		}
		var to time.Time
		if row[4] != "" {
			if to, err = time.Parse(legajo.DateLayout, row[4]); err != nil {
				probs = append(probs, legajo.Problem{Field: "firmantes", Message: "Firmante " + strconv.Itoa(i+1) + ": «Hasta» no es una fecha válida: escríbala completa o elíjala en el calendario."})
			}
		}
		st.Directory = append(st.Directory, legajo.Signatory{Role: row[0], Name: row[1], Position: row[2], From: from, To: to})
	}
	expRows := rows(r.PostForm, "e", 8)
	for i, row := range expRows {
		at, err1 := strconv.Atoi(row[3])
		ac, err2 := strconv.Atoi(row[4])
		if err1 != nil || err2 != nil {
			probs = append(probs, legajo.Problem{Field: "expedientes", Message: "Expediente " + strconv.Itoa(i+1) + ": los años de vigencia deben ser números."})
		}
		var valores []string
		for _, v := range strings.Split(row[6], ",") {
			if v = strings.TrimSpace(v); v != "" {
				valores = append(valores, v)
			}
		}
		// the form does not edit descriptions: an expediente keeps its own
		desc := ""
		if old, err := s.Office.Archive.Expediente(row[0]); err == nil {
			desc = old.Description
		}
		st.Expedientes = append(st.Expedientes, legajo.Expediente{ID: row[0], Name: row[1], Description: desc, Code: row[2], Order: "cronológico",
			YearsTramite: at, YearsConcentracion: ac, Destino: row[5], Valores: valores, Acceso: row[7]})
	}
	for _, a := range strings.Split(r.PostForm.Get("areas"), "\n") {
		if a = strings.TrimSpace(a); a != "" {
			st.Areas = append(st.Areas, a)
		}
	}
	syn, err := legajo.ParseSynonyms(r.PostForm.Get("sinonimos"))
	if err != nil {
		var ve *legajo.ValidationError
		errors.As(err, &ve)
		probs = append(probs, ve.Problems...)
	}
	// Saved as typed, even empty: an administrator may want none.
	st.Synonyms = append([]legajo.Synonym{}, syn...)
	for _, d := range strings.Fields(r.PostForm.Get("dias_inhabiles")) {
		st.NonWorkingDays = append(st.NonWorkingDays, d)
	}
	if err := st.Validate(); err != nil {
		var ve *legajo.ValidationError
		errors.As(err, &ve)
		probs = append(probs, ve.Problems...)
	}
	ids := map[string]bool{}
	for _, e := range st.Expedientes {
		ids[e.ID] = true
	}
	for _, t := range s.Office.Catalog.Types() {
		if t.Expediente != "" && !ids[t.Expediente] {
			probs = append(probs, legajo.Problem{Field: "expedientes", Message: "El expediente «" + t.Expediente + "» no se puede quitar: «" + t.Title + "» se archiva en él."})
		}
	}
	if len(probs) > 0 {
		page := configPage{Institution: s.Office.Institution, Settings: st, Signatories: append(sigRows, make([]string, 5)),
			Expedientes: append(expRows, make([]string, 8)), Areas: r.PostForm.Get("areas"), Synonyms: r.PostForm.Get("sinonimos"),
			Closed: r.PostForm.Get("dias_inhabiles"), Problems: probs,
			Destinos: destinos, Accesos: accesos}
		s.renderPage(w, r, http.StatusUnprocessableEntity, "config", page)
		return nil
	}
	// What this form does not edit is kept as saved (the carriers' bill
	// layouts, edited on the Telefonía page).
	if prev, err := s.Settings.Settings(r.Context()); err == nil {
		st.BillLayouts = prev.BillLayouts
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
	s.setAreas(saved.Areas)
	s.setSynonyms(saved.Synonyms)
	s.logActivity(r, "configuracion", "versión "+strconv.Itoa(saved.Version), "")
	http.Redirect(w, r, "/admin/configuracion?mensaje="+urlQueryEscape("Configuración guardada (versión "+strconv.Itoa(saved.Version)+"); está en vigor."), http.StatusSeeOther)
	return nil
}
