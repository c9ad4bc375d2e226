package legajo

// Trails and archival instruments: what auditors (Contraloría, Órgano
// Interno de Control) and the records clerk ask of the archive. A trail is
// every filed object of every event that matches a filter, in chronological
// order, read straight from the expedientes' hash chains; summaries describe
// each expediente year by year for its carátula, the inventarios and the
// retention report. Exporters (XLSX, CSV, JSON, the bundle PDF) consume
// these types and never read the archive themselves.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// PageCounter counts the pages of a filed PDF. The root package cannot parse
// PDFs; the CLI passes the PDF generator's counter.
type PageCounter func(pdf []byte) (int, error)

// TrailFilter selects the events of a trail. Zero fields do not filter; the
// filters combine (an expediente and a year, a trámite and a person …).
type TrailFilter struct {
	Expediente string `json:"expediente,omitempty"` // expediente id; "" walks every expediente
	Tramite    string `json:"tramite,omitempty"`    // the trámite, ignoring case and accents
	Area       string `json:"area,omitempty"`       // contained in the área, ignoring case and accents
	Type       string `json:"type,omitempty"`       // document type id
	// Person matches the author of an event or a person named in the
	// document's fields, ignoring case and accents; later events of a
	// document that names the person (acuse, cancelación) match too.
	Person string    `json:"person,omitempty"`
	From   time.Time `json:"from,omitzero"` // events filed at or after
	To     time.Time `json:"to,omitzero"`   // events filed before
	// Pages, when set, makes the trail read every filed file to count its
	// fojas; images count one foja each.
	Pages PageCounter `json:"-"`
}

// TrailEvent is one line of a trail: one filed object of one event (each
// tanto of an emitted document, the scan of an acuse, an attachment, a
// received oficio), or the event itself when it filed no file (a
// cancellation, an annulled folio).
type TrailEvent struct {
	Expediente string    `json:"expediente"`
	Seq        int64     `json:"seq"`   // chain entry
	Entry      string    `json:"-"`     // the chain entry's storage key
	At         time.Time `json:"at"`    // when the event was filed
	Event      EventKind `json:"event"` // emitido, acuse, cancelado …
	Folio      string    `json:"folio,omitempty"`
	Type       string    `json:"type,omitempty"`
	Title      string    `json:"title,omitempty"`   // the document type's title
	Date       time.Time `json:"date,omitzero"`     // of the document (of reception, for correspondence)
	Subject    string    `json:"subject,omitempty"` // asunto
	Area       string    `json:"area,omitempty"`
	Tramite    string    `json:"tramite,omitempty"`
	Tanto      string    `json:"tanto,omitempty"`
	Kind       string    `json:"kind,omitempty"`   // of the object: pdf, acuse, anexo, escaneo, manifest, huerfano
	Status     Status    `json:"status,omitempty"` // of the document right after this event
	Author     string    `json:"author"`
	Reason     string    `json:"reason,omitempty"`
	Key        string    `json:"key,omitempty"` // storage key of the object
	SHA256     string    `json:"sha256,omitempty"`
	Size       int64     `json:"size,omitempty"`
	Fojas      int       `json:"fojas,omitempty"` // pages, when counted; 0 unknown
	// Filed tells that the object is part of the expediente as a records
	// clerk keeps it: the tanto the type files (Tanto.Filed), an acuse
	// scan, an attachment or a received document. Bundles and fojas totals
	// count these; the other tantos are in the archive but went to their
	// addressees.
	Filed bool `json:"filed"`
	// Fields are the document's public fields, on the rows of the event
	// that filed it; registries are built from them.
	Fields Values `json:"-"`
}

// Label names an event kind for people.
func (k EventKind) Label() string {
	switch k {
	case EventEmitido:
		return "Emisión"
	case EventAcuse:
		return "Acuse de recibido"
	case EventCancelado:
		return "Cancelación"
	case EventAnexo:
		return "Anexo"
	case EventRecibido:
		return "Recepción"
	case EventAnulado:
		return "Folio anulado"
	case EventDescartado:
		return "Objetos descartados"
	case EventFirma:
		return "Ejemplar firmado"
	case EventEtapa:
		return "Seguimiento del equipo"
	case EventTramite:
		return "Movimiento de trámite"
	case EventRegistro:
		return "Cambio en un registro"
	}
	return string(k)
}

// Criterion is one filter of a trail, worded for the auditor.
type Criterion struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// TrailInfo is what an export says besides its rows: the filters, who
// exported it and when, and the verification of every expediente involved.
type TrailInfo struct {
	Filter        TrailFilter    `json:"filter"`
	Criteria      []Criterion    `json:"criteria"`
	ExportedBy    string         `json:"exported_by"`
	ExportedAt    time.Time      `json:"exported_at"`
	Events        int            `json:"events"` // rows exported
	Verifications []Verification `json:"verifications"`
	// Seal is what the archive's signed log says of the trail's entries;
	// nil when the archive keeps no log.
	Seal        *TrailSeal  `json:"seal,omitempty"`
	Institution Institution `json:"-"`
}

// TrailSeal is the archive's signed log as a trail export saw it: the
// newest checkpoint, the institution's public key, and the inclusion proof
// of every chain entry the trail lists, all against that checkpoint.
type TrailSeal struct {
	Key        string      `json:"key"`        // the institution's public key (note verifier)
	Checkpoint string      `json:"checkpoint"` // the signed note
	Size       int64       `json:"size"`
	SignedAt   time.Time   `json:"signed_at"`
	Proofs     []Inclusion `json:"proofs"`
}

// Proof returns the inclusion proof of the chain entry under key.
func (s *TrailSeal) Proof(key string) (Inclusion, bool) {
	if s == nil {
		return Inclusion{}, false
	}
	for _, p := range s.Proofs {
		if p.Entry == key {
			return p, true
		}
	}
	return Inclusion{}, false
}

// Verified tells whether every verified chain is intact. A trail that
// verified nothing is not verified.
func (i TrailInfo) Verified() bool {
	if len(i.Verifications) == 0 {
		return false
	}
	for _, v := range i.Verifications {
		if !v.OK() {
			return false
		}
	}
	return true
}

// Problems counts the findings of every verification.
func (i TrailInfo) Problems() int {
	n := 0
	for _, v := range i.Verifications {
		n += len(v.Findings)
	}
	return n
}

// VerificationSummary is the one line every export prints about the chain
// check, in Spanish.
func (i TrailInfo) VerificationSummary() string {
	if len(i.Verifications) == 0 {
		return "Sin verificación: el rastro no comprende ningún expediente."
	}
	entries, objects := 0, 0
	var ids []string
	for _, v := range i.Verifications {
		entries += v.Entries
		objects += v.Objects
		ids = append(ids, v.Expediente)
	}
	if n := i.Problems(); n > 0 {
		var bad []string
		for _, v := range i.Verifications {
			if !v.OK() {
				bad = append(bad, fmt.Sprintf("%s (%d)", v.Expediente, len(v.Findings)))
			}
		}
		return fmt.Sprintf("VERIFICACIÓN FALLIDA: %s en la cadena de %s; los archivos señalados no coinciden con lo registrado.",
			Plural(n, "problema", "problemas"), strings.Join(bad, ", "))
	}
	return fmt.Sprintf("Cadena íntegra: %d entradas y %d objetos %s verificados; ningún objeto fue modificado, agregado, retirado ni reordenado.",
		entries, objects, plural(len(ids), "del expediente ", "de los expedientes ")+strings.Join(ids, ", "))
}

// VerificationLines are the summary followed by one line per expediente and
// one per finding.
func (i TrailInfo) VerificationLines() []string {
	lines := []string{i.VerificationSummary()}
	for _, v := range i.Verifications {
		state := "íntegra"
		if !v.OK() {
			state = Plural(len(v.Findings), "problema", "problemas")
		}
		lines = append(lines, fmt.Sprintf("%s: %d %s, %d %s, %s.", v.Expediente, v.Entries, plural(v.Entries, "entrada", "entradas"),
			v.Objects, plural(v.Objects, "objeto", "objetos"), state))
		for _, f := range v.Findings {
			lines = append(lines, fmt.Sprintf("  %s %s: %s", f.Problem, f.Key, f.Detail))
		}
	}
	return lines
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// TrailCriteria words the filter for the auditor: expediente and type by
// name, dates dd/mm/aaaa with the end inclusive.
func (o *Office) TrailCriteria(f TrailFilter) []Criterion {
	var out []Criterion
	if f.Expediente != "" {
		v := f.Expediente
		if e, err := o.Archive.Expediente(f.Expediente); err == nil {
			v = e.Code + " " + e.Name + " (" + e.ID + ")"
		}
		out = append(out, Criterion{"Expediente", v})
	} else {
		out = append(out, Criterion{"Expediente", "Todos"})
	}
	if f.Tramite != "" {
		out = append(out, Criterion{"Trámite", f.Tramite})
	}
	if f.Area != "" {
		out = append(out, Criterion{"Área", f.Area})
	}
	if f.Type != "" {
		v := f.Type
		if o.Catalog != nil {
			if t, err := o.Catalog.Type(f.Type); err == nil {
				v = t.Title + " (" + t.ID + ")"
			}
		}
		out = append(out, Criterion{"Tipo de documento", v})
	}
	if f.Person != "" {
		out = append(out, Criterion{"Persona", f.Person})
	}
	var period string
	from, to := ShortDate(o.inZone(f.From)), ShortDate(o.inZone(f.To).Add(-time.Nanosecond))
	switch {
	case !f.From.IsZero() && !f.To.IsZero():
		period = "del " + from + " al " + to
	case !f.From.IsZero():
		period = "desde el " + from
	case !f.To.IsZero():
		period = "hasta el " + to
	default:
		period = "completo, sin límite de fechas"
	}
	out = append(out, Criterion{"Periodo", period})
	return out
}

func (o *Office) inZone(t time.Time) time.Time {
	if o.Zone != nil {
		return t.In(o.Zone)
	}
	return t
}

// Trail calls fn for every event that matches f, in chronological order of
// filing: it walks the hash chain of the filtered expediente, or of every
// expediente at once, merging them by time. Nothing is collected in memory
// but one small status per folio. Times are in the office's zone.
//
// An unknown expediente is ErrNotFound, an empty period ErrInvalid. A
// manifest that is missing or unreadable does not stop the trail: the row
// keeps what the chain entry says, and verification names the object. fn's
// error stops the walk and is returned as is.
func (o *Office) Trail(ctx context.Context, f TrailFilter, fn func(TrailEvent) error) error {
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return Errorf(ErrInvalid, "El periodo del rastro está vacío: la fecha inicial es posterior a la final.")
	}
	var ids []string
	if f.Expediente != "" {
		if _, err := o.Archive.Expediente(f.Expediente); err != nil {
			return err
		}
		ids = []string{f.Expediente}
	} else {
		for _, e := range o.Archive.Expedientes() {
			ids = append(ids, e.ID)
		}
	}
	switch len(ids) {
	case 0:
		return nil
	case 1:
		return o.trailWalk(ctx, ids[0], f, fn)
	}
	return o.trailMerge(ctx, ids, f, fn)
}

// trailMerge walks every chain in its own goroutine (their reads overlap,
// which matters on S3) and merges the streams by filing time; ties go to
// the expediente configured first.
func (o *Office) trailMerge(ctx context.Context, ids []string, f TrailFilter, fn func(TrailEvent) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type stream struct {
		ch   chan TrailEvent
		head TrailEvent
		ok   bool
	}
	streams := make([]*stream, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		s := &stream{ch: make(chan TrailEvent, 64)}
		streams[i] = s
		wg.Go(func() {
			defer close(s.ch)
			errs[i] = o.trailWalk(ctx, id, f, func(ev TrailEvent) error {
				select {
				case s.ch <- ev:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if errs[i] != nil {
				cancel()
			}
		})
	}
	var ferr error
	for _, s := range streams {
		s.head, s.ok = <-s.ch
	}
	for {
		best := -1
		for i, s := range streams {
			if s.ok && (best < 0 || s.head.At.Before(streams[best].head.At)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		if ferr = fn(streams[best].head); ferr != nil {
			cancel()
			break
		}
		s := streams[best]
		s.head, s.ok = <-s.ch
	}
	wg.Wait()
	if ferr != nil {
		return ferr
	}
	// The first error that is not the cancellation it caused in the others.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// trailDoc is what a walk remembers of a folio: its status so far and
// whether the document itself matched the filter.
type trailDoc struct {
	status  Status
	owed    expects // what it still waits for
	matches bool
}

// trailWalk streams the matching events of one expediente. It reads the
// chain from its first entry: statuses depend on earlier events.
func (o *Office) trailWalk(ctx context.Context, exp string, f TrailFilter, emit func(TrailEvent) error) error {
	docs := map[string]*trailDoc{}
	q := trailQuery{tramite: trailFold(f.Tramite), area: trailFold(f.Area), person: trailFold(f.Person)}
	return o.Archive.Entries(ctx, exp, time.Time{}, f.To, func(e Entry) error {
		inRange := f.From.IsZero() || !e.At.Before(f.From)
		typeOK := f.Type == "" || e.Type == f.Type
		doc := docs[e.Folio]
		if doc == nil && e.Folio != "" {
			doc = &trailDoc{}
			docs[e.Folio] = doc
		}
		wanted := inRange && typeOK
		// A document before the period is read only when a person filter
		// must know whether its later events match.
		opens := e.Event == EventEmitido || e.Event == EventRecibido
		if !wanted && !(opens && q.person != "" && typeOK) {
			o.trailAdvance(doc, e, nil)
			return nil
		}
		rows, err := o.trailRows(ctx, e)
		if err != nil {
			return err
		}
		if opens && doc != nil {
			doc.matches = false
			for _, r := range rows {
				doc.matches = doc.matches || q.match(r.manifest, e.Author)
			}
		}
		o.trailAdvance(doc, e, rows)
		if !wanted {
			return nil
		}
		for _, r := range rows {
			if !q.empty() && !(q.match(r.manifest, e.Author) || doc != nil && doc.matches) {
				continue
			}
			ev := r.event
			if doc != nil {
				ev.Status = doc.status
			}
			if f.Pages != nil && ev.Key != "" && ev.Kind != "manifest" && ev.Kind != "huerfano" {
				if ev.Fojas, err = o.trailFojas(ctx, ev.Key, f.Pages); err != nil {
					return err
				}
			}
			if err := emit(ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// trailFojas counts the pages of a filed file. A file that is missing or
// that the counter cannot read counts as unknown: verification says why.
func (o *Office) trailFojas(ctx context.Context, key string, pages PageCounter) (int, error) {
	b, err := o.Archive.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("trail: read %s: %w", key, err)
	}
	switch strings.ToLower(path.Ext(key)) {
	case ".jpg", ".jpeg", ".png", ".tif", ".tiff":
		return 1, nil
	}
	n, err := pages(b)
	if err != nil {
		return 0, nil
	}
	return n, nil
}

// trailAdvance moves a folio's status past entry e, as Record.Derive does
// over a whole record.
func (o *Office) trailAdvance(doc *trailDoc, e Entry, rows []trailRow) {
	if doc == nil {
		return
	}
	waits := doc.owed
	if e.Event == EventEmitido {
		var ms []Manifest
		if len(rows) > 0 {
			for _, r := range rows {
				if r.manifest != nil {
					ms = append(ms, *r.manifest)
				}
			}
		} else if o.Catalog != nil {
			if t, err := o.Catalog.Type(e.Type); err == nil {
				for _, x := range t.Tantos {
					ms = append(ms, Manifest{Acuse: x.Acuse, Firma: x.Firma})
				}
			}
		}
		waits = expectsOf(ms)
	}
	doc.status, doc.owed = doc.status.after(e.Event, waits)
}

// trailRow is a row with the manifest it came from (nil when there is none
// or it could not be read).
type trailRow struct {
	event    TrailEvent
	manifest *Manifest
}

// trailRows turns one chain entry into its rows: one per filed file, read
// with the manifest beside it; for an event without files, one per
// manifest; for an event without objects, one.
func (o *Office) trailRows(ctx context.Context, e Entry) ([]trailRow, error) {
	base := TrailEvent{Expediente: e.Expediente, Seq: e.Seq, Entry: e.Key, At: o.inZone(e.At), Event: e.Event, Folio: e.Folio,
		Type: e.Type, Author: e.Author, Reason: e.Reason}
	if o.Catalog != nil && e.Type != "" {
		if t, err := o.Catalog.Type(e.Type); err == nil {
			base.Title = t.Title
		}
	}
	manifests := map[string]Object{}
	files := 0
	for _, obj := range e.Objects {
		if obj.Kind == "manifest" {
			manifests[obj.Key] = obj
		} else {
			files++
		}
	}
	var rows []trailRow
	add := func(obj Object, m *Manifest) {
		ev := base
		ev.Key, ev.SHA256, ev.Size, ev.Kind, ev.Tanto = obj.Key, obj.SHA256, obj.Size, obj.Kind, obj.Tanto
		if m != nil {
			ev.Date = o.inZone(m.Date)
			ev.Subject, ev.Area, ev.Tramite = m.Subject, m.Area, m.Tramite
			if ev.Title == "" {
				ev.Title = m.Title
			}
			if ev.Reason == "" {
				ev.Reason = m.Reason
			}
			if e.Event == EventEmitido || e.Event == EventRecibido {
				ev.Fields = m.Fields
			}
		}
		if e.Event == EventDescartado && ev.Subject == "" {
			ev.Subject = "Objeto de una emisión interrumpida"
		}
		ev.Filed = o.trailFiled(e, obj)
		rows = append(rows, trailRow{event: ev, manifest: m})
	}
	for _, obj := range e.Objects {
		switch {
		case obj.Kind == "manifest" && files > 0:
			continue
		case obj.Kind == "manifest":
			m, err := o.trailManifest(ctx, obj.Key)
			if err != nil {
				return nil, err
			}
			add(obj, m)
		case obj.Kind == "huerfano":
			add(obj, nil)
		default:
			var m *Manifest
			key := strings.TrimSuffix(obj.Key, path.Ext(obj.Key)) + ".json"
			if _, ok := manifests[key]; ok {
				var err error
				if m, err = o.trailManifest(ctx, key); err != nil {
					return nil, err
				}
			}
			add(obj, m)
		}
	}
	if len(rows) == 0 {
		ev := base
		if e.Event == EventAnulado && ev.Subject == "" {
			ev.Subject = "Folio reservado por una emisión que no concluyó"
		}
		rows = append(rows, trailRow{event: ev})
	}
	return rows, nil
}

// trailFiled tells whether obj belongs in the expediente as kept on paper.
func (o *Office) trailFiled(e Entry, obj Object) bool {
	switch obj.Kind {
	case "acuse", "anexo", "escaneo":
		return true
	case "pdf":
		if o.Catalog == nil {
			return true
		}
		t, err := o.Catalog.Type(e.Type)
		if err != nil {
			return true // a type no longer defined: keep everything
		}
		someFiled := false
		for _, x := range t.Tantos {
			someFiled = someFiled || x.Filed
		}
		x, ok := t.Tanto(obj.Tanto)
		return !someFiled || !ok || x.Filed
	}
	return false
}

// trailManifest reads a manifest. A missing or unreadable one is reported
// by verification, not here: the trail goes on without it.
func (o *Office) trailManifest(ctx context.Context, key string) (*Manifest, error) {
	b, err := o.Archive.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("trail: read %s: %w", key, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, nil
	}
	return &m, nil
}

// trailQuery holds the folded text filters.
type trailQuery struct{ tramite, area, person string }

func (q trailQuery) empty() bool { return q.tramite == "" && q.area == "" && q.person == "" }

// match tells whether a manifest (and the event's author) meets the text
// filters.
func (q trailQuery) match(m *Manifest, author string) bool {
	if q.empty() {
		return true
	}
	if m == nil {
		return false
	}
	if q.tramite != "" && trailFold(m.Tramite) != q.tramite {
		return false
	}
	if q.area != "" && !strings.Contains(trailFold(m.Area), q.area) {
		return false
	}
	if q.person != "" && !q.names(m, author) {
		return false
	}
	return true
}

// names tells whether the author or one field value names the person:
// every word of the filter begins a word of it, so «karla montiel» finds
// «C. Karla Yesenia Montiel Fuentes» and «ana» does not find «Juliana».
func (q trailQuery) names(m *Manifest, author string) bool {
	want := strings.Fields(q.person)
	has := func(s string) bool {
		if s == "" {
			return false
		}
		words := strings.FieldsFunc(trailFold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, w := range want {
			if !slices.ContainsFunc(words, func(x string) bool { return strings.HasPrefix(x, w) }) {
				return false
			}
		}
		return true
	}
	if has(author) || has(m.Author) {
		return true
	}
	for _, v := range m.Fields {
		if has(v.Text) {
			return true
		}
		for _, row := range v.Rows {
			for _, c := range row {
				if has(c) {
					return true
				}
			}
		}
	}
	return false
}

// trailFold lowers s, takes the accents off (ñ too: people type
// «Nunez» for «Núñez») and collapses white space.
func trailFold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'á', 'à', 'â', 'ä', 'ã', 'å':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'í', 'ì', 'î', 'ï':
			r = 'i'
		case 'ó', 'ò', 'ô', 'ö', 'õ':
			r = 'o'
		case 'ú', 'ù', 'û', 'ü':
			r = 'u'
		case 'ñ':
			r = 'n'
		case 'ç':
			r = 'c'
		case 'ý', 'ÿ':
			r = 'y'
		}
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// VerifyTrail verifies the chains of the expedientes a trail involved, in
// configuration order. Errors are the archive's (not findings: those are in
// the verifications).
func (o *Office) VerifyTrail(ctx context.Context, expedientes []string) ([]Verification, error) {
	want := map[string]bool{}
	for _, id := range expedientes {
		want[id] = true
	}
	var out []Verification
	for _, e := range o.Archive.Expedientes() {
		if !want[e.ID] {
			continue
		}
		v, err := o.Archive.Verify(ctx, e.ID)
		if err != nil {
			return nil, fmt.Errorf("trail: verify %s: %w", e.ID, err)
		}
		if v.Findings == nil {
			v.Findings = []Finding{}
		}
		out = append(out, v)
	}
	return out, nil
}

// cgcaNames are the names of the common sections and series of the federal
// Cuadro General de Clasificación Archivística that Legajo's default
// expedientes use (reference/archivistica-mx.md §2.1). SESVER's own
// approved CGCA, once configured, names the rest; until then instruments
// leave those names blank, to be written by hand.
var cgcaNames = map[string]string{
	"06C.17": "Inventario físico y control de bienes muebles",
	"08C":    "Tecnologías y servicios de la información",
	"08C.04": "Desarrollo e infraestructura de telecomunicaciones",
	"08C.09": "Desarrollo informático",
	"08C.10": "Seguridad informática",
	"08C.11": "Desarrollo de sistemas",
	"12C.10": "Sistemas de datos personales",
}

// Classification splits a classification code (fondo.sección.serie, and
// .subserie) into its levels, each with its name when Legajo knows it:
// SESVER.08C.09 gives fondo SESVER, sección 08C and serie 08C.09.
type Classification struct {
	Fondo, Seccion, Serie, Subserie      string
	SeccionName, SerieName, SubserieName string
}

// SeccionLabel, SerieLabel and SubserieLabel write a level as instruments
// print it: its code, then its name when Legajo knows it.
func (c Classification) SeccionLabel() string  { return label(c.Seccion, c.SeccionName) }
func (c Classification) SerieLabel() string    { return label(c.Serie, c.SerieName) }
func (c Classification) SubserieLabel() string { return label(c.Subserie, c.SubserieName) }

func label(code, name string) string {
	if name == "" {
		return code
	}
	return code + " " + name
}

// Classify reads an expediente's classification code.
func Classify(code string) Classification {
	parts := strings.Split(code, ".")
	var c Classification
	if len(parts) > 0 {
		c.Fondo = parts[0]
	}
	if len(parts) > 1 {
		c.Seccion = parts[1]
		c.SeccionName = cgcaNames[c.Seccion]
	}
	if len(parts) > 2 {
		c.Serie = parts[1] + "." + parts[2]
		c.SerieName = cgcaNames[c.Serie]
	}
	if len(parts) > 3 {
		c.Subserie = strings.Join(parts[1:], ".")
		c.SubserieName = cgcaNames[c.Subserie]
	}
	return c
}

// FojasPerLegajo is how many fojas a legajo (volume) holds before the
// expediente is split: about 3 cm of paper, as the foliado rules ask.
const FojasPerLegajo = 200

// ExpedienteSummary describes one expediente for one year, the unit that
// carátulas, inventarios and retention work with: the manual's expedientes
// are filed "cronológico permanente", so each year of an expediente is
// closed on its own and carries its own number, dates and fojas.
type ExpedienteSummary struct {
	Expediente Expediente `json:"expediente"`
	Year       int        `json:"year"`
	// Number is the expediente's consecutive within its serie
	// (classification code) and year, by opening date.
	Number     int         `json:"number"`
	Documents  int         `json:"documents"` // folios issued or received
	Cancelled  int         `json:"cancelled"`
	Events     int         `json:"events"`          // chain entries
	Files      int         `json:"files"`           // kept files (see TrailEvent.Filed)
	Fojas      int         `json:"fojas,omitempty"` // pages of the kept files, when counted
	Apertura   time.Time   `json:"apertura"`        // date of the first document
	Cierre     time.Time   `json:"cierre"`          // date of the last document
	Closed     bool        `json:"closed"`          // its year is over
	FirstFolio string      `json:"first_folio"`
	LastFolio  string      `json:"last_folio"`
	Types      []TypeCount `json:"types"`
	// Series has one folio range per folio serie of its documents, by
	// serie: each serie numbers its documents on its own, so a range from
	// the first folio of one serie to the last of another says nothing.
	Series []SerieRange `json:"series,omitempty"`
	// Originales and Copias count the documents whose exemplar kept in the
	// expediente is the original (a received document, a tanto filed as
	// ORIGINAL) or a copy (the COPIA that comes back with the acuse).
	Originales int `json:"originales"`
	Copias     int `json:"copias"`
	// EnPapel counts the documents whose original is on paper: every
	// tanto Legajo issues is printed and signed by hand, and
	// correspondence arrives on paper unless it came by e-mail. The
	// archive keeps their electronic image, so such an expediente is
	// híbrido.
	EnPapel int `json:"en_papel"`
	// TransferDue is when the vigencia in trámite runs out (closing plus
	// the years in trámite); DisposalDue when the one in concentración
	// does too. Zero while the expediente is open.
	TransferDue time.Time `json:"transfer_due,omitzero"`
	DisposalDue time.Time `json:"disposal_due,omitzero"`
}

// SerieRange is the folios of one serie an expediente holds: how many
// documents, and the lowest and highest folio. Other expedientes may hold
// folios between them (a type can be filed into more than one).
type SerieRange struct {
	Serie  string   `json:"serie"`  // OL
	Titles []string `json:"titles"` // the document types numbered in it
	Count  int      `json:"count"`
	First  string   `json:"first"` // folio
	Last   string   `json:"last"`
}

// Range writes the serie's folios as a carátula prints them: "OL/0001/2026
// al OL/0042/2026", the prefix left out (it is the same for all).
func (r SerieRange) Range() string {
	if r.First == r.Last {
		return shortFolio(r.First)
	}
	return shortFolio(r.First) + " al " + shortFolio(r.Last)
}

// shortFolio leaves out a folio's prefix: SESVER/DA/DTI/OL/0042/2026 gives
// OL/0042/2026.
func shortFolio(f string) string {
	parts := strings.Split(f, "/")
	if len(parts) <= 3 {
		return f
	}
	return strings.Join(parts[len(parts)-3:], "/")
}

// folioSerie reads the serie and number of a folio (…/<serie>/<NNNN>/<AAAA>).
func folioSerie(f string) (string, int) {
	parts := strings.Split(f, "/")
	if len(parts) < 3 {
		return f, 0
	}
	n, _ := strconv.Atoi(parts[len(parts)-2])
	return parts[len(parts)-3], n
}

// TypeCount is how many documents of one type an expediente holds.
type TypeCount struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	Count int    `json:"count"`
}

// Clasificacion is the expediente's number as filed: code/year/consecutive,
// e.g. SESVER.08C.09/2026/1.
func (s ExpedienteSummary) Clasificacion() string {
	return s.Expediente.Code + "/" + strconv.Itoa(s.Year) + "/" + strconv.Itoa(s.Number)
}

// Title is the expediente's title for this year.
func (s ExpedienteSummary) Title() string {
	return s.Expediente.Name + " " + strconv.Itoa(s.Year)
}

// Legajos is how many volumes its fojas make.
func (s ExpedienteSummary) Legajos() int {
	return max(1, int(math.Ceil(float64(s.Fojas)/FojasPerLegajo)))
}

// Location is where the expediente's objects are in the archive.
func (s ExpedienteSummary) Location() string {
	return "expedientes/" + s.Expediente.ID + "/" + strconv.Itoa(s.Year) + "/"
}

// Description is the asunto (alcance y contenido): the expediente's own
// description from the configuration, as an archivist writes it; without
// one, the kinds of documents it holds.
func (s ExpedienteSummary) Description() string {
	if d := strings.TrimSpace(s.Expediente.Description); d != "" {
		return d
	}
	var titles []string
	for _, t := range s.Types {
		titles = append(titles, t.Title)
	}
	if len(titles) == 0 {
		return ""
	}
	return "Contiene: " + strings.Join(titles, "; ") + "."
}

// Contents says how many documents of which types the expediente holds,
// and how many were cancelled: the documentación of an inventory row.
func (s ExpedienteSummary) Contents() string {
	var parts []string
	for _, t := range s.Types {
		parts = append(parts, fmt.Sprintf("%s (%d)", t.Title, t.Count))
	}
	d := Plural(s.Documents, "documento", "documentos")
	if len(parts) > 0 {
		d += ": " + strings.Join(parts, "; ")
	}
	if s.Cancelled > 0 {
		d += ". " + Plural(s.Cancelled, "cancelado, que conserva su folio", "cancelados, que conservan su folio")
	}
	return d + "."
}

// Soporte is the expediente's medium: híbrido when any original is on
// paper (the archive holds its electronic image beside it), electrónico
// when every original is electronic.
func (s ExpedienteSummary) Soporte() string {
	if s.EnPapel > 0 {
		return "Híbrido"
	}
	return "Electrónico"
}

// FolioRanges writes the folio range of every serie: "MI/0001/2026 (1);
// OL/0001/2026 al OL/0004/2026 (3)".
func (s ExpedienteSummary) FolioRanges() string {
	var parts []string
	for _, r := range s.Series {
		parts = append(parts, r.Range()+" ("+strconv.Itoa(r.Count)+")")
	}
	return strings.Join(parts, "; ")
}

// Summaries describes every year of the expediente (of every expediente
// when id is ""), read from the chains, in order of classification code,
// year and number. Numbers count the expedientes that share the code, so
// their chains are read too. pages, when not nil, counts fojas (and reads
// every kept file). An unknown expediente is ErrNotFound.
func (o *Office) Summaries(ctx context.Context, id string, pages PageCounter) ([]ExpedienteSummary, error) {
	exps := o.Archive.Expedientes()
	if id != "" {
		e, err := o.Archive.Expediente(id)
		if err != nil {
			return nil, err
		}
		var same []Expediente
		for _, x := range exps {
			if x.Code == e.Code {
				same = append(same, x)
			}
		}
		exps = same
	}
	now := o.now()
	var all []ExpedienteSummary
	for _, e := range exps {
		units, err := o.summarize(ctx, e, pages, now)
		if err != nil {
			return nil, err
		}
		all = append(all, units...)
	}
	// Consecutive numbers within code and year, by opening date; the
	// configuration order breaks ties (all is in that order).
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Expediente.Code != b.Expediente.Code {
			return a.Expediente.Code < b.Expediente.Code
		}
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		return a.Apertura.Before(b.Apertura)
	})
	for i := range all {
		all[i].Number = 1
		if i > 0 && all[i-1].Expediente.Code == all[i].Expediente.Code && all[i-1].Year == all[i].Year {
			all[i].Number = all[i-1].Number + 1
		}
	}
	if id != "" {
		all = slices.DeleteFunc(all, func(s ExpedienteSummary) bool { return s.Expediente.ID != id })
	}
	return all, nil
}

// Summary is the summary of one expediente's year, or ErrNotFound when the
// expediente holds no document of that year.
func (o *Office) Summary(ctx context.Context, id string, year int, pages PageCounter) (ExpedienteSummary, error) {
	all, err := o.Summaries(ctx, id, pages)
	if err != nil {
		return ExpedienteSummary{}, err
	}
	for _, s := range all {
		if s.Year == year {
			return s, nil
		}
	}
	return ExpedienteSummary{}, Errorf(ErrNotFound, "El expediente «%s» no tiene documentos de %d.", id, year)
}

// summarize reads one expediente's chain into its yearly summaries. A
// document belongs to the year of its date; its acuse and attachments
// follow it even when filed the next year.
func (o *Office) summarize(ctx context.Context, e Expediente, pages PageCounter, now time.Time) ([]ExpedienteSummary, error) {
	units := map[int]*ExpedienteSummary{}
	types := map[int]map[string]*TypeCount{}
	series := map[int]map[string]*SerieRange{}
	// the exemplar kept of each issued folio: ORIGINAL or COPIA
	kept := map[string]bool{}
	var lastSeq int64 = -1
	err := o.Trail(ctx, TrailFilter{Expediente: e.ID, Pages: pages}, func(ev TrailEvent) error {
		when := ev.Date
		if when.IsZero() {
			when = ev.At
		}
		y := when.Year()
		u := units[y]
		if u == nil {
			u = &ExpedienteSummary{Expediente: e, Year: y}
			units[y] = u
			types[y] = map[string]*TypeCount{}
			series[y] = map[string]*SerieRange{}
		}
		first := ev.Seq != lastSeq
		lastSeq = ev.Seq
		if first {
			u.Events++
			switch ev.Event {
			case EventEmitido, EventRecibido:
				u.Documents++
				if u.Apertura.IsZero() || when.Before(u.Apertura) {
					u.Apertura, u.FirstFolio = when, ev.Folio
				}
				if !when.Before(u.Cierre) {
					u.Cierre, u.LastFolio = when, ev.Folio
				}
				tc := types[y][ev.Type]
				if tc == nil {
					tc = &TypeCount{Type: ev.Type, Title: ev.Title}
					types[y][ev.Type] = tc
				}
				tc.Count++
				serie, n := folioSerie(ev.Folio)
				sr := series[y][serie]
				if sr == nil {
					sr = &SerieRange{Serie: serie}
					series[y][serie] = sr
				}
				sr.Count++
				if !slices.Contains(sr.Titles, ev.Title) && ev.Title != "" {
					sr.Titles = append(sr.Titles, ev.Title)
				}
				if _, first := folioSerie(sr.First); sr.First == "" || n < first {
					sr.First = ev.Folio
				}
				if _, last := folioSerie(sr.Last); sr.Last == "" || n > last {
					sr.Last = ev.Folio
				}
				if ev.Event == EventRecibido {
					// the received original is kept; on paper unless it
					// came by e-mail
					u.Originales++
					if ev.Fields["tipo"].Text != "Correo electrónico" {
						u.EnPapel++
					}
				} else {
					u.EnPapel++
				}
			case EventCancelado:
				u.Cancelled++
			}
		}
		if ev.Filed {
			u.Files++
			u.Fojas += ev.Fojas
		}
		if ev.Event == EventEmitido && ev.Filed && ev.Kind == "pdf" && !kept[ev.Folio] {
			kept[ev.Folio] = true
			if strings.EqualFold(ev.Tanto, "ORIGINAL") {
				u.Originales++
			} else {
				u.Copias++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []ExpedienteSummary
	for y, u := range units {
		if u.Documents == 0 {
			continue // only annulled folios or discarded objects: no expediente
		}
		for _, tc := range types[y] {
			u.Types = append(u.Types, *tc)
		}
		for _, sr := range series[y] {
			u.Series = append(u.Series, *sr)
		}
		sort.Slice(u.Series, func(i, j int) bool { return u.Series[i].Serie < u.Series[j].Serie })
		sort.Slice(u.Types, func(i, j int) bool {
			if u.Types[i].Count != u.Types[j].Count {
				return u.Types[i].Count > u.Types[j].Count
			}
			return u.Types[i].Title < u.Types[j].Title
		})
		u.Closed = y < now.Year()
		if u.Closed {
			u.TransferDue = u.Cierre.AddDate(e.YearsTramite, 0, 0)
			u.DisposalDue = u.Cierre.AddDate(e.RetentionYears(), 0, 0)
		}
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// Disposition is what the Catálogo de Disposición Documental proposes for
// an expediente whose vigencia has run out. Legajo only proposes: nothing
// is ever deleted or moved by it.
type Disposition string

const (
	DispositionTransfer  Disposition = "transferencia primaria"   // to the archivo de concentración
	DispositionBaja      Disposition = "baja documental"          // through an inventario de baja and acta
	DispositionHistorico Disposition = "transferencia secundaria" // to the archivo histórico
	DispositionMuestreo  Disposition = "muestreo"                 // select a sample for the histórico, baja for the rest
)

// RetentionItem is one expediente due for a disposition.
type RetentionItem struct {
	Summary ExpedienteSummary `json:"summary"`
	Action  Disposition       `json:"action"`
	Due     time.Time         `json:"due"` // since when
	Note    string            `json:"note"`
}

// Retention lists the closed expedientes whose vigencia has run out on
// now, oldest due first: those past their years in trámite are proposed for
// transferencia primaria; those past their whole retention, for the
// destino final of their serie.
func Retention(sums []ExpedienteSummary, now time.Time) []RetentionItem {
	var out []RetentionItem
	for _, s := range sums {
		switch {
		case !s.Closed || s.TransferDue.IsZero() || s.TransferDue.After(now):
			continue
		case !s.DisposalDue.After(now):
			it := RetentionItem{Summary: s, Due: s.DisposalDue}
			switch s.Expediente.Destino {
			case "Baja":
				it.Action = DispositionBaja
				it.Note = "Vigencia total cumplida. Proponer la baja en un inventario de baja documental con dictamen y acta; Legajo no elimina nada."
			case "Muestreo":
				it.Action = DispositionMuestreo
				it.Note = "Vigencia total cumplida. Seleccionar la muestra que se transfiere al archivo histórico; el resto, a baja documental con dictamen y acta."
			default:
				it.Action = DispositionHistorico
				it.Note = "Vigencia total cumplida. Transferir al archivo histórico para su conservación permanente."
			}
			out = append(out, it)
		default:
			out = append(out, RetentionItem{Summary: s, Action: DispositionTransfer, Due: s.TransferDue,
				Note: fmt.Sprintf("Vigencia en trámite (%d años) cumplida. Proponer la transferencia primaria al archivo de concentración mediante inventario de transferencia.", s.Expediente.YearsTramite)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// Inventory kinds, per the Ley General de Archivos (art. 13).
const (
	InventoryGeneral       = "general"
	InventoryTransferencia = "transferencia"
	InventoryBaja          = "baja"
)

// InventoryRows selects the expedientes of an inventario documental: every
// one for the general; those past their years in trámite for the
// transferencia primaria; those past their whole retention whose destino
// final is baja (or muestreo) for the baja. An unknown kind is ErrInvalid.
func InventoryRows(kind string, sums []ExpedienteSummary, now time.Time) ([]ExpedienteSummary, error) {
	var out []ExpedienteSummary
	switch kind {
	case InventoryGeneral:
		out = append(out, sums...)
		sort.SliceStable(out, func(i, j int) bool { return out[i].Apertura.Before(out[j].Apertura) })
		return out, nil
	case InventoryTransferencia, InventoryBaja:
	default:
		return nil, Errorf(ErrInvalid, "«%s» no es un tipo de inventario: use general, transferencia o baja.", kind)
	}
	for _, it := range Retention(sums, now) {
		switch {
		case kind == InventoryTransferencia:
			out = append(out, it.Summary)
		case it.Action == DispositionBaja || it.Action == DispositionMuestreo:
			out = append(out, it.Summary)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Apertura.Before(out[j].Apertura) })
	return out, nil
}

// Registry is a registry rebuilt from the documents that feed it (the
// bitácora de fallas); the others are live data (RegistroDef).
type Registry struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Types []string `json:"types"` // the document types read
}

var registries = []Registry{
	{ID: "fallas", Title: "Bitácora de reportes de fallas en líneas telefónicas e internet", Types: []string{"reporte-cierre"}},
}

// Registries lists the registries Legajo rebuilds.
func Registries() []Registry { return slices.Clone(registries) }

// RegistryByID returns a registry, or ErrInvalid naming the known ones.
func RegistryByID(id string) (Registry, error) {
	var ids []string
	for _, r := range registries {
		if r.ID == id {
			return r, nil
		}
		ids = append(ids, r.ID)
	}
	return Registry{}, Errorf(ErrInvalid, "No existe el registro «%s»; use %s.", printable(id), strings.Join(ids, ", "))
}

// RegistryEvents collects, in chronological order, every event of the
// registry's document types in all expedientes.
func (o *Office) RegistryEvents(ctx context.Context, r Registry) ([]TrailEvent, error) {
	var out []TrailEvent
	for _, t := range r.Types {
		err := o.Trail(ctx, TrailFilter{Type: t}, func(ev TrailEvent) error {
			out = append(out, ev)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
