package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sesver/legajo"
)

type documentPage struct {
	Record     *legajo.Record
	Main       legajo.Manifest
	TypeTitle  string // the type's title, or the manifest's
	Expediente string // the expediente's name
	Author     string // who issued it, by name
	Fields     []labelled
	Tantos     []legajo.Object
	Events     []eventView
	Verdict    verdict // said first: valid, not valid, or not consistent
	Pending    bool    // waits for its acuse
	// PendingFirma: waits for its exemplar signed outside the department.
	PendingFirma bool
	// Stages the equipment reached, and those it may still reach.
	Stages     []stageView
	NextStages []string
	HasStages  bool
	// CanMail: a minuta that may be sent «vía correo»; Candidates are
	// its asistentes with an address; Sent, how many it just went to.
	CanMail    bool
	Candidates []mailCandidate
	Sent       string
	Received   bool // incoming correspondence, not issued here
	CanIssue   bool // may upload acuse and attachments
	CanCancel  bool
	Issued     bool     // just issued: offer to print
	Again      bool     // a draft issued before was sent again: nothing new
	Prints     []string // one-time print tokens (exemplar with secrets)
	NoText     []string // uploaded files whose text was not extracted, and why
	// Upload is a refused upload, told beside the field it came from.
	Upload uploadProblem
}

// uploadProblem is why an acuse, an anexo or a cancellation was refused,
// with what was typed beside the file.
type uploadProblem struct {
	Field       string // acuse, firma, etapa, anexo or cancelar
	Message     string
	Description string
	Reason      string // of a cancellation
	Recipients  string // typed addresses of a minuta sent by e-mail
}

func (p documentPage) title() string { return p.Record.Folio.String() }

// labelled is one field of a document as a person reads it: a value with
// its line breaks, or a table.
type labelled struct {
	Label   string
	Value   string
	Long    bool // paragraphs: line breaks are kept
	Columns []string
	Rows    [][]string
}

// eventView is one line of a document's history, in words.
type eventView struct {
	legajo.Entry
	What   string // the event, for people
	Who    string // the author's name
	Detail string // the reason of a cancellation, the description of an anexo
	Files  []fileLink
}

type fileLink struct {
	Key, Label string
}

func (s *Server) folio(r *http.Request) (legajo.Folio, error) {
	return legajo.ParseFolio(r.PathValue("folio"), s.Office.Institution.FolioPrefix)
}

func (s *Server) record(r *http.Request) (*legajo.Record, error) {
	return s.readRecord(r, s.Office.Record)
}

// checkedRecord is record for a page that judges it (see judge): its
// objects are read with its manifests.
func (s *Server) checkedRecord(r *http.Request) (*legajo.Record, error) {
	return s.readRecord(r, s.Office.RecordChecked)
}

func (s *Server) readRecord(r *http.Request, read func(context.Context, legajo.Folio) (*legajo.Record, error)) (*legajo.Record, error) {
	f, err := s.folio(r)
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrNotFound, "%s", err.Error())
	}
	rec, err := read(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if !s.mayRead(r, rec) {
		return nil, notFound(rec.Folio)
	}
	return rec, nil
}

func (s *Server) showDocument(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.checkedRecord(r)
	if err != nil {
		return err
	}
	page, err := s.documentData(r, rec)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	page.Issued, page.Again, page.Prints = q.Get("emitido") == "1", q.Get("ya_emitido") == "1", q["impresion"]
	if n, err := strconv.Atoi(q.Get("enviado")); err == nil && n > 0 {
		page.Sent = strconv.Itoa(n)
	}
	s.logActivity(r, "consultar", rec.Folio.String(), "")
	s.renderPage(w, r, http.StatusOK, "document", page)
	return nil
}

// documentData is what the document page shows of rec: names and labels
// rather than ids, and only the actions its type and status allow.
func (s *Server) documentData(r *http.Request, rec *legajo.Record) (documentPage, error) {
	ctx := r.Context()
	u := currentUser(r)
	page := documentPage{Record: rec, Pending: rec.Status == legajo.StatusPendiente, Received: rec.Status == legajo.StatusRecibido,
		CanIssue: permIssue.grantedTo(u.Role), Expediente: rec.Expediente}
	if exp, err := s.Office.Archive.Expediente(rec.Expediente); err == nil {
		page.Expediente = exp.Name
	}
	page.PendingFirma = rec.Status == legajo.StatusPendienteFirma
	if s.Office.Mail != nil && len(rec.Manifests) > 0 && minutaMailable(rec.Manifests[0].Type) && rec.Status != legajo.StatusCancelado && page.CanIssue {
		page.CanMail = true
		page.Candidates = s.mailCandidates(r, rec.Manifests[0])
	}
	if len(rec.Manifests) > 0 {
		page.Main = rec.Manifests[0]
		if t := s.docType(page.Main.Type); t != nil && len(t.Stages) > 0 {
			page.HasStages = true
			for _, st := range rec.Stages() {
				page.Stages = append(page.Stages, stageView{StageEvent: st, Who: s.personName(ctx, st.Author)})
			}
			if rec.Status != legajo.StatusCancelado {
				page.NextStages = rec.NextStages(t)
			}
		}
		page.TypeTitle = page.Main.Title
		if t := s.docType(page.Main.Type); t != nil && t != legajo.ReceptionType {
			page.TypeTitle = t.Title
		}
		page.Fields = s.labelledFields(page.Main)
		page.Author = s.personName(ctx, page.Main.Author)
	}
	if e, ok := rec.Emitted(); ok {
		for _, o := range e.Objects {
			if o.Kind == "pdf" || o.Kind == "escaneo" || o.Kind == "correo" {
				page.Tantos = append(page.Tantos, o)
			}
		}
		page.CanCancel = page.CanIssue && (u.Role == legajo.RoleAdmin || e.Author == u.Login) &&
			rec.Status != legajo.StatusCancelado && rec.Status != legajo.StatusRecibido && rec.Status != legajo.StatusAnulado
	}
	for _, e := range rec.Entries {
		ev := eventView{Entry: e, What: e.Event.Label(), Who: s.personName(ctx, e.Author), Detail: e.Reason}
		for _, o := range e.Objects {
			switch {
			case o.Kind == "manifest":
				if e.Event == legajo.EventAnexo {
					ev.Detail = s.annexDescription(ctx, o.Key)
				}
			case o.Kind == "pdf" && o.Tanto != "":
				ev.Files = append(ev.Files, fileLink{o.Key, "PDF " + o.Tanto})
			default:
				ev.Files = append(ev.Files, fileLink{o.Key, fileLabel(o.Kind)})
			}
		}
		page.Events = append(page.Events, ev)
	}
	var err error
	page.Verdict, err = s.judge(ctx, rec, "")
	if err != nil {
		return page, err
	}
	page.Verdict.Keys = true
	page.NoText = s.noText(r, rec.Folio)
	return page, nil
}

func fileLabel(kind string) string {
	switch kind {
	case "acuse":
		return "Acuse firmado"
	case "firma":
		return "Ejemplar firmado"
	case "anexo":
		return "Anexo"
	case "escaneo":
		return "Documento escaneado"
	case "correo":
		return "Correo original (.eml)"
	}
	return kind
}

// annexDescription reads what the clerk wrote about an anexo, kept in its
// manifest; "" when it cannot be read (the verdict then says why).
func (s *Server) annexDescription(ctx context.Context, key string) string {
	b, err := s.Office.Archive.Get(ctx, key)
	if err != nil {
		return ""
	}
	var m legajo.Manifest
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	return m.Subject
}

// personName is a login as people know it: the account's name, or the
// login itself for accounts that no longer exist (or the command line's
// authors). That an account does not exist is remembered as long as an
// account is (accountTTL): a document's page names every author of its
// events, and on S3 asking again for each, on every view, was a listing
// per name, one after the other.
func (s *Server) personName(ctx context.Context, login string) string {
	if login == "" || s.Users == nil || s.accounts.knownAbsent(login) {
		return login
	}
	u, err := s.account(ctx, login)
	if errors.Is(err, legajo.ErrNotFound) {
		s.accounts.rememberAbsent(login)
	}
	if err != nil || u.Name == "" {
		return login
	}
	return u.Name
}

// docType is the definition of a filed document's type; nil when it is no
// longer in the catalog.
func (s *Server) docType(id string) *legajo.DocType {
	if id == legajo.ReceptionType.ID {
		return legajo.ReceptionType
	}
	t, err := s.Office.Catalog.Type(id)
	if err != nil {
		return nil
	}
	return t
}

// noText asks the index which uploaded files of folio had no text
// extracted. The index may be missing or behind: the page is shown anyway.
func (s *Server) noText(r *http.Request, folio legajo.Folio) []string {
	if s.Search == nil {
		return nil
	}
	res, err := s.Search.Search(r.Context(), legajo.SearchQuery{Text: folio.String(), PerPage: 5})
	if err != nil {
		s.Logger.Warn("search for the document page", "folio", folio.String(), "err", err)
		return nil
	}
	for _, h := range res.Hits {
		if h.Folio == folio.String() {
			return h.NoText
		}
	}
	return nil
}

// labelledFields shows a manifest's fields with their labels, in the
// definition's order: tables whole, paragraphs with their line breaks.
func (s *Server) labelledFields(m legajo.Manifest) []labelled {
	t := s.docType(m.Type)
	if t == nil {
		return nil
	}
	var out []labelled
	for i := range t.Fields {
		f := &t.Fields[i]
		v, ok := m.Fields[f.Name]
		if !ok || f.Type == legajo.FieldSecret {
			continue
		}
		if f.Type == legajo.FieldTable {
			l := labelled{Label: f.Label}
			for j := range f.Columns {
				l.Columns = append(l.Columns, f.Columns[j].Label)
			}
			for _, row := range v.Rows {
				var cells []string
				for j := range f.Columns {
					c := &f.Columns[j]
					cells = append(cells, legajo.FormatValue(c, row[c.Name], false))
				}
				l.Rows = append(l.Rows, cells)
			}
			out = append(out, l)
			continue
		}
		out = append(out, labelled{Label: f.Label, Value: legajo.FormatValue(f, v.Text, false), Long: f.Type == legajo.FieldLongText})
	}
	return out
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

var mimes = map[string]string{".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff",
	".eml": "message/rfc822"}

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
			return legajo.Errorf(legajo.ErrConflict, "El documento %s está cancelado y este archivo no se pudo marcar como cancelado (no es un PDF legible o pasa los límites de lectura); no se entrega sin la marca.", rec.Folio)
		}
	}
	ext := name[max(strings.LastIndexByte(name, '.'), 0):]
	mime := mimes[ext]
	if mime == "" {
		mime = "application/octet-stream"
	}
	s.logActivity(r, "descargar", rec.Folio.String(), o.Key)
	w.Header().Set("Content-Type", mime)
	disposition := "inline"
	if ext == ".eml" {
		// A message from outside is opened by the mail program, never
		// shown by the browser as this site's page.
		disposition = "attachment"
	}
	w.Header().Set("Content-Disposition", disposition+`; filename="`+name+`"`)
	if stamped {
		w.Header().Set("X-Original-SHA256", o.SHA256)
	} else {
		w.Header().Set("X-Content-SHA256", o.SHA256)
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(b)
	return err
}

// errNoFile is the answer to a form sent without its file.
var errNoFile = legajo.Errorf(legajo.ErrInvalid, "Elija un archivo (PDF o imagen).")

// maxNameRunes bounds the name of an uploaded file.
const maxNameRunes = 255

// parseUpload parses a multipart form and reads its file «archivo» into
// memory, then removes the form's temporary files at once: a scan must not
// stay in the temporary directory, outside the archive. A form without the
// file gives errNoFile; a request that is not a multipart form, a damaged
// one or a file name no one could have typed gives ErrInvalid, worded for
// the clerk.
func parseUpload(r *http.Request) (data []byte, name string, err error) {
	files, err := parseFiles(r, "archivo")
	if err != nil {
		return nil, "", err
	}
	f, ok := files["archivo"]
	if !ok {
		return nil, "", errNoFile
	}
	return f.data, f.name, nil
}

// uploaded is one file of a multipart form, read into memory.
type uploaded struct {
	data []byte
	name string
}

// parseFiles is parseUpload for a form with several file inputs: the
// files of fields that were sent, none of them left on disk.
func parseFiles(r *http.Request, fields ...string) (map[string]uploaded, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, legajo.Errorf(legajo.ErrInvalid, "El envío debe ser un formulario con archivo (multipart/form-data).")
	}
	err := r.ParseMultipartForm(1 << 20)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, legajo.Errorf(legajo.ErrInvalid, "El formulario llegó incompleto o dañado, o el nombre del archivo tiene caracteres no válidos; revíselo y vuelva a enviarlo.")
	}
	out := map[string]uploaded{}
	for _, field := range fields {
		f, h, err := r.FormFile(field)
		if err != nil {
			if errors.Is(err, http.ErrMissingFile) {
				continue
			}
			return nil, legajo.Errorf(legajo.ErrInvalid, "No se pudo leer el archivo enviado; vuelva a enviarlo.")
		}
		name, err := uploadName(h.Filename)
		if err != nil {
			f.Close()
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, legajo.MaxUploadBytes+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		out[field] = uploaded{data: data, name: name}
	}
	return out, nil
}

// uploadName is the last element of the name a browser sent for a file
// (old browsers send the whole path), refused when it holds control
// characters, is not UTF-8 or is too long.
func uploadName(name string) (string, error) {
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", legajo.Errorf(legajo.ErrInvalid, "El nombre del archivo tiene caracteres no válidos; cámbielo y vuelva a enviarlo.")
	}
	if utf8.RuneCountInString(name) > maxNameRunes {
		return "", legajo.Errorf(legajo.ErrInvalid, "El nombre del archivo es demasiado largo (más de %d caracteres); acórtelo y vuelva a enviarlo.", maxNameRunes)
	}
	return name, nil
}

// upload reads the folio and the uploaded file of a document's form.
func (s *Server) upload(r *http.Request) (legajo.Folio, []byte, string, error) {
	f, err := s.readableFolio(r)
	if err != nil {
		return f, nil, "", err
	}
	b, name, err := parseUpload(r)
	return f, b, name, err
}

func (s *Server) uploadAcuse(w http.ResponseWriter, r *http.Request) error {
	f, b, name, err := s.upload(r)
	if err != nil {
		return s.refused(w, r, "acuse", err)
	}
	if _, err := s.Office.Acuse(r.Context(), f, b, name, currentUser(r).Login); err != nil {
		return s.refused(w, r, "acuse", err)
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
		return s.refused(w, r, "cancelar", err)
	}
	s.logActivity(r, "cancelar", rec.Folio.String(), r.PostForm.Get("motivo"))
	http.Redirect(w, r, "/documentos/"+rec.Folio.Slug(), http.StatusSeeOther)
	return nil
}

func (s *Server) attachFile(w http.ResponseWriter, r *http.Request) error {
	f, b, name, err := s.upload(r)
	if err != nil {
		return s.refused(w, r, "anexo", err)
	}
	if _, err := s.Office.Attach(r.Context(), f, b, name, r.FormValue("descripcion"), currentUser(r).Login); err != nil {
		return s.refused(w, r, "anexo", err)
	}
	s.logActivity(r, "anexar", f.String(), name)
	http.Redirect(w, r, "/documentos/"+f.Slug(), http.StatusSeeOther)
	return nil
}

// refused shows the document page again with why an upload (or a
// cancellation) was refused beside its field (field is acuse, anexo or
// cancelar) and what was typed kept, so
// the clerk picks another file and tries again. Errors that are not the
// clerk's to fix (internal, no session, no permission, no such document)
// go to the error page as ever.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, field string, err error) error {
	code := status(err)
	switch code {
	case http.StatusUnprocessableEntity, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusBadRequest:
	default:
		return err
	}
	rec, rerr := s.checkedRecord(r)
	if rerr != nil {
		return err
	}
	page, rerr := s.documentData(r, rec)
	if rerr != nil {
		return err
	}
	page.Upload = uploadProblem{Field: field, Message: s.message(r, err), Description: r.FormValue("descripcion"), Reason: r.FormValue("motivo")}
	s.renderPage(w, r, code, "document", page)
	return nil
}
