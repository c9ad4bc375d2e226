package web

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

//go:embed openapi.yaml
var openapiSpec []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, err := w.Write(openapiSpec)
	return err
}

func writeJSON(w http.ResponseWriter, code int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, err := w.Write(buf.Bytes())
	return err
}

// apiError is every API error: a message for people and, for bad data,
// one message per field.
type apiError struct {
	Error    string           `json:"error"`
	Problems []legajo.Problem `json:"problems,omitempty"`
}

func writeJSONError(w http.ResponseWriter, code int, msg string, err error) {
	e := apiError{Error: msg}
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		e.Error = "Los datos tienen problemas."
		e.Problems = ve.Problems
	}
	writeJSON(w, code, e)
}

// decodeJSON reads a JSON request body into v, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, legajo.MaxDataBytes+1))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return legajo.Errorf(legajo.ErrInvalid, "El cuerpo no es JSON válido: %v", err)
	}
	return nil
}

func (s *Server) apiTypes(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, s.Office.Catalog.Types())
}

type issueRequest struct {
	Type           string         `json:"type"`
	Data           map[string]any `json:"data"`
	Expediente     string         `json:"expediente"`
	Tramite        string         `json:"tramite"`
	IdempotencyKey string         `json:"idempotency_key"`
}

// apiIssue issues a document. A secret-bearing type's printable exemplar is
// returned once, base64 in print_pdf, since it is never stored.
func (s *Server) apiIssue(w http.ResponseWriter, r *http.Request) error {
	var req issueRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u := currentUser(r)
	key := ""
	if req.IdempotencyKey != "" {
		key = u.Login + ":" + req.IdempotencyKey
	}
	res, err := s.Office.Emit(r.Context(), legajo.EmitRequest{Type: req.Type, Data: req.Data, Expediente: req.Expediente,
		Tramite: req.Tramite, Author: u.Login, IdempotencyKey: key})
	if err != nil {
		return err
	}
	s.logActivity(r, "emitir", res.Folio, req.Type)
	type tanto struct {
		legajo.TantoResult
		PrintPDF []byte `json:"print_pdf,omitempty"`
	}
	out := struct {
		*legajo.EmitResult
		Tantos []tanto `json:"tantos"`
	}{EmitResult: res}
	for _, t := range res.Tantos {
		out.Tantos = append(out.Tantos, tanto{TantoResult: t, PrintPDF: t.Print})
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.checkedRecord(r)
	if err != nil {
		return err
	}
	v, err := s.judge(r.Context(), rec, "")
	if err != nil {
		return err
	}
	findings := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		findings[i] = p.Detail
		if p.Key != "" {
			findings[i] += " (" + p.Key + ")"
		}
	}
	s.logActivity(r, "consultar", rec.Folio.String(), "api")
	return writeJSON(w, http.StatusOK, map[string]any{"verdict": v.Kind, "message": v.Message, "folio": rec.Folio.String(), "expediente": rec.Expediente,
		"status": rec.Status, "manifests": rec.Manifests, "events": rec.Entries, "verified": len(findings) == 0, "findings": findings})
}

func (s *Server) apiAcuse(w http.ResponseWriter, r *http.Request) error {
	return s.apiSignedReturn(w, r, "acuse", s.Office.Acuse)
}

// apiSignedReturn files what comes back signed of a document (its acuse,
// or its exemplar signed outside): multipart («archivo») or the raw body.
func (s *Server) apiSignedReturn(w http.ResponseWriter, r *http.Request, activity string,
	file func(ctx context.Context, f legajo.Folio, scan []byte, name, author string) (legajo.Entry, error)) error {
	f, err := s.readableFolio(r)
	if err != nil {
		return err
	}
	body, name, err := uploadBody(r)
	if err != nil {
		return err
	}
	e, err := file(r.Context(), f, body, name, currentUser(r).Login)
	if err != nil {
		return err
	}
	s.logActivity(r, activity, f.String(), "api")
	return writeJSON(w, http.StatusCreated, e)
}

// uploadBody reads an upload sent as multipart (field «archivo») or as the
// raw body.
func uploadBody(r *http.Request) ([]byte, string, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return parseUpload(r)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, legajo.MaxUploadBytes+1))
	return b, "", err
}

func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.cancellable(r)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := s.Office.Cancel(r.Context(), rec.Folio, req.Reason, currentUser(r).Login)
	if err != nil {
		return err
	}
	s.logActivity(r, "cancelar", rec.Folio.String(), req.Reason)
	return writeJSON(w, http.StatusCreated, e)
}

// apiReceive registers correspondence: multipart with «datos» (JSON) and
// «archivo» (the scan), «correo» (an .eml), both, or neither (a phone
// call).
func (s *Server) apiReceive(w http.ResponseWriter, r *http.Request) error {
	files, err := parseFiles(r, "archivo", "correo")
	if err != nil {
		if errors.Is(err, legajo.ErrInvalid) && r.MultipartForm == nil {
			return legajo.Errorf(legajo.ErrInvalid, "Envíe multipart/form-data con «datos» (JSON) y «archivo» o «correo».")
		}
		return err
	}
	scan, mail := files["archivo"], files["correo"]
	var data map[string]any
	dec := json.NewDecoder(strings.NewReader(r.FormValue("datos")))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return legajo.Errorf(legajo.ErrInvalid, "«datos» no es un objeto JSON válido.")
	}
	res, err := s.Office.Receive(r.Context(), legajo.ReceiveRequest{Data: data, Scan: scan.data, ScanName: scan.name,
		Email: mail.data, EmailName: mail.name,
		Expediente: r.FormValue("expediente"), Tramite: r.FormValue("tramite"), Author: currentUser(r).Login})
	if err != nil {
		return err
	}
	s.logActivity(r, "recibir", res.Folio, "api")
	return writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	if s.Search == nil {
		return legajo.Errorf(legajo.ErrNotFound, "La búsqueda no está disponible en este servidor.")
	}
	q, page, err := searchQuery(r)
	if err != nil {
		return err
	}
	q.Facets = r.URL.Query().Get("facetas") != "0"
	res, err := s.search(r, q)
	if err != nil {
		return err
	}
	s.logActivity(r, "buscar", page.Q, strings.TrimPrefix(page.filters()+"; api", "; "))
	return writeJSON(w, http.StatusOK, res)
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Office.Archive.Verify(r.Context(), r.PathValue("expediente"))
	if err != nil {
		return err
	}
	s.logActivity(r, "verificar", v.Expediente, "api")
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) apiVerifyDocument(w http.ResponseWriter, r *http.Request) error {
	page, err := s.verification(r)
	if err != nil {
		return err
	}
	if !page.Found {
		return legajo.Errorf(legajo.ErrNotFound, "No hay ningún documento archivado con ese folio.")
	}
	v := page.Verdict
	out := verification{Verdict: v.Kind, Valid: v.Kind == verdictValid, Headline: v.Headline, Message: v.Message,
		Sealed: v.Sealed, Log: v.Log, Key: page.Key, Folio: page.Folio, Title: page.Title, Date: page.Date, Status: page.Status,
		DigestMatches: page.Match, Intact: len(v.Problems) == 0}
	for _, p := range v.Problems {
		out.Problems = append(out.Problems, p.Detail)
	}
	return writeJSON(w, http.StatusOK, out)
}

// verification is the public verification of one folio: the verdict comes
// first, as on the page. Title, date and status are left out when the
// archive's record does not hold together.
type verification struct {
	Verdict       string        `json:"verdict"` // valido, no-valido, sin-comprobar
	Valid         bool          `json:"valid"`
	Headline      string        `json:"headline"`
	Message       string        `json:"message"`
	Problems      []string      `json:"problems,omitempty"`
	Sealed        string        `json:"sealed,omitempty"`
	Log           *sealedInfo   `json:"log,omitempty"`
	Key           string        `json:"key,omitempty"` // the institution's public key
	Folio         string        `json:"folio"`
	Title         string        `json:"title,omitempty"`
	Date          time.Time     `json:"date,omitzero"`
	Status        legajo.Status `json:"status,omitempty"`
	DigestMatches bool          `json:"digest_matches"`
	Intact        bool          `json:"intact"`
}
