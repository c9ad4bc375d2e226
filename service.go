package legajo

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Office is the work that spans the adapters: issue a document (validate,
// allocate its folio, render every tanto, file them, index), register later
// events and incoming correspondence. The CLI and the web server share it.
type Office struct {
	Catalog     *Catalog
	Archive     Archive
	Renderer    Renderer
	Index       Indexer // optional
	Institution Institution
	Directory   Directory
	Zone        *time.Location
	Now         func() time.Time
	// RequestKey keys the MAC by which a retry under an idempotency key
	// is compared in its secret fields (see Fingerprint). The server holds
	// it and it is never stored; every node of a deployment must share it.
	// Nil: secrets are left out of the comparison.
	RequestKey []byte
	// Mail tells people by e-mail (a case turned to them, cases due, a
	// minuta «vía correo»); nil: Legajo sends no e-mail.
	Mail Notifier
	// Cases holds the trámites; nil when they are not configured.
	Cases *Cases
	// Registros holds the registries; nil when they are not configured.
	// Issuing or cancelling a document changes the ones that follow it.
	Registros *Registros

	live directoryHolder // set by SetDirectory; wins over Directory
}

// SetDirectory changes the signatories while the Office serves: documents
// issued from now on resolve their signatures with d.
func (o *Office) SetDirectory(d Directory) {
	o.live.mu.Lock()
	defer o.live.mu.Unlock()
	o.live.dir, o.live.set = d, true
}

// Signatories returns the signatories in force.
func (o *Office) Signatories() Directory {
	o.live.mu.RLock()
	defer o.live.mu.RUnlock()
	if o.live.set {
		return o.live.dir
	}
	return o.Directory
}

// EmitRequest is a clerk's request to issue a document.
type EmitRequest struct {
	Type           string
	Data           map[string]any
	Expediente     string // "" for the type's default
	Tramite        string // optional: the matter several documents belong to
	Author         string
	IdempotencyKey string
}

// EmitResult is what issuing returns: the contract of `legajo emit --json`.
type EmitResult struct {
	Folio      string        `json:"folio"`
	Type       string        `json:"type"`
	Expediente string        `json:"expediente"`
	Date       time.Time     `json:"date"`
	Tantos     []TantoResult `json:"tantos"`
}

// TantoResult is one filed tanto.
type TantoResult struct {
	Tanto  string `json:"tanto"`
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Print is the exemplar to print when it differs from the filed one:
	// the delivered tanto of a type with secrets shows them; it is never
	// stored.
	Print []byte `json:"-"`
}

func (o *Office) now() time.Time {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := now()
	if o.Zone != nil {
		t = t.In(o.Zone)
	}
	return t
}

// Emit issues a document: the core transaction. Bad data is refused before
// a folio is used. A retry with the same idempotency key returns the first
// result instead of a second folio.
func (o *Office) Emit(ctx context.Context, r EmitRequest) (*EmitResult, error) {
	t, err := o.Catalog.Type(r.Type)
	if err != nil {
		return nil, err
	}
	if t.Layout == LayoutLabel {
		return nil, Errorf(ErrInvalid, "«%s» se imprime sin folio y no se archiva.", t.Title)
	}
	now := o.now()
	// Validate and resolve the signatories before anything is written: bad
	// data never costs a folio.
	draft, err := Prepare(Request{Type: t, Data: r.Data, Date: now, Institution: o.Institution, Directory: o.Signatories()})
	if err != nil {
		return nil, err
	}
	// A variant the manual files elsewhere (a baja de equipo) goes there
	// unless the clerk chose an expediente.
	expID, err := o.filing(r.Expediente, t.ExpedienteFor(draft.Values), r.Tramite, r.Author)
	if err != nil {
		return nil, err
	}
	if r.IdempotencyKey != "" {
		prior, err := o.replay(ctx, r.IdempotencyKey, o.fingerprint(t, expID, r.Tramite, draft.Values),
			"La emisión con esta clave de idempotencia se interrumpió y su folio quedó anulado; use una clave nueva.")
		if err != nil || prior != nil {
			return prior, err
		}
	}
	claim := map[string]any{"type": t.ID, "expediente": expID, "author": r.Author,
		"prefix": o.Institution.FolioPrefix, "at": now.UTC(), "nonce": nonce()}
	if r.IdempotencyKey != "" {
		claim["request"] = RequestHash(r.IdempotencyKey)
	}
	claimJSON, _ := json.Marshal(claim)
	folio, err := o.Archive.AllocateFolio(ctx, o.Institution.FolioPrefix, t.Serie, now.Year(), claimJSON)
	if err != nil {
		return nil, err
	}
	doc, err := Prepare(Request{Type: t, Data: r.Data, Folio: folio, Date: now,
		Institution: o.Institution, Directory: o.Signatories()})
	if err != nil {
		return nil, err // the folio stays reserved; fsck records it as annulled
	}
	filing := Filing{Expediente: expID, Event: EventEmitido, Folio: folio, Type: t.ID, Author: r.Author, At: now}
	if r.IdempotencyKey != "" {
		filing.Request = RequestHash(r.IdempotencyKey)
	}
	public := t.Public(doc.Values)
	subject := doc.Expand(t.Subject, Tanto{})
	var res *EmitResult
	// Render every tanto at once: on a multi-core machine a document's
	// latency is that of its longest tanto.
	masked := t.HasSecrets()
	filed := make([][]byte, len(t.Tantos))
	prints := make([][]byte, len(t.Tantos))
	errs := make([]error, len(t.Tantos))
	var wg sync.WaitGroup
	for i, tanto := range t.Tantos {
		tanto = doc.TantoFor(tanto)
		wg.Go(func() {
			stored := tanto
			stored.Delivered = false // what is stored never shows a secret
			var buf bytes.Buffer
			if errs[i] = o.Renderer.Render(&buf, doc, stored); errs[i] != nil {
				return
			}
			filed[i] = buf.Bytes()
			if tanto.Delivered && masked {
				var pb bytes.Buffer
				errs[i] = o.Renderer.Render(&pb, doc, tanto)
				prints[i] = pb.Bytes()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, tanto := range t.Tantos {
		tanto = doc.TantoFor(tanto)
		filing.Files = append(filing.Files, File{Data: filed[i], Kind: "pdf", Tanto: tanto.Name, Manifest: Manifest{
			Folio: folio.String(), Event: EventEmitido, Type: t.ID, TypeVersion: t.Version, Title: t.Title,
			Subject: subject, Expediente: expID, Tramite: r.Tramite, Area: public["area"].Text, Author: r.Author,
			Date: now, FiledAt: now, Tanto: tanto.Name, Destination: tanto.Destination,
			Masked: masked && tanto.Delivered, Acuse: tanto.Acuse, Firma: tanto.Firma, Digest: doc.Digest, Fields: public,
		}})
	}
	entry, err := o.Archive.File(ctx, filing)
	if err != nil {
		var te *TransitionError
		if errors.As(err, &te) && r.IdempotencyKey != "" {
			// Its folio went to another event (fsck annulled it): a retry
			// with this key must not wait for a result that never comes.
			b, _ := json.Marshal(map[string]string{"error": "interrumpida"})
			_ = o.Archive.Settle(ctx, r.IdempotencyKey, b)
		}
		return nil, o.localize(err)
	}
	res = ResultOf(entry)
	res.Date = now
	for i := range res.Tantos {
		res.Tantos[i].Print = prints[i]
	}
	if r.IdempotencyKey != "" {
		// The document is issued whatever happens now: a result that could
		// not be stored is rebuilt from the chain entry by fsck.
		b, _ := json.Marshal(res)
		_ = o.Archive.Settle(ctx, r.IdempotencyKey, b)
	}
	o.reindex(ctx, folio)
	o.linkCase(ctx, r.Tramite, folio.String(), t.ID, t.Title, r.Author)
	o.registrar(ctx, IssuedDoc{Folio: folio.String(), Type: t.ID, Values: public, Author: r.Author, At: now})
	return res, nil
}

// filing checks where a document goes and who files it: the expediente
// (the type's default when none is given), the trámite and the author.
func (o *Office) filing(exp, def, tramite, author string) (string, error) {
	if exp == "" {
		exp = def
	}
	if _, err := o.Archive.Expediente(exp); err != nil {
		return "", err
	}
	if err := checkLine("Trámite", tramite, 120); err != nil {
		return "", err
	}
	if err := o.CheckCase(tramite); err != nil {
		return "", err
	}
	return exp, checkLine("Autor", author, 120)
}

func (o *Office) claim(ctx context.Context, key string, fp Fingerprint) ([]byte, bool, error) {
	if err := checkLine("Clave de idempotencia", key, 200); err != nil {
		return nil, false, err
	}
	// The first request may still be running: wait for its result a little.
	for i := 0; ; i++ {
		prior, fresh, err := o.Archive.Claim(ctx, key, fp)
		if err != nil || fresh || prior != nil {
			return prior, fresh, err
		}
		if i == 50 {
			return nil, false, Errorf(ErrConflict, "Una emisión con la misma clave de idempotencia sigue en curso o se interrumpió; intente más tarde o use otra clave.")
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// replay claims an idempotency key for a request with fingerprint fp. For
// a key already used it returns the first request's result (nil while the
// key is fresh: the caller goes on), or an error saying interrupted when
// that request's folio was annulled.
func (o *Office) replay(ctx context.Context, key string, fp Fingerprint, interrupted string) (*EmitResult, error) {
	prior, fresh, err := o.claim(ctx, key, fp)
	if err != nil || fresh {
		return nil, err
	}
	var res struct {
		EmitResult
		Error string `json:"error"`
	}
	if err := json.Unmarshal(prior, &res); err != nil {
		return nil, fmt.Errorf("idempotency: %w", err)
	}
	if res.Error != "" {
		return nil, Errorf(ErrConflict, "%s", interrupted)
	}
	return &res.EmitResult, nil
}

// nonce makes every folio claim unique: the archive takes a claim equal to
// its own as a retried write of its own, so two requests must never send
// the same bytes.
func nonce() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ResultOf rebuilds an emission's result from its chain entry.
func ResultOf(e Entry) *EmitResult {
	res := &EmitResult{Folio: e.Folio, Type: e.Type, Expediente: e.Expediente, Date: e.At}
	for _, obj := range e.Objects {
		if obj.Kind == "pdf" {
			res.Tantos = append(res.Tantos, TantoResult{Tanto: obj.Tanto, Key: obj.Key, SHA256: obj.SHA256, Size: obj.Size})
		}
	}
	return res
}

// RequestHash is how an idempotency key is recorded (in its claim, the
// folio claim and the chain entry): never in clear, since clients may
// build keys from personal data. A key is the client's token, never a
// field of the document, so no secret field reaches it.
func RequestHash(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:])
}

// reindex tells the search index that folio changed. The archive is the
// system of record: the index catches up from it, and an index failure
// never fails a filing.
func (o *Office) reindex(ctx context.Context, folio Folio) {
	if o.Index != nil {
		o.Index.Changed(folio)
	}
}

// checkLine validates a one-line free-text parameter such as the trámite.
func checkLine(label, s string, max int) error {
	if len([]rune(s)) > max {
		return Errorf(ErrInvalid, "«%s» es demasiado largo: el máximo es %d caracteres.", label, max)
	}
	for _, r := range s {
		if _, ok := CP1252(r); !ok || r == '\n' || r == '\t' {
			return Errorf(ErrInvalid, "«%s» contiene caracteres no permitidos.", label)
		}
	}
	return nil
}

// Upload limits for scans and attachments.
const MaxUploadBytes = 20 << 20

// sniff identifies an uploaded file by its content, never by its name.
func sniff(b []byte) (ext string, ok bool) {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf", true
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpg", true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png", true
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "tif", true
	}
	return "", false
}

// SniffUpload checks an uploaded file: size and type by content.
func SniffUpload(label string, b []byte, allowed ...string) (string, error) {
	if len(b) == 0 {
		return "", Errorf(ErrInvalid, "«%s»: el archivo está vacío.", label)
	}
	if len(b) > MaxUploadBytes {
		return "", Errorf(ErrInvalid, "«%s»: el archivo mide %.1f MiB; el máximo es %d MiB.", label, float64(len(b))/(1<<20), MaxUploadBytes>>20)
	}
	ext, ok := sniff(b)
	if !ok || (len(allowed) > 0 && !contains(allowed, ext)) {
		return "", Errorf(ErrInvalid, "«%s»: el contenido del archivo no es %s.", label, strings.Join(describe(allowed), " ni "))
	}
	return ext, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func describe(exts []string) []string {
	if len(exts) == 0 {
		exts = []string{"pdf", "jpg", "png", "tif"}
	}
	names := map[string]string{"pdf": "un PDF", "jpg": "una imagen JPEG", "png": "una imagen PNG", "tif": "una imagen TIFF"}
	out := make([]string, len(exts))
	for i, e := range exts {
		out[i] = names[e]
	}
	return out
}
