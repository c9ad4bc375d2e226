package legajo

import (
	"context"
	"fmt"
	"io"
	"time"
)

// EventKind is what happened to a document. Every event is new objects in
// the archive; nothing filed is ever overwritten or deleted.
type EventKind string

const (
	EventEmitido    EventKind = "emitido"    // issued: the tantos and their manifests
	EventAcuse      EventKind = "acuse"      // the signed acuse came back (a scan)
	EventCancelado  EventKind = "cancelado"  // cancelled with a reason; the folio stays used
	EventAnexo      EventKind = "anexo"      // a file attached, e.g. the Manual del usuario
	EventRecibido   EventKind = "recibido"   // incoming correspondence registered
	EventAnulado    EventKind = "anulado"    // a folio reserved by an interrupted emission
	EventDescartado EventKind = "descartado" // objects of an interrupted filing, explained by fsck
	// EventFirma: the exemplar signed by someone outside the department
	// came back (a scan), like an acuse.
	EventFirma EventKind = "firma"
	// EventEtapa: the equipment a document follows reached a stage (the
	// entry's Reason names it), e.g. «en espera de refacciones».
	EventEtapa   EventKind = "etapa"
	EventTramite EventKind = "tramite" // a movement of a case (trámite); its manifest holds it
)

// Transition names the status change ev makes to a document. Each is made
// at most once per document, decided by the archive with one conditional
// create: "alta" is the first state (emitido, recibido or anulado), then
// "acuse" and "cancelado". Events that change no status (anexo, descartado)
// have none: "".
func (ev EventKind) Transition() string {
	switch ev {
	case EventEmitido, EventRecibido, EventAnulado:
		return "alta"
	case EventAcuse, EventCancelado, EventFirma:
		return string(ev)
	}
	return ""
}

// TransitionName is the transition an event with reason makes: a stage
// of equipment is taken once per stage («etapa-en-diagnostico»), any
// other event as Transition says.
func TransitionName(ev EventKind, reason string) string {
	if ev == EventEtapa {
		return "etapa-" + stageSlug(reason)
	}
	return ev.Transition()
}

// TransitionError reports that a document's status change was refused
// because another event holds it: which event, when and by whom. It
// matches ErrConflict.
type TransitionError struct {
	Folio  string
	Wanted EventKind // the event refused
	Event  EventKind // the event that holds the transition
	Author string
	At     time.Time // printed in its own location (see Office)
}

func (e *TransitionError) Error() string {
	when := ""
	if !e.At.IsZero() {
		when = " el " + LongDate(e.At) + " a las " + e.At.Format("15:04")
	}
	if e.Author != "" {
		when += " por " + e.Author
	}
	switch {
	case e.Event == EventCancelado && e.Wanted == EventAcuse:
		return fmt.Sprintf("El documento %s fue cancelado%s; no admite acuse.", e.Folio, when)
	case e.Event == EventCancelado && e.Wanted == EventFirma:
		return fmt.Sprintf("El documento %s fue cancelado%s; no admite el registro de la firma.", e.Folio, when)
	case e.Event == EventCancelado && e.Wanted == EventEtapa:
		return fmt.Sprintf("El documento %s fue cancelado%s; no admite más etapas del equipo.", e.Folio, when)
	case e.Event == EventCancelado:
		return fmt.Sprintf("El documento %s ya fue cancelado%s.", e.Folio, when)
	case e.Event == EventAcuse:
		return fmt.Sprintf("El documento %s ya tiene su acuse, registrado%s.", e.Folio, when)
	case e.Event == EventFirma:
		return fmt.Sprintf("El documento %s ya tiene registrado su ejemplar firmado%s.", e.Folio, when)
	case e.Event == EventEtapa:
		return fmt.Sprintf("El equipo del documento %s ya tiene registrada esa etapa%s.", e.Folio, when)
	case e.Event == EventAnulado:
		return fmt.Sprintf("El folio %s quedó anulado como emisión interrumpida%s; el documento no se emitió: vuelva a emitirlo y recibirá otro folio.", e.Folio, when)
	}
	return fmt.Sprintf("El folio %s ya tiene documento, registrado%s.", e.Folio, when)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *TransitionError) Is(target error) bool { return target == ErrConflict }

// Status is where a document stands, derived from its events.
type Status string

const (
	StatusPendiente Status = "pendiente de acuse"
	StatusAcusado   Status = "acusado"
	StatusEmitido   Status = "emitido" // issued; no acuse expected
	StatusCancelado Status = "cancelado"
	StatusRecibido  Status = "recibido"
	StatusAnulado   Status = "anulado"
	// StatusPendienteFirma: the document waits for its exemplar signed
	// by someone outside the department (the área's enlace, the
	// Dirección Administrativa); StatusFirmado: it came back.
	StatusPendienteFirma Status = "pendiente de firma"
	StatusFirmado        Status = "firmado"
)

// Label is how pages and exports name a status for people. The values
// themselves are the command line's and the API's contract; «acusado» is
// told as the manual says it: the acuse de recibido came back.
func (s Status) Label() string {
	switch s {
	case StatusAcusado:
		return "acuse recibido"
	case StatusFirmado:
		return "firmado de conformidad"
	}
	return string(s)
}

// Object is a stored object an entry vouches for.
type Object struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Kind   string `json:"kind"` // pdf, manifest, acuse, anexo, escaneo
	Tanto  string `json:"tanto,omitempty"`
}

// Entry is one link of an expediente's hash chain and the commit record of
// one event: once it is stored, the event happened. Prev is the SHA-256 of
// the previous entry's stored bytes, so a modified, missing, added or
// reordered entry breaks the chain.
type Entry struct {
	Expediente string    `json:"expediente"`
	Seq        int64     `json:"seq"`
	Prev       string    `json:"prev"`
	At         time.Time `json:"at"`
	Event      EventKind `json:"event"`
	Folio      string    `json:"folio,omitempty"`
	Type       string    `json:"type,omitempty"`
	Author     string    `json:"author"`
	Reason     string    `json:"reason,omitempty"`
	// Request is the SHA-256 of the idempotency key of the request that
	// issued the document, so its result can be found again.
	Request string   `json:"request,omitempty"`
	Objects []Object `json:"objects"`

	Key  string `json:"-"` // where the entry is stored
	Hash string `json:"-"` // SHA-256 of its stored bytes
}

// Manifest describes one filed file (a tanto's PDF, an acuse scan, an
// attachment, a received oficio) or, for a cancellation, the event itself.
// It is stored as JSON beside the file. Secrets are never in it.
type Manifest struct {
	Folio       string    `json:"folio"`
	Event       EventKind `json:"event"`
	Type        string    `json:"type,omitempty"`
	TypeVersion int       `json:"type_version,omitempty"`
	Title       string    `json:"title"`
	Subject     string    `json:"subject"`
	Expediente  string    `json:"expediente"`
	Tramite     string    `json:"tramite,omitempty"`
	Area        string    `json:"area,omitempty"`
	Author      string    `json:"author"`
	Date        time.Time `json:"date"`     // of the document (or of reception)
	FiledAt     time.Time `json:"filed_at"` // when this object was filed
	Tanto       string    `json:"tanto,omitempty"`
	Destination string    `json:"destination,omitempty"`
	// Masked tells that secret fields are masked in the filed PDF although
	// the exemplar handed to the person showed them.
	Masked bool `json:"masked,omitempty"`
	// Acuse tells that this tanto comes back signed: the document is
	// pending until an acuse event.
	Acuse bool `json:"acuse,omitempty"`
	// Firma tells that this tanto comes back signed by someone outside
	// the department: the document is pending until a firma event.
	Firma  bool    `json:"firma,omitempty"`
	Digest string  `json:"digest,omitempty"` // content digest printed in the QR
	File   *Object `json:"file,omitempty"`   // the file this manifest describes
	Fields Values  `json:"fields,omitempty"`
	Reason string  `json:"reason,omitempty"`
	// Text is the text layer of an uploaded PDF, for search.
	Text string `json:"text,omitempty"`
	// Case is the event of a trámite this manifest records.
	Case *CaseEvent `json:"caso,omitempty"`
	// Registro is the event of a registry this manifest records.
	Registro *RegistroEvent `json:"registro,omitempty"`
}

// File is a file to file: bytes plus what describes them.
type File struct {
	Name     string // as uploaded, for the record; never trusted for the type
	Data     []byte
	Kind     string // pdf, acuse, anexo, escaneo
	Tanto    string
	Manifest Manifest
}

// Filing is one event to commit into an expediente: its files with their
// manifests, or, with no files, a manifest of its own (a cancellation).
type Filing struct {
	Expediente string
	Event      EventKind
	Folio      Folio
	Type       string
	Author     string
	Reason     string
	At         time.Time
	Request    string // SHA-256 of the idempotency key, if any
	Files      []File
	Manifest   *Manifest // for events without files
}

// Record is everything the archive holds about one folio, in order.
type Record struct {
	Folio      Folio
	Expediente string
	Entries    []Entry
	Manifests  []Manifest // of the emitido (or recibido) entry, one per tanto
	Status     Status

	// Read is what the archive read of the entries' objects while it put
	// the record together, by key: the manifests always, every object when
	// asked (see Office.RecordChecked). Office.CheckRecord hashes these
	// bytes instead of reading the objects again.
	Read map[string]ReadObject `json:"-"`
}

// ReadObject is what reading one object gave: its SHA-256 (hex) and size,
// or that it is missing.
type ReadObject struct {
	SHA256  string
	Size    int64
	Missing bool
}

// Archive is the system of record. Implementations are in package archive;
// every method that writes is append-only.
type Archive interface {
	// Expediente returns the configured expediente, or ErrNotFound.
	Expediente(id string) (Expediente, error)
	// Expedientes lists the configured expedientes.
	Expedientes() []Expediente
	// AllocateFolio claims the next folio of serie in year; claim is stored
	// with it and must identify the request.
	AllocateFolio(ctx context.Context, prefix, serie string, year int, claim []byte) (Folio, error)
	// File stores the filing's objects and appends its chain entry, the
	// commit point. A failure before the entry leaves nothing visible.
	//
	// An event that changes the document's status (f.Event.Transition() is
	// not "") is decided first, atomically across processes: File takes
	// the document's transition with one conditional create, before it
	// stores anything for an acuse or a cancellation, after the files and
	// right before the entry for the alta. Of concurrent filings of one
	// transition exactly one goes on; the others file nothing more and get
	// a *TransitionError (matching ErrConflict) naming who made it and
	// when. An acuse is refused the same way once the document is
	// cancelled.
	File(ctx context.Context, f Filing) (Entry, error)
	// Record returns what is filed under folio, or ErrNotFound.
	Record(ctx context.Context, folio Folio) (*Record, error)
	// Claimed is false when neither folio's claim nor its first state
	// (its alta transition) exists: no document was ever filed under it.
	// Two HEADs at once; asked before Record for folios typed by the
	// public, where a folio never issued would cost a file-backed S3
	// server a listing of every document's directory.
	Claimed(ctx context.Context, folio Folio) (bool, error)
	// Entries calls fn for each entry of the expediente's chain in order,
	// with from/to (zero: unbounded) limiting by entry time.
	Entries(ctx context.Context, expediente string, from, to time.Time, fn func(Entry) error) error
	// Get returns a stored object's bytes, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Claim registers an idempotency key with the request's fingerprint,
	// which it stores as given. fresh is true when this call registered
	// it. Otherwise prior is the result of the first request (nil while
	// that one is still running), or the error is ErrConflict when the key
	// was used for a different request (see Fingerprint.Same).
	Claim(ctx context.Context, key string, fp Fingerprint) (prior []byte, fresh bool, err error)
	// Settle stores the result for an idempotency key.
	Settle(ctx context.Context, key string, result []byte) error
	// Inclusions proves, from storage, that the chain entries under keys
	// are in the archive's signed log, all against its newest checkpoint.
	// An entry not sealed yet has Index -1 and says so in Problem. An
	// archive that keeps no signed log returns nil, nil.
	Inclusions(ctx context.Context, keys []string) ([]Inclusion, error)
	// Verify walks the expediente's chain, re-hashes every object it vouches
	// for and lists what is modified, missing, extra or out of order.
	Verify(ctx context.Context, expediente string) (Verification, error)
}

// Renderer renders one tanto of a document as PDF.
type Renderer interface {
	Render(w io.Writer, d *Document, tanto Tanto) error
}

// Indexer keeps the search index up to date; nil disables indexing. The
// index follows the archive's chains by itself: Changed only tells it that
// something was just filed under folio, so it can catch up at once. It must
// not block.
type Indexer interface {
	Changed(folio Folio)
}

// expects is what comes back of an issued document: nothing, the acuse
// de recibido, an exemplar signed outside the department, or both.
type expects uint8

const (
	expectsNothing expects = 0
	expectsAcuse   expects = 1
	expectsFirma   expects = 2
)

// expectsOf tells what a document of manifests waits for.
func expectsOf(ms []Manifest) expects {
	w := expectsNothing
	for _, m := range ms {
		if m.Acuse {
			w |= expectsAcuse
		}
		if m.Firma {
			w |= expectsFirma
		}
	}
	return w
}

// after is the status a document has after event ev, and what it still
// waits for; owed is what it waited for before (for EventEmitido: what its
// tantos come back with). A document that waits for both (an original
// signed outside before it is delivered, and the acuse of its delivery)
// waits for its firma first, then its acuse. An acuse or a firma does not undo a
// cancellation.
func (s Status) after(ev EventKind, owed expects) (Status, expects) {
	waiting := func(owed expects, none Status) Status {
		switch {
		case owed&expectsFirma != 0:
			return StatusPendienteFirma
		case owed&expectsAcuse != 0:
			return StatusPendiente
		}
		return none
	}
	switch ev {
	case EventEmitido:
		return waiting(owed, StatusEmitido), owed
	case EventAcuse:
		if s != StatusCancelado {
			owed &^= expectsAcuse
			return waiting(owed, StatusAcusado), owed
		}
	case EventFirma:
		if s != StatusCancelado {
			owed &^= expectsFirma
			return waiting(owed, StatusFirmado), owed
		}
	case EventCancelado:
		return StatusCancelado, expectsNothing
	case EventRecibido:
		return StatusRecibido, expectsNothing
	case EventAnulado:
		return StatusAnulado, expectsNothing
	}
	return s, owed
}

// Derive sets the record's status from its entries.
func (r *Record) Derive() {
	r.Status, _ = r.derive()
}

// derive returns the record's status and what it still waits for.
func (r *Record) derive() (Status, expects) {
	var st Status
	var owed expects
	waits := expectsOf(r.Manifests)
	for _, e := range r.Entries {
		if e.Event == EventEmitido {
			owed = waits
		}
		st, owed = st.after(e.Event, owed)
	}
	return st, owed
}

// Emitted returns the entry that filed the document (emitido or recibido).
func (r *Record) Emitted() (Entry, bool) {
	for _, e := range r.Entries {
		if e.Event == EventEmitido || e.Event == EventRecibido {
			return e, true
		}
	}
	return Entry{}, false
}

// Finding is one thing wrong found by verification, naming the object.
type Finding struct {
	Expediente string `json:"expediente"`
	Key        string `json:"key"`
	Problem    string `json:"problem"` // modificado, faltante, extra, desordenado, ilegible, ajeno, duplicado, inconsistente
	Detail     string `json:"detail"`  // Spanish, for the auditor
}

// Verification is the result of re-checking an expediente's chain and
// every object it vouches for.
type Verification struct {
	Expediente string    `json:"expediente"`
	Entries    int       `json:"entries"`
	Objects    int       `json:"objects"`
	Findings   []Finding `json:"findings"`
	Head       string    `json:"head"` // hash of the last entry
}

// OK tells whether nothing was found wrong.
func (v Verification) OK() bool { return len(v.Findings) == 0 }
