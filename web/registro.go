package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Registries (padrones, bitácoras, inventarios) as live data: the list of
// them, a registry's page with its search, its rows and, for clerks, the
// alta and the import; a row's page with its history and the changes it
// takes. Every change is filed in the archive (legajo.Registros).

// RegistroFiles writes a registry's export and reads a spreadsheet for an
// import; the program that wires the server gives it (the generators are
// other adapters). Nil: no XLSX or PDF.
type RegistroFiles interface {
	// Export writes ins in format xlsx or pdf.
	Export(w io.Writer, ins *legajo.Instrument, format string, info legajo.InstrumentInfo) error
	// ReadXLSX reads the first sheet of an XLSX file as a table of text.
	ReadXLSX(data []byte) ([][]string, error)
}

func (s *Server) registros() (*legajo.Registros, error) {
	if s.Office.Registros == nil {
		return nil, legajo.Errorf(legajo.ErrUnavailable, "Los registros no están habilitados en este servidor: configure el expediente «%s».", legajo.RegistroExpediente)
	}
	return s.Office.Registros, nil
}

type registrosPage struct {
	Items []registroItem
}

type registroItem struct {
	Def            *legajo.RegistroDef
	Rows, Active   int
	Missed         int // respaldos: rows with missed ones
	ProcedureWords string
}

func (registrosPage) title() string { return "Registros" }

func procedureWords(d *legajo.RegistroDef) string {
	if len(d.Procedures) == 1 {
		return "Procedimiento " + d.Procedures[0]
	}
	return "Procedimientos " + strings.Join(d.Procedures[:len(d.Procedures)-1], ", ") + " y " + d.Procedures[len(d.Procedures)-1]
}

func (s *Server) registrosList(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	var page registrosPage
	today := s.now().In(zone)
	for _, d := range rs.Defs() {
		rows, _ := rs.Rows(d.ID, legajo.RegistroQuery{})
		it := registroItem{Def: d, Rows: len(rows), ProcedureWords: procedureWords(d)}
		for _, row := range rows {
			if row.Active {
				it.Active++
			}
			if d.ID == legajo.RespaldosID && len(legajo.RespaldoCheck(row, today).Missed) > 0 {
				it.Missed++
			}
		}
		page.Items = append(page.Items, it)
	}
	s.renderPage(w, r, http.StatusOK, "registros", page)
	return nil
}

// registroPage is a registry: its rows as searched, and the alta and
// import forms.
type registroPage struct {
	Def      *legajo.RegistroDef
	Words    string
	Columns  []legajo.RegistroColumn // those the table shows
	Rows     []registroRowView
	Total    int
	More     bool
	Q        string
	Vigentes bool
	Query    string // the search, for the export links
	CanEdit  bool
	Form     url.Values // what was typed in the alta, on a problem
	Problems []legajo.Problem
	Imported string // «Se importaron n renglones» after an import
	Exports  bool
}

type registroRowView struct {
	*legajo.RegistroRow
	Cells     []string
	Link      string
	Situation string // respaldos
	Late      bool
}

func (p registroPage) title() string { return p.Def.Title }

// V is what was typed in input name of the form shown again.
func (p registroPage) V(name string) string { return p.Form.Get(name) }

const registroPerPage = 200

func (s *Server) registroRowView(d *legajo.RegistroDef, row *legajo.RegistroRow, cols []legajo.RegistroColumn, today time.Time) registroRowView {
	v := registroRowView{RegistroRow: row, Link: registroRowLink(d.ID, row.Key)}
	for _, c := range cols {
		val := row.Fields[c.Name]
		if c.Kind == legajo.ColFecha {
			if t, err := time.Parse(legajo.DateLayout, val); err == nil {
				val = t.Format("02/01/2006")
			}
		}
		if d.ID == legajo.PadronCorreoID && c.Name == "rama" {
			val = legajo.RamaShort(val)
		}
		v.Cells = append(v.Cells, val)
	}
	if d.ID == legajo.RespaldosID {
		st := legajo.RespaldoCheck(row, today)
		v.Situation, v.Late = st.Label(), len(st.Missed) > 0
	}
	return v
}

func registroRowLink(id, key string) string {
	return "/registros/" + id + "/fila?clave=" + url.QueryEscape(key)
}

func listed(d *legajo.RegistroDef) []legajo.RegistroColumn {
	var out []legajo.RegistroColumn
	for _, c := range d.Columns {
		if c.List {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) registroPageData(r *http.Request, rs *legajo.Registros, d *legajo.RegistroDef) (registroPage, error) {
	q := r.URL.Query()
	page := registroPage{Def: d, Words: procedureWords(d), Columns: listed(d), Q: strings.TrimSpace(q.Get("q")),
		Vigentes: q.Get("vigentes") == "1", CanEdit: permIssue.grantedTo(currentUser(r).Role), Exports: s.RegistroFiles != nil}
	if len([]rune(page.Q)) > 200 {
		return page, legajo.Errorf(legajo.ErrInvalid, "La búsqueda es demasiado larga: el máximo es 200 caracteres.")
	}
	qs := url.Values{}
	if page.Q != "" {
		qs.Set("q", page.Q)
	}
	if page.Vigentes {
		qs.Set("vigentes", "1")
	}
	page.Query = qs.Encode()
	rows, err := rs.Rows(d.ID, legajo.RegistroQuery{Q: page.Q, Active: page.Vigentes})
	if err != nil {
		return page, err
	}
	page.Total = len(rows)
	today := s.now().In(zone)
	// The most recent first: the row just added is on top.
	for i := len(rows) - 1; i >= 0; i-- {
		if len(page.Rows) == registroPerPage {
			page.More = true
			break
		}
		page.Rows = append(page.Rows, s.registroRowView(d, rows[i], page.Columns, today))
	}
	return page, nil
}

func (s *Server) registro(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	d, err := rs.Def(r.PathValue("id"))
	if err != nil {
		return err
	}
	page, err := s.registroPageData(r, rs, d)
	if err != nil {
		return err
	}
	if n := r.URL.Query().Get("importados"); n != "" {
		if k, err := strconv.Atoi(n); err == nil {
			page.Imported = "Se importaron " + legajo.Plural(k, "renglón", "renglones") + "."
		}
	}
	s.renderPage(w, r, http.StatusOK, "registro", page)
	return nil
}

// fieldsFrom reads the c.<column> inputs of a form.
func fieldsFrom(d *legajo.RegistroDef, f url.Values, only bool) map[string]string {
	out := map[string]string{}
	for _, c := range d.Columns {
		if vs, ok := f["c."+c.Name]; ok && len(vs) > 0 {
			if only && strings.TrimSpace(vs[0]) == "" {
				continue
			}
			out[c.Name] = vs[0]
		}
	}
	return out
}

// registroAlta files a row typed in the registry's form.
func (s *Server) registroAlta(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	d, err := rs.Def(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	change := legajo.RegistroChange{Kind: legajo.RegAlta, Fields: fieldsFrom(d, r.PostForm, true)}
	ev, err := rs.File(r.Context(), legajo.RegistroEvent{Registro: d.ID, Author: currentUser(r).Login,
		Note: r.PostForm.Get("nota"), Changes: []legajo.RegistroChange{change}})
	if err != nil {
		return s.registroProblem(w, r, rs, d, err, r.PostForm)
	}
	s.logActivity(r, "registro-alta", d.ID, ev.Changes[0].Row)
	http.Redirect(w, r, registroRowLink(d.ID, ev.Changes[0].Row), http.StatusSeeOther)
	return nil
}

// registroProblem shows the registry again with what was typed and what
// is wrong with it; an error that is not the clerk's goes up.
func (s *Server) registroProblem(w http.ResponseWriter, r *http.Request, rs *legajo.Registros, d *legajo.RegistroDef, err error, form url.Values) error {
	code := status(err)
	if code != http.StatusUnprocessableEntity && code != http.StatusConflict && code != http.StatusBadRequest {
		return err
	}
	page, perr := s.registroPageData(r, rs, d)
	if perr != nil {
		return perr
	}
	page.Form, page.Problems = form, problemsOf(err)
	s.renderPage(w, r, code, "registro", page)
	return nil
}

func problemsOf(err error) []legajo.Problem {
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		const most = 100
		if len(ve.Problems) > most {
			return append(ve.Problems[:most:most], legajo.Problem{Message: fmt.Sprintf("… y %d problema(s) más; corrija los anteriores y vuelva a intentarlo.", len(ve.Problems)-most)})
		}
		return ve.Problems
	}
	return []legajo.Problem{{Message: err.Error()}}
}

// maxImport bounds an uploaded import file.
const maxImport = 10 << 20

// registroImport files the rows of an uploaded CSV or XLSX, all or none.
func (s *Server) registroImport(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	d, err := rs.Def(r.PathValue("id"))
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImport+1<<20)
	if err := r.ParseMultipartForm(maxImport); err != nil {
		return s.registroProblem(w, r, rs, d, legajo.Errorf(legajo.ErrInvalid, "Elija un archivo CSV o XLSX de hasta 10 MB."), nil)
	}
	file, hdr, err := r.FormFile("archivo")
	if err != nil {
		return s.registroProblem(w, r, rs, d, legajo.Errorf(legajo.ErrInvalid, "Elija el archivo CSV o XLSX que va a importar."), nil)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxImport+1))
	if err != nil {
		return err
	}
	if len(data) > maxImport {
		return s.registroProblem(w, r, rs, d, legajo.Errorf(legajo.ErrInvalid, "El archivo pasa de 10 MB; divídalo en varios."), nil)
	}
	table, err := s.readTable(hdr.Filename, data)
	if err != nil {
		return s.registroProblem(w, r, rs, d, err, nil)
	}
	ev, err := rs.Import(r.Context(), d.ID, table, path.Base(hdr.Filename), currentUser(r).Login)
	if err != nil {
		return s.registroProblem(w, r, rs, d, err, nil)
	}
	s.logActivity(r, "registro-importacion", d.ID, fmt.Sprintf("%d renglones de %s", len(ev.Changes), path.Base(hdr.Filename)))
	http.Redirect(w, r, "/registros/"+d.ID+"?importados="+strconv.Itoa(len(ev.Changes)), http.StatusSeeOther)
	return nil
}

// readTable reads an import by its content: an XLSX is a ZIP; anything
// else must be CSV text.
func (s *Server) readTable(name string, data []byte) ([][]string, error) {
	if len(data) == 0 {
		return nil, legajo.Errorf(legajo.ErrInvalid, "El archivo «%s» está vacío.", path.Base(name))
	}
	if strings.HasPrefix(string(data), "PK\x03\x04") {
		if s.RegistroFiles == nil {
			return nil, legajo.Errorf(legajo.ErrUnavailable, "Este servidor no lee XLSX; guarde el archivo como CSV.")
		}
		return s.RegistroFiles.ReadXLSX(data)
	}
	if strings.HasPrefix(string(data), "%PDF") || strings.HasPrefix(string(data), "\xd0\xcf\x11\xe0") || strings.ContainsRune(string(data[:min(len(data), 4096)]), 0) {
		return nil, legajo.Errorf(legajo.ErrInvalid, "«%s» no es un CSV ni un XLSX (un libro de Excel antiguo, .xls, debe guardarse como .xlsx o .csv).", path.Base(name))
	}
	return legajo.ReadCSV(data)
}

func (s *Server) registroExport(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	d, err := rs.Def(r.PathValue("id"))
	if err != nil {
		return err
	}
	if s.RegistroFiles == nil {
		return legajo.Errorf(legajo.ErrNotFound, "Las exportaciones no están disponibles en este servidor.")
	}
	q := r.URL.Query()
	format := q.Get("formato")
	if format != "xlsx" && format != "pdf" {
		return legajo.Errorf(legajo.ErrInvalid, "El formato de la exportación debe ser xlsx o pdf.")
	}
	query := legajo.RegistroQuery{Q: strings.TrimSpace(q.Get("q")), Active: q.Get("vigentes") == "1"}
	if len([]rune(query.Q)) > 200 {
		return legajo.Errorf(legajo.ErrInvalid, "La búsqueda es demasiado larga: el máximo es 200 caracteres.")
	}
	rows, err := rs.Rows(d.ID, query)
	if err != nil {
		return err
	}
	now := s.now().In(zone)
	info := legajo.InstrumentInfo{Institution: s.Office.Institution, By: s.personName(r.Context(), currentUser(r).Login), At: now}
	ins := legajo.RegistroReport(d, rows, query, info)
	name := fmt.Sprintf("registro-%s-%s.%s", d.ID, now.Format("20060102"), format)
	if err := s.sendFile(w, r, name, format, func(out io.Writer) error { return s.RegistroFiles.Export(out, ins, format, info) }); err != nil {
		return err
	}
	s.logActivity(r, "registro-exportacion", d.ID, format)
	return nil
}

// registroFilaPage is a row: its fields, its history, and the changes it
// takes.
type registroFilaPage struct {
	Def      *legajo.RegistroDef
	Row      *legajo.RegistroRow
	Fields   []registroField
	History  []registroStepView
	CanEdit  bool
	Kinds    []legajo.RegistroKind // the changes offered
	Form     url.Values
	Problems []legajo.Problem
	Status   *legajo.RespaldoStatus // respaldos
	Informe  string                 // accesos: the link to the prefilled informe de baja
	Ramas    []string               // padrón: the branches of procedure 6 a solicitud may take
}

type registroField struct {
	Col   legajo.RegistroColumn
	Value string
	Shown string
}

type registroStepView struct {
	legajo.RegistroStep
	Changes []string // «Área: …»
	Source  string
}

func (p registroFilaPage) title() string { return p.Row.Key + " · " + p.Def.Title }

// V is what was typed in input name of the form shown again.
func (p registroFilaPage) V(name string) string { return p.Form.Get(name) }

// RamaOption is a branch of procedure 6 and its words.
func (registroFilaPage) RamaLabel(r string) string { return legajo.RamaLabel(r) }

func sourceLabel(s string) string {
	switch s {
	case legajo.RegFromManual:
		return "Captura"
	case legajo.RegFromDocument:
		return "Documento"
	case legajo.RegFromImport:
		return "Importación"
	case legajo.RegFromCancelled:
		return "Cancelación de documento"
	}
	return s
}

func (s *Server) renderFila(w http.ResponseWriter, r *http.Request, code int, rs *legajo.Registros, d *legajo.RegistroDef, row *legajo.RegistroRow, form url.Values, probs []legajo.Problem) {
	page := registroFilaPage{Def: d, Row: row, CanEdit: permIssue.grantedTo(currentUser(r).Role), Form: form, Problems: probs}
	for _, c := range d.Columns {
		v := row.Fields[c.Name]
		shown := v
		if c.Kind == legajo.ColFecha {
			if t, err := time.Parse(legajo.DateLayout, v); err == nil {
				shown = legajo.LongDate(t)
			}
		}
		if d.ID == legajo.PadronCorreoID && c.Name == "rama" && v != "" {
			shown = legajo.RamaLabel(v)
		}
		page.Fields = append(page.Fields, registroField{Col: c, Value: v, Shown: shown})
	}
	names := s.userNames(r.Context())
	for i := len(row.History) - 1; i >= 0; i-- {
		h := row.History[i]
		v := registroStepView{RegistroStep: h, Source: sourceLabel(h.Source)}
		if n := names[h.Author]; n != "" {
			v.Author = n
		}
		for _, c := range d.Columns {
			if val, ok := h.Fields[c.Name]; ok {
				if val == "" {
					val = "(vacío)"
				}
				v.Changes = append(v.Changes, c.Label+": "+val)
			}
		}
		page.History = append(page.History, v)
	}
	for _, k := range d.Kinds {
		switch {
		case k == legajo.RegAlta:
		case k == legajo.RegReactivacion && row.Active, k == legajo.RegBaja && !row.Active:
		case (k == legajo.RegModificacion || k == legajo.RegEntrada || k == legajo.RegSalida || k == legajo.RegRestablecimiento) && !row.Active:
		case k == legajo.RegSalida && row.Qty == 0:
		default:
			page.Kinds = append(page.Kinds, k)
		}
	}
	if d.ID == legajo.RespaldosID {
		st := legajo.RespaldoCheck(row, s.now().In(zone))
		page.Status = &st
	}
	if d.ID == legajo.AccesosID && row.Active {
		page.Informe = "/nuevo/informe-baja-accesos?persona=" + url.QueryEscape(row.Fields["persona"])
	}
	if d.ID == legajo.PadronCorreoID && row.Active {
		page.Ramas = []string{legajo.RamaConservaClave, legajo.RamaRestablecer}
	}
	s.renderPage(w, r, code, "registro_fila", page)
}

func (s *Server) registroFila(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	d, err := rs.Def(r.PathValue("id"))
	if err != nil {
		return err
	}
	row, err := rs.Row(d.ID, r.URL.Query().Get("clave"))
	if err != nil {
		return err
	}
	s.renderFila(w, r, http.StatusOK, rs, d, row, nil, nil)
	return nil
}

// registroCambio files a change of a row: its kind in «cambio», the
// fields that change in c.<column>, the quantity of a stock movement and
// the clerk's note.
func (s *Server) registroCambio(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	d, err := rs.Def(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	row, err := rs.Row(d.ID, f.Get("clave"))
	if err != nil {
		return err
	}
	kind := legajo.RegistroKind(f.Get("cambio"))
	c := legajo.RegistroChange{Row: row.Key, Kind: kind, Note: f.Get("nota")}
	var perr error
	switch kind {
	case legajo.RegModificacion:
		// Only what differs from the row: the history says what changed.
		c.Fields = map[string]string{}
		for name, v := range fieldsFrom(d, f, false) {
			if strings.TrimSpace(v) != row.Fields[name] {
				c.Fields[name] = v
			}
		}
		if len(c.Fields) == 0 {
			perr = legajo.Errorf(legajo.ErrInvalid, "No cambió ningún dato.")
		}
	case legajo.RegEntrada, legajo.RegSalida:
		n, err := strconv.Atoi(strings.TrimSpace(f.Get("cantidad")))
		if err != nil {
			perr = &legajo.ValidationError{Problems: []legajo.Problem{{Field: "cantidad", Message: "La cantidad debe ser un número entero."}}}
		}
		c.Qty = n
	case legajo.RegAnotacion:
		if rama := f.Get("rama"); rama != "" && d.ID == legajo.PadronCorreoID {
			// A solicitud that found the account (procedure 6, 2A).
			c.Fields = map[string]string{"rama": rama}
			if rama != legajo.RamaConservaClave && rama != legajo.RamaRestablecer {
				perr = legajo.Errorf(legajo.ErrInvalid, "Elija la rama 2B o 2C del procedimiento 6.")
			}
			if strings.TrimSpace(c.Note) == "" {
				c.Note = legajo.RamaLabel(rama)
			}
		} else if strings.TrimSpace(c.Note) == "" {
			perr = &legajo.ValidationError{Problems: []legajo.Problem{{Field: "nota", Message: "Escriba la anotación."}}}
		}
	case legajo.RegBaja, legajo.RegReactivacion, legajo.RegRestablecimiento:
		c.Fields = fieldsFrom(d, f, true)
	default:
		perr = legajo.Errorf(legajo.ErrInvalid, "Elija el cambio que va a registrar.")
	}
	if perr == nil {
		_, perr = rs.File(r.Context(), legajo.RegistroEvent{Registro: d.ID, Author: currentUser(r).Login, Changes: []legajo.RegistroChange{c}})
	}
	if perr != nil {
		code := status(perr)
		if code != http.StatusUnprocessableEntity && code != http.StatusConflict && code != http.StatusBadRequest {
			return perr
		}
		row, _ = rs.Row(d.ID, row.Key)
		s.renderFila(w, r, code, rs, d, row, f, problemsOf(perr))
		return nil
	}
	s.logActivity(r, "registro-"+string(kind), d.ID, row.Key)
	http.Redirect(w, r, registroRowLink(d.ID, row.Key), http.StatusSeeOther)
	return nil
}

// registroPrefill starts an informe de baja de accesos with the person's
// open accesses (?persona=): step 2 of procedure 13 is a look-up.
func (s *Server) registroPrefill(t *legajo.DocType, form url.Values, persona string) url.Values {
	rs := s.Office.Registros
	persona = strings.TrimSpace(persona)
	if rs == nil || persona == "" || t.ID != "informe-baja-accesos" {
		return form
	}
	open := rs.OpenAccesses(persona)
	if len(open) == 0 {
		return form
	}
	if form == nil {
		form = url.Values{}
	}
	first := open[0].Fields
	form.Set("f.empleado_nombre", persona)
	form.Set("f.variante", "accesos cancelados")
	if first["area"] != "" {
		form.Set("f.area", first["area"])
	}
	for _, r := range open {
		if n := r.Fields["numero_empleado"]; n != "" {
			form.Set("f.numero_empleado", n)
		}
	}
	for i, r := range open {
		p := "t.accesos." + strconv.Itoa(i) + "."
		form.Set(p+"sistema", r.Fields["sistema"])
		form.Set(p+"cuenta", r.Fields["cuenta"])
		form.Set(p+"tipo_acceso", r.Fields["tipo_acceso"])
	}
	return form
}
