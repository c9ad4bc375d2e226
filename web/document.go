package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sesver/legajo"
)

type documentPage struct {
	Record    *legajo.Record
	Main      legajo.Manifest
	Fields    []labelled
	Tantos    []legajo.Object
	Events    []eventView
	Verdict   verdict // said first: valid, not valid, or not consistent
	Pending   bool    // waits for its acuse
	CanIssue  bool    // may upload acuse and attachments
	CanCancel bool
	Issued    bool     // just issued: offer to print
	Prints    []string // one-time print tokens (exemplar with secrets)
}

func (p documentPage) title() string { return p.Record.Folio.String() }

type labelled struct{ Label, Value string }

type eventView struct {
	legajo.Entry
	Files []legajo.Object
}

func (s *Server) folio(r *http.Request) (legajo.Folio, error) {
	return legajo.ParseFolio(r.PathValue("folio"), s.Office.Institution.FolioPrefix)
}

func (s *Server) record(r *http.Request) (*legajo.Record, error) {
	f, err := s.folio(r)
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrNotFound, "%s", err.Error())
	}
	rec, err := s.Office.Record(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if !s.mayRead(r, rec) {
		return nil, notFound(rec.Folio)
	}
	return rec, nil
}

func (s *Server) showDocument(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.record(r)
	if err != nil {
		return err
	}
	u := currentUser(r)
	page := documentPage{Record: rec, Pending: rec.Status == legajo.StatusPendiente,
		CanIssue: permIssue.grantedTo(u.Role), Issued: r.URL.Query().Get("emitido") == "1",
		Prints: r.URL.Query()["impresion"]}
	if len(rec.Manifests) > 0 {
		page.Main = rec.Manifests[0]
		page.Fields = s.labelledFields(page.Main)
	}
	if e, ok := rec.Emitted(); ok {
		for _, o := range e.Objects {
			if o.Kind == "pdf" || o.Kind == "escaneo" {
				page.Tantos = append(page.Tantos, o)
			}
		}
		page.CanCancel = page.CanIssue && (u.Role == legajo.RoleAdmin || e.Author == u.Login) &&
			rec.Status != legajo.StatusCancelado && rec.Status != legajo.StatusRecibido && rec.Status != legajo.StatusAnulado
	}
	for _, e := range rec.Entries {
		ev := eventView{Entry: e}
		for _, o := range e.Objects {
			if o.Kind != "manifest" {
				ev.Files = append(ev.Files, o)
			}
		}
		page.Events = append(page.Events, ev)
	}
	page.Verdict, err = s.judge(r.Context(), rec, "")
	if err != nil {
		return err
	}
	page.Verdict.Keys = true
	s.logActivity(r, "consultar", rec.Folio.String(), "")
	s.renderPage(w, r, http.StatusOK, "document", page)
	return nil
}

// labelledFields shows a manifest's fields with their labels, in the
// definition's order; tables as "n renglones".
func (s *Server) labelledFields(m legajo.Manifest) []labelled {
	t, err := s.Office.Catalog.Type(m.Type)
	if err != nil {
		if m.Type == legajo.ReceptionType.ID {
			t = legajo.ReceptionType
		} else {
			return nil
		}
	}
	var out []labelled
	for i := range t.Fields {
		f := &t.Fields[i]
		v, ok := m.Fields[f.Name]
		if !ok || f.Type == legajo.FieldSecret {
			continue
		}
		if f.Type == legajo.FieldTable {
			out = append(out, labelled{f.Label, pluralRows(len(v.Rows))})
			continue
		}
		out = append(out, labelled{f.Label, legajo.FormatValue(f, v.Text, false)})
	}
	return out
}

func pluralRows(n int) string {
	if n == 1 {
		return "1 renglón"
	}
	return itoa(n) + " renglones"
}

// object finds key among the record's objects: only what the chain vouches
// for can be downloaded.
func findObject(rec *legajo.Record, match func(legajo.Object) bool) (legajo.Object, bool) {
	for _, e := range rec.Entries {
		for _, o := range e.Objects {
			if match(o) {
				return o, true
			}
		}
	}
	return legajo.Object{}, false
}

func (s *Server) downloadTanto(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.record(r)
	if err != nil {
		return err
	}
	name := strings.ToUpper(r.PathValue("tanto"))
	name = strings.TrimSuffix(name, ".PDF")
	o, ok := findObject(rec, func(o legajo.Object) bool { return o.Kind == "pdf" && o.Tanto == name })
	if !ok {
		return legajo.Errorf(legajo.ErrNotFound, "El documento %s no tiene el tanto «%s».", rec.Folio, name)
	}
	return s.sendObject(w, r, rec, o, slug(rec.Folio.String())+"-"+strings.ToLower(name)+".pdf")
}

func (s *Server) downloadObject(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.record(r)
	if err != nil {
		return err
	}
	key := r.URL.Query().Get("clave")
	o, ok := findObject(rec, func(o legajo.Object) bool { return o.Key == key && o.Kind != "manifest" })
	if !ok {
		return legajo.Errorf(legajo.ErrNotFound, "El documento %s no tiene ese archivo.", rec.Folio)
	}
	return s.sendObject(w, r, rec, o, key[strings.LastIndexByte(key, '/')+1:])
}

var mimes = map[string]string{".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff"}

// sendObject serves a stored file. A PDF of a cancelled document goes out
// stamped CANCELADO on every page, never as if it were valid: then
// X-Original-SHA256 names the filed original, which is not touched, and
// X-Content-SHA256 is not sent, as the bytes are not the filed ones.
func (s *Server) sendObject(w http.ResponseWriter, r *http.Request, rec *legajo.Record, o legajo.Object, name string) error {
	b, err := s.Office.Archive.Get(r.Context(), o.Key)
	if err != nil {
		return err
	}
	stamped := rec.Status == legajo.StatusCancelado && strings.HasSuffix(name, ".pdf")
	if stamped {
		if s.StampCancelled == nil {
			return legajo.Errorf(legajo.ErrConflict, "El documento %s está cancelado y este servidor no puede marcar sus copias como canceladas; no se entregan sin la marca.", rec.Folio)
		}
		if b, err = s.StampCancelled(b, cancellationNote(rec)); err != nil {
			s.Logger.Warn("stamp cancelled", "key", o.Key, "err", err)
			return legajo.Errorf(legajo.ErrConflict, "El documento %s está cancelado y este archivo no se pudo marcar como cancelado (no es un PDF legible); no se entrega sin la marca.", rec.Folio)
		}
	}
	ext := name[max(strings.LastIndexByte(name, '.'), 0):]
	mime := mimes[ext]
	if mime == "" {
		mime = "application/octet-stream"
	}
	s.logActivity(r, "descargar", rec.Folio.String(), o.Key)
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	if stamped {
		w.Header().Set("X-Original-SHA256", o.SHA256)
	} else {
		w.Header().Set("X-Content-SHA256", o.SHA256)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(b)
	return err
}

// readUpload reads the uploaded file of a multipart form field.
func readUpload(r *http.Request, field string) ([]byte, string, error) {
	f, h, err := r.FormFile(field)
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return nil, "", legajo.Errorf(legajo.ErrInvalid, "Falta el archivo: elija el documento escaneado.")
		}
		return nil, "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, legajo.MaxUploadBytes+1))
	return b, h.Filename, err
}

// upload reads the folio and the uploaded file of a document's form.
func (s *Server) upload(r *http.Request) (legajo.Folio, []byte, string, error) {
	f, err := s.readableFolio(r)
	if err != nil {
		return f, nil, "", err
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return f, nil, "", err
	}
	b, name, err := readUpload(r, "archivo")
	return f, b, name, err
}

func (s *Server) uploadAcuse(w http.ResponseWriter, r *http.Request) error {
	f, b, name, err := s.upload(r)
	if err != nil {
		return err
	}
	if _, err := s.Office.Acuse(r.Context(), f, b, name, currentUser(r).Login); err != nil {
		return err
	}
	s.logActivity(r, "acuse", f.String(), name)
	http.Redirect(w, r, "/documentos/"+f.Slug(), http.StatusSeeOther)
	return nil
}

// cancellable is the record r asks to cancel, when its user may cancel it:
// whoever issued it, or an administrator.
func (s *Server) cancellable(r *http.Request) (*legajo.Record, error) {
	rec, err := s.record(r)
	if err != nil {
		return nil, err
	}
	u := currentUser(r)
	if e, ok := rec.Emitted(); !ok || (u.Role != legajo.RoleAdmin && e.Author != u.Login) {
		return nil, legajo.Errorf(errForbidden, "Sólo quien emitió el documento o un administrador puede cancelarlo.")
	}
	return rec, nil
}

func (s *Server) cancelDocument(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.cancellable(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if _, err := s.Office.Cancel(r.Context(), rec.Folio, r.PostForm.Get("motivo"), currentUser(r).Login); err != nil {
		return err
	}
	s.logActivity(r, "cancelar", rec.Folio.String(), r.PostForm.Get("motivo"))
	http.Redirect(w, r, "/documentos/"+rec.Folio.Slug(), http.StatusSeeOther)
	return nil
}

func (s *Server) attachFile(w http.ResponseWriter, r *http.Request) error {
	f, b, name, err := s.upload(r)
	if err != nil {
		return err
	}
	if _, err := s.Office.Attach(r.Context(), f, b, name, r.FormValue("descripcion"), currentUser(r).Login); err != nil {
		return err
	}
	s.logActivity(r, "anexar", f.String(), name)
	http.Redirect(w, r, "/documentos/"+f.Slug(), http.StatusSeeOther)
	return nil
}
