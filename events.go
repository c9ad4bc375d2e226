package legajo

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// Record returns what the archive holds about folio, with its status.
func (o *Office) Record(ctx context.Context, folio Folio) (*Record, error) {
	return o.Archive.Record(ctx, folio)
}

// Acuse files the signed acuse of a document that waits for one: a scanned
// PDF or image, checked by content. The document becomes acusado.
func (o *Office) Acuse(ctx context.Context, folio Folio, scan []byte, name, author string) (Entry, error) {
	return o.signedReturn(ctx, folio, EventAcuse, scan, name, author)
}

// Firma files the exemplar of a document that came back signed by someone
// outside the department (the responsiva signed by the área's enlace, the
// solicitud de contratación authorized by the Dirección Administrativa):
// a scanned PDF or image, checked by content. The document becomes
// firmado.
func (o *Office) Firma(ctx context.Context, folio Folio, scan []byte, name, author string) (Entry, error) {
	return o.signedReturn(ctx, folio, EventFirma, scan, name, author)
}

// signedReturn files what comes back signed of a document that waits for
// it: its acuse (EventAcuse) or its exemplar signed outside (EventFirma).
func (o *Office) signedReturn(ctx context.Context, folio Folio, ev EventKind, scan []byte, name, author string) (Entry, error) {
	rec, err := o.Archive.Record(ctx, folio)
	if err != nil {
		return Entry{}, err
	}
	want := expectsAcuse
	label, subject := "Acuse", "Acuse de recibido de "
	if ev == EventFirma {
		want = expectsFirma
		label, subject = "Ejemplar firmado", "Ejemplar firmado de "
	}
	status, owed := rec.derive()
	done := slices.ContainsFunc(rec.Entries, func(e Entry) bool { return e.Event == ev })
	switch {
	case status == StatusCancelado:
		return Entry{}, o.refusal(rec, EventCancelado, ev)
	case ev == EventAcuse && owed&expectsAcuse != 0 && owed&expectsFirma != 0:
		return Entry{}, Errorf(ErrConflict, "El documento %s espera primero su ejemplar firmado fuera del Departamento; el acuse se registra después de la entrega del original firmado.", folio)
	case owed&want != 0:
	case done:
		return Entry{}, o.refusal(rec, ev, ev)
	default:
		if ev == EventFirma {
			return Entry{}, Errorf(ErrConflict, "El documento %s no espera un ejemplar firmado fuera del Departamento.", folio)
		}
		return Entry{}, Errorf(ErrConflict, "El documento %s no requiere acuse de recibido.", folio)
	}
	ext, err := SniffUpload(label, scan)
	if err != nil {
		return Entry{}, err
	}
	if err := checkLine("Autor", author, 120); err != nil {
		return Entry{}, err
	}
	now := o.now()
	m := o.eventManifest(rec, ev, author, now)
	m.Subject = subject + folio.String()
	f := File{Name: name, Data: scan, Kind: string(ev), Manifest: m}
	f.Manifest.File = &Object{Kind: ext}
	entry, err := o.Archive.File(ctx, Filing{Expediente: rec.Expediente, Event: ev, Folio: folio,
		Type: m.Type, Author: author, At: now, Files: []File{f}})
	if err != nil {
		return Entry{}, o.localize(err)
	}
	o.reindex(ctx, folio)
	return entry, nil
}

// Cancel records that a document is cancelled. Its folio stays used and
// shown as cancelled, with the reason.
func (o *Office) Cancel(ctx context.Context, folio Folio, reason, author string) (Entry, error) {
	reason = strings.TrimSpace(reason)
	if n := len([]rune(reason)); n < 10 || n > 500 {
		return Entry{}, Errorf(ErrInvalid, "El motivo de la cancelación es obligatorio: escriba de 10 a 500 caracteres (se recibieron %d).", n)
	}
	if err := checkLine("Motivo", reason, 500); err != nil {
		return Entry{}, err
	}
	if err := checkLine("Autor", author, 120); err != nil {
		return Entry{}, err
	}
	rec, err := o.Archive.Record(ctx, folio)
	if err != nil {
		return Entry{}, err
	}
	switch rec.Status {
	case StatusCancelado:
		return Entry{}, o.refusal(rec, EventCancelado, EventCancelado)
	case StatusAnulado, StatusRecibido:
		return Entry{}, Errorf(ErrConflict, "El folio %s no corresponde a un documento emitido.", folio)
	}
	now := o.now()
	m := o.eventManifest(rec, EventCancelado, author, now)
	m.Subject = "Cancelación de " + folio.String()
	m.Reason = reason
	entry, err := o.Archive.File(ctx, Filing{Expediente: rec.Expediente, Event: EventCancelado, Folio: folio,
		Type: m.Type, Author: author, Reason: reason, At: now, Manifest: &m})
	if err != nil {
		return Entry{}, o.localize(err)
	}
	o.reindex(ctx, folio)
	o.registrarCancel(ctx, folio.String(), reason, author)
	return entry, nil
}

// Attach files a document's attachment, e.g. the Manual del usuario
// delivered with an oficio de liberación.
func (o *Office) Attach(ctx context.Context, folio Folio, data []byte, name, description, author string) (Entry, error) {
	description = strings.TrimSpace(description)
	if description == "" {
		return Entry{}, Errorf(ErrInvalid, "La descripción del anexo es obligatoria.")
	}
	if err := checkLine("Descripción del anexo", description, 200); err != nil {
		return Entry{}, err
	}
	if err := checkLine("Autor", author, 120); err != nil {
		return Entry{}, err
	}
	ext, err := SniffUpload("Anexo", data)
	if err != nil {
		return Entry{}, err
	}
	rec, err := o.Archive.Record(ctx, folio)
	if err != nil {
		return Entry{}, err
	}
	if rec.Status == StatusAnulado {
		return Entry{}, Errorf(ErrConflict, "El folio %s fue anulado; no admite anexos.", folio)
	}
	now := o.now()
	m := o.eventManifest(rec, EventAnexo, author, now)
	m.Subject = description
	m.File = &Object{Kind: ext}
	entry, err := o.Archive.File(ctx, Filing{Expediente: rec.Expediente, Event: EventAnexo, Folio: folio,
		Type: m.Type, Author: author, At: now, Files: []File{{Name: name, Data: data, Kind: "anexo", Manifest: m}}})
	if err != nil {
		return Entry{}, err
	}
	o.reindex(ctx, folio)
	return entry, nil
}

// refusal is the error for a wanted event the record shows is refused by
// its event ev: who made that and when.
func (o *Office) refusal(rec *Record, ev, wanted EventKind) error {
	e := &TransitionError{Folio: rec.Folio.String(), Wanted: wanted, Event: ev}
	for _, x := range rec.Entries {
		if x.Event == ev {
			e.Author, e.At = x.Author, o.inZone(x.At)
			break
		}
	}
	return e
}

// localize writes the time of a refused transition in the Office's zone.
func (o *Office) localize(err error) error {
	var te *TransitionError
	if errors.As(err, &te) {
		te.At = o.inZone(te.At)
	}
	return err
}

// eventManifest starts the manifest of a later event from the document's
// own, so every object of a folio carries its type, asunto and área.
func (o *Office) eventManifest(rec *Record, ev EventKind, author string, now time.Time) Manifest {
	m := Manifest{Folio: rec.Folio.String(), Event: ev, Expediente: rec.Expediente, Author: author, Date: now, FiledAt: now}
	if len(rec.Manifests) > 0 {
		first := rec.Manifests[0]
		m.Type, m.TypeVersion, m.Title, m.Tramite, m.Area, m.Date = first.Type, first.TypeVersion, first.Title, first.Tramite, first.Area, first.Date
	}
	return m
}

// ReceptionType defines the data of incoming correspondence, as the
// registry of correspondence asks (número identificador, asunto, fecha y
// hora de recepción, nombre y cargo de quien remite, anexos, turno). A
// request may come without paper: a phone call (who, área, extensión,
// summary, when) or an e-mail, whose body and attachments are kept.
var ReceptionType = func() *DocType {
	t := &DocType{ID: "correspondencia-recibida", Title: "Correspondencia recibida", Version: 2, Serie: "RE",
		Expediente: "oficios-recibidos", Fields: []Field{
			{Name: "tipo", Label: "Tipo de documento", Type: FieldChoice, Required: true, Options: []string{"Oficio", "Tarjeta", "Formato de solicitud", "Notificación de baja", "Factura", TipoCorreo, TipoLlamada, "Otro"}},
			{Name: "referencia", Label: "Número de oficio o referencia del remitente", Type: FieldText, MaxLen: 120},
			{Name: "fecha_documento", Label: "Fecha del documento", Type: FieldDate},
			{Name: "fecha_recepcion", Label: "Fecha de recepción", Type: FieldDate, Required: true},
			{Name: "hora_recepcion", Label: "Hora de recepción", Type: FieldTime, Required: true},
			{Name: "remitente", Label: "Nombre de quien remite", Type: FieldText, Required: true, MaxLen: 150},
			// Required on paper only (see Receive): a caller or an e-mail
			// seldom states it.
			{Name: "cargo", Label: "Cargo de quien remite", Type: FieldText, MaxLen: 150},
			{Name: "area", Label: "Área o dependencia de origen", Type: FieldText, Required: true, MaxLen: 150},
			{Name: "extension", Label: "Extensión o teléfono", Type: FieldText, MaxLen: 40},
			{Name: "correo_remitente", Label: "Correo electrónico de quien remite", Type: FieldText, MaxLen: 254},
			{Name: "asunto", Label: "Asunto", Type: FieldText, Required: true, MaxLen: 300},
			{Name: "anexos", Label: "Número de anexos", Type: FieldNumber},
			{Name: "turnado_a", Label: "Turnado a", Type: FieldText, MaxLen: 150},
			{Name: "fecha_limite", Label: "Fecha límite de respuesta", Type: FieldDate},
			{Name: "observaciones", Label: "Observaciones", Type: FieldLongText, MaxLen: 1000},
			{Name: "cuerpo", Label: "Texto del correo o notas de la llamada", Type: FieldLongText, MaxLen: MaxEmailText},
			{Name: "adjuntos", Label: "Archivos adjuntos del correo", Type: FieldLongText, MaxLen: 20000},
		}}
	t.Index()
	return t
}()

// The tipos of correspondence that come without paper.
const (
	TipoCorreo  = "Correo electrónico"
	TipoLlamada = "Llamada telefónica"
)

// ReceiveRequest registers incoming correspondence.
type ReceiveRequest struct {
	Data     map[string]any
	Scan     []byte // none for a phone call or an imported e-mail
	ScanName string
	// Email is an .eml file: it is filed as it came, its attachments
	// beside it, and the fields left empty are taken from it.
	Email      []byte
	EmailName  string
	Expediente string // "" for oficios-recibidos
	Tramite    string
	Author     string
	// IdempotencyKey, when set, makes a retry (Back and «Registrar»
	// again, a double click) return the first registration instead of a
	// second folio.
	IdempotencyKey string
}

// Receive registers an incoming oficio or tarjeta with its own registry
// folio (serie RE, consecutive per year) and files its scan.
func (o *Office) Receive(ctx context.Context, r ReceiveRequest) (*EmitResult, error) {
	t := ReceptionType
	var probs []Problem
	var email *Email
	var files []File
	if len(r.Email) > 0 {
		var err error
		if email, err = ParseEmail(r.Email); err != nil {
			probs = append(probs, Problem{Field: "correo", Message: err.Error()})
		} else {
			r.Data = o.emailData(email, r.Data)
		}
	}
	vals, err := t.Validate(r.Data)
	if err != nil {
		probs = append(probs, err.(*ValidationError).Problems...)
	}
	// Validate returns no values when any field is wrong: the tipo is
	// read from the request to tell which files it needs.
	tipo, _ := r.Data["tipo"].(string)
	tipo = strings.TrimSpace(tipo)
	paper := tipo != TipoLlamada && tipo != TipoCorreo && len(r.Email) == 0
	if cargo, _ := r.Data["cargo"].(string); paper && tipo != "" && strings.TrimSpace(cargo) == "" {
		probs = append(probs, Problem{Field: "cargo", Message: "Cargo de quien remite es obligatorio para un documento en papel."})
	}
	var ext string
	switch {
	case len(r.Scan) > 0 || (paper && len(r.Email) == 0):
		var serr error
		if ext, serr = SniffUpload("Documento escaneado", r.Scan); serr != nil {
			probs = append(probs, Problem{Field: "escaneo", Message: serr.Error()})
		}
	case tipo == TipoCorreo && len(r.Email) == 0:
		probs = append(probs, Problem{Field: "correo", Message: "Un correo electrónico se registra con su archivo .eml (en el programa de correo: «Guardar como» o «Descargar mensaje») o con su impresión escaneada."})
	}
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}
	expID, err := o.filing(r.Expediente, t.Expediente, r.Tramite, r.Author)
	if err != nil {
		return nil, err
	}
	now := o.now()
	if r.IdempotencyKey != "" {
		prior, err := o.replay(ctx, r.IdempotencyKey, o.fingerprint(t, expID, r.Tramite, vals),
			"El registro con esta clave se interrumpió y su folio quedó anulado; vuelva a registrar el documento.")
		if err != nil || prior != nil {
			return prior, err
		}
	}
	claim := map[string]any{"type": t.ID, "expediente": expID, "author": r.Author,
		"prefix": o.Institution.FolioPrefix, "at": now.UTC(), "nonce": nonce()}
	filing := Filing{Expediente: expID, Event: EventRecibido, Type: t.ID, Author: r.Author, At: now}
	if r.IdempotencyKey != "" {
		claim["request"] = RequestHash(r.IdempotencyKey)
		filing.Request = RequestHash(r.IdempotencyKey)
	}
	claimJSON, _ := json.Marshal(claim)
	folio, err := o.Archive.AllocateFolio(ctx, o.Institution.FolioPrefix, t.Serie, now.Year(), claimJSON)
	if err != nil {
		return nil, err
	}
	date := now
	if d, err := time.ParseInLocation(DateLayout+" 15:04", vals["fecha_recepcion"].Text+" "+vals["hora_recepcion"].Text, now.Location()); err == nil {
		date = d
	}
	m := Manifest{Folio: folio.String(), Event: EventRecibido, Type: t.ID, TypeVersion: t.Version, Title: ReceivedTitle(vals["tipo"].Text),
		Subject: vals["asunto"].Text, Expediente: expID, Tramite: r.Tramite, Area: vals["area"].Text, Author: r.Author,
		Date: date, FiledAt: now, Fields: vals, File: &Object{Kind: ext}}
	filing.Folio = folio
	if len(r.Scan) > 0 {
		files = append(files, File{Name: r.ScanName, Data: r.Scan, Kind: "escaneo", Manifest: m})
	}
	if email != nil {
		files = append(files, emailFiles(email, r.Email, r.EmailName, m)...)
	}
	if len(files) == 0 {
		// A phone call: the manifest is the record.
		m.File = nil
		filing.Manifest = &m
	}
	filing.Files = files
	entry, err := o.Archive.File(ctx, filing)
	if err != nil {
		return nil, o.localize(err)
	}
	res := &EmitResult{Folio: folio.String(), Type: t.ID, Expediente: expID, Date: date}
	for _, obj := range entry.Objects {
		switch obj.Kind {
		case "escaneo":
			res.Tantos = append(res.Tantos, TantoResult{Tanto: "ESCANEO", Key: obj.Key, SHA256: obj.SHA256, Size: obj.Size})
		case "correo":
			res.Tantos = append(res.Tantos, TantoResult{Tanto: "CORREO", Key: obj.Key, SHA256: obj.SHA256, Size: obj.Size})
		}
	}
	if r.IdempotencyKey != "" {
		// Registered whatever happens now: a result that could not be
		// stored is rebuilt from the chain entry by fsck.
		b, _ := json.Marshal(res)
		_ = o.Archive.Settle(ctx, r.IdempotencyKey, b)
	}
	o.reindex(ctx, folio)
	o.linkCase(ctx, r.Tramite, folio.String(), t.ID, m.Title, r.Author)
	return res, nil
}

// ReceivedTitle names a received document, the participle agreeing with
// its tipo: «Oficio recibido», «Tarjeta recibida».
func ReceivedTitle(tipo string) string {
	switch tipo {
	case "Tarjeta", "Notificación de baja", "Factura", TipoLlamada:
		return tipo + " recibida"
	}
	return tipo + " recibido"
}
