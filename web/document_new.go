package web

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// chooseType lists the document types by procedure of the manual.
type typesPage struct {
	Procedures []procedureTypes
}

type procedureTypes struct {
	Name  string
	Types []typeStep
}

type typeStep struct {
	Type  *legajo.DocType
	Steps string
}

func (typesPage) title() string { return "Nuevo documento" }

func (s *Server) chooseType(w http.ResponseWriter, r *http.Request) error {
	byProc := map[string][]typeStep{}
	for _, t := range s.Office.Catalog.Types() {
		if t.Layout == legajo.LayoutLabel {
			continue // labels are printed with render, never filed
		}
		for _, p := range t.Procedures {
			byProc[p.Name] = append(byProc[p.Name], typeStep{Type: t, Steps: strings.Join(p.Steps, ", ")})
		}
	}
	var page typesPage
	for name, ts := range byProc {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Type.Title < ts[j].Type.Title })
		page.Procedures = append(page.Procedures, procedureTypes{Name: name, Types: ts})
	}
	sort.Slice(page.Procedures, func(i, j int) bool { return page.Procedures[i].Name < page.Procedures[j].Name })
	s.renderPage(w, r, http.StatusOK, "types", page)
	return nil
}

// The form generated from a type's definition.
type docFormPage struct {
	Type        *legajo.DocType
	Fields      []formField
	Expediente  string
	Expedientes []legajo.Expediente
	Tramite     string
	// Key is the draft's idempotency key. The browser keeps it with the
	// draft (legajo.js), so Back, a reload or a double click send the same
	// key again and never issue a second folio.
	Key      string
	Posted   bool // rendered from a submitted form: the browser saves it as the draft
	Problems []legajo.Problem
	Areas    []string // suggested for the field «area»
}

func (p docFormPage) title() string { return p.Type.Title }

type formField struct {
	legajo.Field
	Value string
	Rows  [][]formCell
	Error string
}

type formCell struct {
	Col   legajo.Field
	Name  string
	Value string
}

// Wide fields take a whole row of the form.
func (f formField) Wide() bool {
	return f.Type == legajo.FieldLongText || f.Type == legajo.FieldTable
}

// InputType is the HTML input type for a scalar field.
func (f formField) InputType() string { return inputType(f.Field.Type) }

func inputType(t legajo.FieldType) string {
	switch t {
	case legajo.FieldDate:
		return "date"
	case legajo.FieldTime:
		return "time"
	case legajo.FieldEmail:
		return "email"
	case legajo.FieldSecret:
		return "password"
	}
	return "text"
}

// InputType is the HTML input type for a table cell.
func (c formCell) InputType() string { return inputType(c.Col.Type) }

// Counted tells which inputs show their limit and a character counter:
// free text, where a long paste is the usual mistake. The limit is shown
// and enforced by the server, never by cutting what was typed (maxlength
// cuts a paste silently).
func (f formField) Counted() bool { return counted(f.Type) }

// Counted: see formField.Counted.
func (c formCell) Counted() bool { return counted(c.Col.Type) }

// Limit is the cell's column's maximum length in characters.
func (c formCell) Limit() int { return c.Col.Limit() }

func counted(t legajo.FieldType) bool {
	return t == legajo.FieldText || t == legajo.FieldLongText || t == legajo.FieldEmail
}

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) newDocument(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Office.Catalog.Type(r.PathValue("type"))
	if err != nil {
		return err
	}
	// Issued inside a case (?tramite=TR-0001-2026): the form starts with
	// what the case knows.
	form := s.casePrefill(r.Context(), t, r.URL.Query().Get("tramite"))
	// An informe de baja de accesos for a person (?persona=) starts with
	// the accesses the registry holds open for them.
	form = s.registroPrefill(t, form, r.URL.Query().Get("persona"))
	s.telephonyPrefill(r, t, form)
	s.renderForm(w, r, http.StatusOK, t, form, nil)
	return nil
}

// renderForm shows the form with what was typed and every problem beside
// its field.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, code int, t *legajo.DocType, form url.Values, problems []legajo.Problem) {
	byField := map[string][]string{}
	var general []legajo.Problem
	problems = pickedDates(t, form, problems)
	for _, p := range problems {
		if p.Field != "" && t.Field(p.Field) != nil {
			byField[p.Field] = append(byField[p.Field], p.Message)
		} else {
			general = append(general, p)
		}
	}
	page := docFormPage{Type: t, Expediente: form.Get("expediente"), Tramite: form.Get("tramite"), Key: form.Get("clave"),
		Expedientes: s.Office.Archive.Expedientes(), Problems: general, Areas: s.areas()}
	if page.Expediente == "" && len(t.Routes) == 0 {
		// A type whose variants go to different expedientes keeps ""
		// («el que corresponde»): Emit files each variant where the
		// manual says.
		page.Expediente = t.Expediente
	}
	if page.Key == "" {
		page.Key = newKey()
	}
	page.Posted = r.Method == http.MethodPost
	if len(problems) > 0 && len(general) == 0 {
		// list them at the top too, for screen readers and long forms
		page.Problems = problems
	}
	for _, f := range t.Fields {
		ff := formField{Field: f, Error: strings.Join(byField[f.Name], " ")}
		if f.Type == legajo.FieldTable {
			rows := tableRows(form, f.Name)
			n := max(len(rows)+1, f.MinRows, 3)
			n = min(n, f.RowLimit())
			for i := range n {
				var row []formCell
				for _, c := range f.Columns {
					v := ""
					if i < len(rows) {
						v = rows[i][c.Name]
					}
					row = append(row, formCell{Col: c, Name: "t." + f.Name + "." + strconv.Itoa(i) + "." + c.Name, Value: v})
				}
				ff.Rows = append(ff.Rows, row)
			}
		} else if f.Type != legajo.FieldSecret { // a typed password is never sent back
			ff.Value = form.Get("f." + f.Name)
		}
		page.Fields = append(page.Fields, ff)
	}
	s.renderPage(w, r, code, "form", page)
}

// pickedDates words the problems of dates for a form with a date picker:
// a format (AAAA-MM-DD, right for the API and the command line) means
// nothing to the clerk who picked the date.
func pickedDates(t *legajo.DocType, form url.Values, problems []legajo.Problem) []legajo.Problem {
	for i, p := range problems {
		f := t.Field(p.Field)
		if f == nil || f.Type != legajo.FieldDate || form.Get("f."+f.Name) == "" {
			continue
		}
		if _, err := time.Parse(legajo.DateLayout, form.Get("f."+f.Name)); err != nil {
			problems[i].Message = "«" + f.Label + "» no es una fecha válida: escríbala completa o elíjala en el calendario."
		}
	}
	return problems
}

// tableRows reads t.<name>.<i>.<col> inputs in row order.
func tableRows(form url.Values, name string) []map[string]string {
	prefix := "t." + name + "."
	rows := map[int]map[string]string{}
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(vs) == 0 {
			continue
		}
		is, col, ok := strings.Cut(rest, ".")
		i, err := strconv.Atoi(is)
		if !ok || err != nil || i < 0 || i > 10000 {
			continue
		}
		if rows[i] == nil {
			rows[i] = map[string]string{}
		}
		rows[i][col] = vs[0]
	}
	idx := make([]int, 0, len(rows))
	for i := range rows {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]map[string]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, rows[i])
	}
	return out
}

// formData turns the form into the data a definition validates: unknown
// inputs are passed on so that validation names them.
func formData(t *legajo.DocType, form url.Values) map[string]any {
	data := map[string]any{}
	for k, vs := range form {
		if name, ok := strings.CutPrefix(k, "f."); ok && len(vs) > 0 {
			data[name] = vs[0]
		}
	}
	for _, f := range t.Fields {
		if f.Type != legajo.FieldTable {
			continue
		}
		var rows []any
		for _, row := range tableRows(form, f.Name) {
			m := map[string]any{}
			for k, v := range row {
				m[k] = v
			}
			rows = append(rows, m)
		}
		if rows != nil {
			data[f.Name] = rows
		}
	}
	return data
}

func (s *Server) issueDocument(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Office.Catalog.Type(r.PathValue("type"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	data := formData(t, r.PostForm)
	if r.PostForm.Get("accion") == "vista-previa" {
		return s.preview(w, r, t, data)
	}
	u := currentUser(r)
	key := u.Login + ":" + r.PostForm.Get("clave")
	if folio, ok := s.issuedDraft(r, r.PostForm.Get("folio_emitido"), key); ok {
		// The browser says this draft was issued already (Back, then
		// «Emitir» again, perhaps after a change): show that document.
		http.Redirect(w, r, "/documentos/"+folio.Slug()+"?ya_emitido=1", http.StatusSeeOther)
		return nil
	}
	res, err := s.Office.Emit(r.Context(), legajo.EmitRequest{Type: t.ID, Data: data, Expediente: r.PostForm.Get("expediente"),
		Tramite: strings.TrimSpace(r.PostForm.Get("tramite")), Author: u.Login, IdempotencyKey: key})
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		s.renderForm(w, r, http.StatusUnprocessableEntity, t, r.PostForm, ve.Problems)
		return nil
	}
	var te *legajo.TransitionError
	if errors.Is(err, legajo.ErrConflict) && !errors.As(err, &te) {
		// The draft's key was used already, for other data or by a request
		// still running: nothing new is issued.
		s.renderForm(w, r, http.StatusConflict, t, r.PostForm, []legajo.Problem{{Message: "Este formulario ya se envió y no se emitió otro documento. " +
			"Si cambió datos después de emitirlo, el documento emitido no cambia: lo encuentra en «Inicio», en «Documentos recientes». " +
			"Para emitir un documento nuevo, pulse «Empezar otro documento»."}})
		return nil
	}
	if errors.Is(err, legajo.ErrInvalid) || errors.Is(err, legajo.ErrNotFound) || errors.Is(err, legajo.ErrConflict) {
		s.renderForm(w, r, status(err), t, r.PostForm, []legajo.Problem{{Message: err.Error()}})
		return nil
	}
	if err != nil {
		return err
	}
	s.logActivity(r, "emitir", res.Folio, t.ID)
	target := "/documentos/" + slug(res.Folio) + "?emitido=1&borrador=" + url.QueryEscape(r.PostForm.Get("clave"))
	for _, tr := range res.Tantos {
		if tr.Print != nil {
			target += "&impresion=" + s.prints.put(u.Login, res.Folio, tr.Tanto, tr.Print, s.now())
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// issuedDraft tells whether folio (as the browser remembers it for the
// draft) was issued with the idempotency key key. The chain entry that
// issued it records the key's hash, so the browser's word is checked.
func (s *Server) issuedDraft(r *http.Request, folio, key string) (legajo.Folio, bool) {
	if folio == "" {
		return legajo.Folio{}, false
	}
	f, err := legajo.ParseFolio(folio, s.Office.Institution.FolioPrefix)
	if err != nil {
		return f, false
	}
	rec, err := s.Office.Record(r.Context(), f)
	if err != nil {
		return f, false
	}
	e, ok := rec.Emitted()
	return f, ok && e.Request != "" && e.Request == legajo.RequestHash(key)
}

func slug(folio string) string { return strings.ReplaceAll(folio, "/", "-") }

// preview renders the document as a draft, marked BORRADOR, without a
// folio and without filing anything.
func (s *Server) preview(w http.ResponseWriter, r *http.Request, t *legajo.DocType, data map[string]any) error {
	doc, err := legajo.Prepare(legajo.Request{Type: t, Data: data, Date: s.now().In(zone),
		Institution: s.Office.Institution, Directory: s.Office.Signatories()})
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		s.renderForm(w, r, http.StatusUnprocessableEntity, t, r.PostForm, ve.Problems)
		return nil
	}
	if err != nil {
		return err
	}
	tanto := t.Tantos[0]
	tanto.Delivered = false // a preview never shows a secret
	var buf bytes.Buffer
	if err := s.Office.Renderer.Render(&buf, doc, tanto); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="borrador-`+t.ID+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
