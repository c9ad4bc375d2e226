package archive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// Key layout. Keys of filed objects sort chronologically, so a plain listing
// of an expediente is already its trail:
//
//	expedientes/<exp>/<AAAA>/<MM>/<AAAAMMDDTHHMMSS.mmmZ>_<folio-slug>_<what>.<ext>
//	expedientes/<exp>/<AAAA>/<MM>/<…same…>.json         manifest beside each file
//	cadenas/<exp>/<seq, 12 digits>.json                   the hash chain: commit records
//	documentos/<folio-slug>/<seq>_<exp>.json              pointers folio → chain entry (derived)
//	folios/<serie>/<year>/<n, 6 digits>                   folio claims
//	idempotencia/<sha256 of key>.json, …-resultado.json   idempotency keys
//	estados/<folio-slug>/<transition>[-<n>]               status changes: alta, acuse,
//	                                                      cancelado (see transition.go)
const (
	expRoot   = "expedientes/"
	chainRoot = "cadenas/"
	docRoot   = "documentos/"
	idemRoot  = "idempotencia/"
	seqDigits = 12
)

// Archive files documents and their events into expedientes on a Store. It
// implements legajo.Archive. It is safe for concurrent use, and several
// processes (or machines) may share one Store.
type Archive struct {
	st Store

	expMu sync.RWMutex
	exps  map[string]legajo.Expediente
	order []legajo.Expediente

	mu     sync.Mutex
	heads  map[string]*head       // per expediente
	series map[string]*sync.Mutex // claim turns, by numbers directory (serie and year)

	// The signing key, when this process holds it: entries and checkpoints
	// are signed with it. verifier checks them; it is set with or without
	// the key.
	signer   *Signer
	verifier *Verifier
	witness  Store // where checkpoints are also written; nil: nowhere
	log      logState
	clock    func() time.Time
	accounts sync.Map // login → the latest version known (users.go)
	layouts  layouts  // the keys of the records read last (layout.go)
}

// head is the last known entry of a chain, and the places this process's
// appenders hold after it: they create their entries in turn, so that they
// do not race each other on the store.
type head struct {
	mu    sync.Mutex
	known bool
	seq   int64 // the last entry linked
	hash  string
	// Places handed out beyond seq, and the turn of each to be created
	// (see appendEntry).
	tail     int64
	tailHash string
	epoch    uint64 // changes when a place handed out turned out wrong
	turn     *sync.Cond
}

var _ legajo.Archive = (*Archive)(nil)

// New returns an Archive over st with the configured expedientes.
func New(st Store, exps []legajo.Expediente) (*Archive, error) {
	a := &Archive{st: st, heads: map[string]*head{}, series: map[string]*sync.Mutex{}}
	if err := a.SetExpedientes(exps); err != nil {
		return nil, err
	}
	return a, nil
}

// SetExpedientes changes the configured expedientes while the archive
// serves. What is filed stays where it is: an expediente that disappears
// from the configuration can no longer receive documents.
func (a *Archive) SetExpedientes(exps []legajo.Expediente) error {
	m := map[string]legajo.Expediente{}
	for _, e := range exps {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		if _, dup := m[e.ID]; dup {
			return fmt.Errorf("archive: expediente %s configured twice", e.ID)
		}
		m[e.ID] = e
	}
	a.expMu.Lock()
	defer a.expMu.Unlock()
	a.exps, a.order = m, append([]legajo.Expediente(nil), exps...)
	return nil
}

// Store returns the Store beneath a.
func (a *Archive) Store() Store { return a.st }

// Expediente returns the configured expediente id.
func (a *Archive) Expediente(id string) (legajo.Expediente, error) {
	a.expMu.RLock()
	defer a.expMu.RUnlock()
	if e, ok := a.exps[id]; ok {
		return e, nil
	}
	return legajo.Expediente{}, legajo.Errorf(legajo.ErrNotFound, "No existe el expediente «%s».", id)
}

// Expedientes lists the configured expedientes in configuration order.
func (a *Archive) Expedientes() []legajo.Expediente {
	a.expMu.RLock()
	defer a.expMu.RUnlock()
	return a.order
}

// AllocateFolio claims the next folio of serie in year (see claimNumber).
func (a *Archive) AllocateFolio(ctx context.Context, prefix, serie string, year int, claim []byte) (legajo.Folio, error) {
	dir, err := folioDir(serie, year)
	if err != nil {
		return legajo.Folio{}, err
	}
	retain := a.longestOptions(time.Now(), "application/octet-stream").RetainUntil
	for {
		n, err := a.claimNumber(ctx, dir, claim, retain)
		if err != nil {
			return legajo.Folio{}, err
		}
		f := legajo.Folio{Prefix: prefix, Serie: serie, Number: n, Year: year}
		// A claim deleted from storage, or lost by a restore, must not give
		// its number out again: the number is taken if a document points at
		// it or the log sealed an entry of it. This caller's claim of it is
		// then void, and the next number is tried.
		taken, err := a.folioTaken(ctx, f)
		if err != nil || !taken {
			return f, err
		}
	}
}

// claimNumber claims the next number under dir (see allocateNumber), durably.
// Claims of one process take turns, so that they do not all race for the
// same number on the store: only other processes' claims can conflict.
//
// The claim is made whole inside the turn, on fs too. A version that wrote
// the claim before the turn and synced its directory after it was faster
// alone, but a claim then stayed visible without its document longer, and
// an fsck with no grace running in a loop beside eight clerks on a loaded
// machine annulled nearly every one of them (TestFsckWhileEmitting).
func (a *Archive) claimNumber(ctx context.Context, dir string, claim []byte, retain time.Time) (int, error) {
	if len(claim) == 0 {
		return 0, legajo.Errorf(legajo.ErrInvalid, "archive: allocate folio %s: empty claim", dir)
	}
	a.mu.Lock()
	mu := a.series[dir]
	if mu == nil {
		mu = &sync.Mutex{}
		a.series[dir] = mu
	}
	a.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	return allocateNumber(ctx, a.st, dir, claim, retain)
}

// folioTaken tells whether a document already holds folio f: the log
// sealed an entry of it, or a filing took its first state (the alta
// transition, which every emission, receipt and annulment creates before
// its chain entry), or, on fs, a pointer names it.
//
// On S3 the pointers are not listed. A file-backed S3 server (Versity
// Gateway, MinIO) lists a prefix whose "directory" does not exist by
// reading the whole parent directory: documentos/ holds one directory per
// folio, so at 100,000 documents each emission's list took about a second
// of the server's CPU, and emissions and searches queued behind it (the
// web load benchmark). A HEAD of the alta is one stat. What the pointers
// added is the case of someone deleting a document's claim and its alta
// (and not its pointers) before the log sealed it; on S3 the claim and the
// alta carry Object Lock retention, and verify reports a folio issued
// twice either way.
func (a *Archive) folioTaken(ctx context.Context, f legajo.Folio) (bool, error) {
	if a.log.sealedFolio(f.String()) {
		return true, nil
	}
	if ok, err := exists(ctx, a.st, stateKey(f, legajo.EventEmitido.Transition(), 1)); err != nil || ok {
		return ok, err
	}
	if _, ok := unwrap(a.st).(*FSStore); !ok {
		return false, nil
	}
	found := false
	err := a.st.List(ctx, docRoot+f.Slug()+"/", "", func(ObjectInfo) error { found = true; return errStopList })
	if errors.Is(err, errStopList) {
		err = nil
	}
	return found, err
}

var errStopList = errors.New("stop")

// Get returns a stored object.
func (a *Archive) Get(ctx context.Context, key string) ([]byte, error) { return a.st.Get(ctx, key) }

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func timestamp(t time.Time) string { return t.UTC().Format("20060102T150405.000Z") }

// createOptions are the options of an object of expediente exp filed at
// at: where the Store can lock objects, it keeps them for the expediente's
// CADIDO retention (trámite plus concentración) counted from at.
func (a *Archive) createOptions(exp legajo.Expediente, at time.Time, contentType string) CreateOptions {
	return a.retainFor(exp.RetentionYears(), at, contentType)
}

// longestOptions are the options of an object that serves every
// expediente (a folio claim, a checkpoint or log object, a transition):
// it is kept as long as the longest retention of the expedientes
// configured now, counted from at.
func (a *Archive) longestOptions(at time.Time, contentType string) CreateOptions {
	years := 0
	for _, e := range a.Expedientes() {
		years = max(years, e.RetentionYears())
	}
	return a.retainFor(years, at, contentType)
}

// retainFor are the options of an object created at at that must be kept
// for years, where the Store can lock objects. A retention already over (an object dated long ago, as when a past
// year is loaded) is none: the Store refuses retain-until dates in the
// past.
func (a *Archive) retainFor(years int, at time.Time, contentType string) CreateOptions {
	o := CreateOptions{ContentType: contentType}
	if until := at.AddDate(years, 0, 0); a.st.Locking() && years > 0 && until.After(time.Now()) {
		o.RetainUntil = until
	}
	return o
}

var contentTypes = map[string]string{
	"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "tif": "image/tiff", "json": "application/json",
	"eml": "message/rfc822",
	// A carrier's bill as it came, and what was read from it (its data
	// file beside its own manifest, hence not plain .json).
	"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "consumo.json": "application/json",
	"analisis.json": "application/json",
	// Activity log entries gathered in one write, one per line.
	"jsonl": "application/json",
}

// File stores the filing's files and manifests, then appends its chain
// entry: the commit point. Until the entry exists the objects are not part
// of any record (fsck explains them if the filing never completes).
func (a *Archive) File(ctx context.Context, f legajo.Filing) (legajo.Entry, error) {
	exp, err := a.Expediente(f.Expediente)
	if err != nil {
		return legajo.Entry{}, err
	}
	if f.At.IsZero() {
		return legajo.Entry{}, errors.New("archive: file: no time")
	}
	if err := a.decide(ctx, exp.ID, f, true); err != nil {
		return legajo.Entry{}, err
	}
	base := filingStem(exp.ID, f.At, f.Folio)
	entry := legajo.Entry{Expediente: exp.ID, At: f.At.UTC(), Event: f.Event, Folio: f.Folio.String(), Type: f.Type,
		Author: f.Author, Reason: f.Reason, Request: f.Request}
	// The files and their manifests go up concurrently: their writes are
	// independent, and only the chain entry below commits them.
	objs := make([][2]legajo.Object, len(f.Files))
	errs := make([]error, len(f.Files))
	var wg sync.WaitGroup
	for i, file := range f.Files {
		what := file.Kind
		if file.Tanto != "" {
			what = strings.ToLower(file.Tanto)
		} else if len(f.Files) > 1 {
			what += "-" + strconv.Itoa(i+1)
		}
		wg.Go(func() { objs[i], errs[i] = a.fileOne(ctx, exp, f.At, base+what, file) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return legajo.Entry{}, err
	}
	for _, o := range objs {
		entry.Objects = append(entry.Objects, o[0], o[1])
	}
	if f.Manifest != nil {
		key, err := a.uniqueKey(ctx, base+string(f.Event), ".json")
		if err != nil {
			return legajo.Entry{}, err
		}
		mobj, err := a.putJSON(ctx, key, *f.Manifest, exp, f.At, "manifest", "")
		if err != nil {
			return legajo.Entry{}, err
		}
		entry.Objects = append(entry.Objects, mobj)
	}
	if err := a.decide(ctx, exp.ID, f, false); err != nil {
		return legajo.Entry{}, err
	}
	if err := a.appendEntry(ctx, exp, &entry); err != nil {
		return legajo.Entry{}, err
	}
	a.point(ctx, entry)
	return entry, nil
}

// fileOne stores one file and the manifest beside it.
func (a *Archive) fileOne(ctx context.Context, exp legajo.Expediente, at time.Time, stem string, file legajo.File) ([2]legajo.Object, error) {
	ext := "pdf"
	if file.Manifest.File != nil && file.Manifest.File.Kind != "" {
		ext = file.Manifest.File.Kind
	}
	if fs, ok := unwrap(a.st).(*FSStore); ok {
		t0 := time.Now()
		objs, done, err := fileOneStaged(ctx, fs, stem, ext, file)
		if done {
			observeCreate(a.st, t0, err)
			return objs, err
		}
	}
	return a.fileOneCreates(ctx, exp, at, stem, ext, file)
}

// fileOneCreates is fileOne with one create after the other, each
// durable before the next: the file, then its manifest, which records the
// file's key.
func (a *Archive) fileOneCreates(ctx context.Context, exp legajo.Expediente, at time.Time, stem, ext string, file legajo.File) ([2]legajo.Object, error) {
	key, err := a.createUnique(ctx, stem, "."+ext, file.Data, a.createOptions(exp, at, contentTypes[ext]))
	if err != nil {
		return [2]legajo.Object{}, err
	}
	obj := legajo.Object{Key: key, SHA256: sum(file.Data), Size: int64(len(file.Data)), Kind: file.Kind, Tanto: file.Tanto}
	m := file.Manifest
	m.File = &obj
	mobj, err := a.putJSON(ctx, strings.TrimSuffix(key, "."+ext)+".json", m, exp, at, "manifest", file.Tanto)
	return [2]legajo.Object{obj, mobj}, err
}

// fileOneStaged is fileOne on fs with the file and its manifest written
// and synced at the same time, then linked, the file first, and their
// directory synced once: two disk syncs one after the other on an
// emission's way instead of four. done is false, and nothing is left behind, when the file's name
// is taken (another filing in the same millisecond): fileOne then goes
// the way that picks another name.
func fileOneStaged(ctx context.Context, fs *FSStore, stem, ext string, file legajo.File) (objs [2]legajo.Object, done bool, err error) {
	key, mkey := stem+"."+ext, stem+".json"
	obj := legajo.Object{Key: key, SHA256: sum(file.Data), Size: int64(len(file.Data)), Kind: file.Kind, Tanto: file.Tanto}
	m := file.Manifest
	m.File = &obj
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return objs, true, fmt.Errorf("archive: encode %s: %w", mkey, err)
	}
	var fo, mo *staged
	var ferr, merr error
	var wg sync.WaitGroup
	wg.Go(func() { fo, ferr = fs.stage(ctx, key, file.Data, true) })
	mo, merr = fs.stage(ctx, mkey, mb, true)
	wg.Wait()
	for _, o := range []*staged{fo, mo} {
		if o != nil {
			defer o.discard()
		}
	}
	if err := errors.Join(ferr, merr); err != nil {
		return objs, !errors.Is(err, legajo.ErrConflict), err
	}
	if err := fo.link(); err != nil {
		return objs, !errors.Is(err, legajo.ErrConflict), err
	}
	if err := mo.link(); err != nil {
		return objs, true, err // as when the manifest's create fails: the file stays, unrecorded
	}
	// Both names are in one directory: one fsync started after both links
	// makes both durable.
	if err := fo.sync(); err != nil {
		return objs, true, err
	}
	if mo.parent != fo.parent {
		if err := mo.sync(); err != nil {
			return objs, true, err
		}
	}
	mobj := legajo.Object{Key: mkey, SHA256: sum(mb), Size: int64(len(mb)), Kind: "manifest", Tanto: file.Tanto}
	return [2]legajo.Object{obj, mobj}, true, nil
}

// createUnique creates stem+ext, or stem-<random>+ext should another
// filing have taken the name in the same millisecond.
func (a *Archive) createUnique(ctx context.Context, stem, ext string, data []byte, opts CreateOptions) (string, error) {
	key := stem + ext
	for range 4 {
		err := a.st.Create(ctx, key, data, opts)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, legajo.ErrConflict) {
			return "", err
		}
		key = stem + "-" + randomToken() + ext
	}
	return "", fmt.Errorf("archive: create %s: name taken", stem)
}

func (a *Archive) uniqueKey(ctx context.Context, stem, ext string) (string, error) {
	key := stem + ext
	if _, err := a.st.Stat(ctx, key); errors.Is(err, legajo.ErrNotFound) {
		return key, nil
	} else if err != nil {
		return "", err
	}
	return stem + "-" + randomToken() + ext, nil
}

func randomToken() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (a *Archive) putJSON(ctx context.Context, key string, v any, exp legajo.Expediente, at time.Time, kind, tanto string) (legajo.Object, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return legajo.Object{}, fmt.Errorf("archive: encode %s: %w", key, err)
	}
	if err := a.st.Create(ctx, key, b, a.createOptions(exp, at, "application/json")); err != nil {
		return legajo.Object{}, err
	}
	return legajo.Object{Key: key, SHA256: sum(b), Size: int64(len(b)), Kind: kind, Tanto: tanto}, nil
}

func chainPrefix(exp string) string { return chainRoot + exp + "/" }

func chainKey(exp string, seq int64) string {
	return fmt.Sprintf("%s%0*d.json", chainPrefix(exp), seqDigits, seq)
}

func seqOf(exp, key string) (int64, bool) {
	s, ok := strings.CutPrefix(key, chainPrefix(exp))
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".json")
	if !ok || len(s) != seqDigits {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

func (a *Archive) headOf(exp string) *head {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := a.heads[exp]
	if h == nil {
		h = &head{}
		h.turn = sync.NewCond(&h.mu)
		a.heads[exp] = h
	}
	return h
}

// appendEntry links e to the chain of exp: it takes the next sequence
// number with a conditional create, so concurrent appenders in any number
// of processes each get their own place, and each entry carries the hash of
// the one before it.
//
// Within the process, each appender takes the place after the last one
// handed out, builds its entry on that one's hash and stages it (see
// stageEntry) at the same time as the others; then they create them in the
// order of their places. When a create fails (another process took the
// number first, or the write failed), every place after it is wrong: those
// appenders take new places. On fs, where staging writes and syncs the file
// and the create is only a link, the clerks filing into one expediente wait
// for each other's links, not for each other's disk syncs.
func (a *Archive) appendEntry(ctx context.Context, exp legajo.Expediente, e *legajo.Entry) error {
	h := a.headOf(exp.ID)
	for {
		h.mu.Lock()
		if !h.known {
			if err := a.findHead(ctx, exp.ID, h); err != nil {
				h.mu.Unlock()
				return err
			}
			h.tail, h.tailHash = h.seq, h.hash
		}
		e.Seq, e.Prev = h.tail+1, h.tailHash
		b, err := a.encodeEntry(e)
		if err != nil {
			h.mu.Unlock()
			return err
		}
		key, hash, epoch := chainKey(exp.ID, e.Seq), sum(b), h.epoch
		h.tail, h.tailHash = e.Seq, hash
		h.mu.Unlock()

		o, err := a.stageEntry(ctx, exp, key, b, e.At)
		h.mu.Lock()
		for h.epoch == epoch && h.seq != e.Seq-1 {
			h.turn.Wait()
		}
		if h.epoch != epoch {
			h.mu.Unlock()
			if o != nil {
				o.discard()
			}
			continue
		}
		if err == nil {
			err = o.link()
		}
		if err == nil {
			h.seq, h.hash = e.Seq, hash
			h.turn.Broadcast()
			h.mu.Unlock()
			o.discard()
			e.Key, e.Hash = key, hash
			if err := o.sync(); err != nil {
				return err
			}
			a.log.offer(e)
			return nil
		}
		// Every place handed out after this one is wrong now.
		h.epoch++
		retry := false
		if errors.Is(err, legajo.ErrConflict) {
			// Another process appended first: step onto its entry.
			other, gerr := a.st.Get(ctx, key)
			if retry = gerr == nil; retry {
				h.seq, h.hash = e.Seq, sum(other)
			} else {
				err = gerr
			}
		}
		h.tail, h.tailHash = h.seq, h.hash
		h.turn.Broadcast()
		h.mu.Unlock()
		if o != nil {
			o.discard()
		}
		if !retry {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// pendingEntry is a chain entry staged for its create.
type pendingEntry interface {
	link() error // the conditional create: ErrConflict when the key exists
	sync() error // makes the created entry durable, where link did not
	discard()    // releases what was staged; an entry not linked leaves nothing
}

// stageEntry stages a chain entry: on fs its file is written and synced
// (see FSStore.stage); on other stores nothing is done before the create.
func (a *Archive) stageEntry(ctx context.Context, exp legajo.Expediente, key string, b []byte, at time.Time) (pendingEntry, error) {
	if fs, ok := unwrap(a.st).(*FSStore); ok {
		o, err := fs.stage(ctx, key, b, true)
		if err != nil {
			return nil, err
		}
		return o, nil
	}
	return &createLater{a: a, ctx: ctx, key: key, data: b, opts: a.createOptions(exp, at, "application/json")}, nil
}

// createLater is an entry whose create does everything: a conditional PUT,
// durable when it returns.
type createLater struct {
	a    *Archive
	ctx  context.Context
	key  string
	data []byte
	opts CreateOptions
}

func (c *createLater) link() error { return c.a.st.Create(c.ctx, c.key, c.data, c.opts) }
func (c *createLater) sync() error { return nil }
func (c *createLater) discard()    {}

// findHead finds the last entry of a chain. Entries are numbered from 1
// without gaps, so it probes for them by key, from the last entry the
// signed log sealed (when this process knows it) or else from the first:
// doubling the step while entries exist, then halving it (see probeHead).
// A file-backed S3 server lists a chain of 100,000 entries by reading its
// whole directory for every page, seconds under load; a probe is a few
// dozen HEADs at most. A chain with a hole (an entry deleted: verify names
// it) is listed whole, as before.
func (a *Archive) findHead(ctx context.Context, exp string, h *head) error {
	from := a.log.sealedHead(exp)
	if from == 0 {
		from = 1
	}
	last, ok, err := a.probeHead(ctx, exp, from)
	if err != nil {
		return err
	}
	if !ok {
		// No entry where the probe began (a new chain, or one with a
		// hole), or something past the end it found: list it whole.
		if last, err = a.listHead(ctx, exp); err != nil {
			return err
		}
	}
	h.known, h.seq, h.hash = true, 0, ""
	if last == 0 {
		return nil
	}
	b, err := a.st.Get(ctx, chainKey(exp, last))
	if err != nil {
		return err
	}
	h.seq, h.hash = last, sum(b)
	return nil
}

// probeHead finds the last of exp's entries from seq on (see probeLast).
// ok is false when entry seq does not exist, or when one of the three
// after the end it found does (a hole, not the end).
func (a *Archive) probeHead(ctx context.Context, exp string, seq int64) (last int64, ok bool, err error) {
	key := func(n int64) string { return chainKey(exp, n) }
	if ok, err := exists(ctx, a.st, key(seq)); err != nil || !ok {
		return 0, false, err
	}
	if last, err = probeLast(ctx, a.st, key, seq); err != nil {
		return 0, false, err
	}
	found := make([]bool, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range found {
		wg.Go(func() { found[i], errs[i] = exists(ctx, a.st, key(last+2+int64(i))) })
	}
	wg.Wait()
	for i := range found {
		if errs[i] != nil {
			return 0, false, errs[i]
		}
		if found[i] {
			return 0, false, nil
		}
	}
	return last, true, nil
}

// listHead finds the last entry of exp's chain by listing it whole: 0
// when it has none.
func (a *Archive) listHead(ctx context.Context, exp string) (int64, error) {
	var last string
	if err := a.st.List(ctx, chainPrefix(exp), "", func(o ObjectInfo) error { last = o.Key; return nil }); err != nil {
		return 0, err
	}
	if last == "" {
		return 0, nil
	}
	seq, ok := seqOf(exp, last)
	if !ok {
		return 0, fmt.Errorf("archive: chain of %s ends in a foreign object %s; run legajo verify", exp, last)
	}
	return seq, nil
}

// point records that entry concerns its folio. Pointers are derived data: a
// lost one is rebuilt by fsck, and Record falls back to the chain.
func (a *Archive) point(ctx context.Context, e legajo.Entry) {
	if e.Folio == "" {
		return
	}
	_ = a.st.Create(ctx, pointerKey(e), pointerBody(e), CreateOptions{ContentType: "application/json", Derived: true})
}

func pointerKey(e legajo.Entry) string {
	return fmt.Sprintf("%s%s/%0*d_%s.json", docRoot, strings.ReplaceAll(e.Folio, "/", "-"), seqDigits, e.Seq, e.Expediente)
}

// readEntry reads and decodes a chain entry.
func (a *Archive) readEntry(ctx context.Context, key string) (legajo.Entry, error) {
	b, err := a.st.Get(ctx, key)
	if err != nil {
		return legajo.Entry{}, err
	}
	e, err := decodeEntry(b)
	if err != nil {
		return legajo.Entry{}, fmt.Errorf("archive: entry %s: %w", key, err)
	}
	e.Key, e.Hash = key, sum(b)
	return e, nil
}

// Entries calls fn for every entry of exp's chain in order, limited to
// entries at or after from and before to (zero values: unbounded).
func (a *Archive) Entries(ctx context.Context, exp string, from, to time.Time, fn func(legajo.Entry) error) error {
	if _, err := a.Expediente(exp); err != nil {
		return err
	}
	return a.st.List(ctx, chainPrefix(exp), "", func(o ObjectInfo) error {
		e, err := a.readEntry(ctx, o.Key)
		if err != nil {
			return err
		}
		if (!from.IsZero() && e.At.Before(from)) || (!to.IsZero() && !e.At.Before(to)) {
			return nil
		}
		return fn(e)
	})
}

// Record returns the entries and manifests filed under folio.
func (a *Archive) Record(ctx context.Context, folio legajo.Folio) (*legajo.Record, error) {
	return a.record(ctx, folio, false)
}

// RecordWithObjects is Record that also reads every object its entries
// name, in the round that reads the manifests, and gives their hashes in
// Record.Read: a page that shows a document and checks its files (see
// legajo.Office.RecordChecked) waits for one round of reads fewer.
func (a *Archive) RecordWithObjects(ctx context.Context, folio legajo.Folio) (*legajo.Record, error) {
	return a.record(ctx, folio, true)
}

func (a *Archive) record(ctx context.Context, folio legajo.Folio, objects bool) (*legajo.Record, error) {
	notFound := legajo.Errorf(legajo.ErrNotFound, "No hay ningún documento con el folio %s.", folio)
	if folio.IsZero() {
		return nil, notFound
	}
	// A record is a handful of small objects (pointers, entries,
	// manifests); each kind is read at once, so that on S3 it costs a
	// round trip's wait, not one per object. The keys the folio was read
	// from last time are asked for while its pointers are listed (see
	// layouts): when nothing changed, the rounds below find everything
	// read.
	rd := a.newReads()
	var pointers []string
	var wg sync.WaitGroup
	if guess := a.layouts.guess(folio, objects); len(guess) > 0 {
		wg.Go(func() { rd.get(ctx, guess) })
	}
	err := a.st.List(ctx, docRoot+folio.Slug()+"/", "", func(o ObjectInfo) error {
		pointers = append(pointers, o.Key)
		return nil
	})
	wg.Wait()
	if err != nil {
		return nil, err
	}
	// A pointer's key names its entry as its body does (pointerKey), so
	// the entries are read with the pointers, in the same round; the body
	// decides, and an entry it names otherwise (a redirected pointer) is
	// read after.
	named := make([]string, 0, 2*len(pointers))
	named = append(named, pointers...)
	for _, p := range pointers {
		if k, ok := pointedEntry(p); ok {
			named = append(named, k)
		}
	}
	rd.get(ctx, named)
	var keys []string
	for _, p := range pointers {
		b, err := rd.of(p)
		if err != nil {
			return nil, err
		}
		var body struct{ Entry string }
		if json.Unmarshal(b, &body) == nil && body.Entry != "" {
			keys = append(keys, body.Entry)
		}
	}
	rd.get(ctx, keys)
	rec := &legajo.Record{Folio: folio}
	for _, k := range keys {
		b, err := rd.of(k)
		if err != nil {
			return nil, err
		}
		e, err := decodeEntry(b)
		if err != nil {
			return nil, fmt.Errorf("archive: entry %s: %w", k, err)
		}
		e.Key, e.Hash = k, sum(b)
		// An entry of another folio (a redirected pointer) is returned as
		// it is: legajo.Office.CheckRecord names the mismatch.
		rec.Entries = append(rec.Entries, e)
	}
	fromPointers := len(rec.Entries) > 0
	if !fromPointers {
		// A pointer may be missing after a crash right after the commit:
		// look in the chain of the expediente the folio was claimed for.
		exp, ok := a.claimedExpediente(ctx, folio)
		if !ok {
			return nil, notFound
		}
		err := a.Entries(ctx, exp, time.Time{}, time.Time{}, func(e legajo.Entry) error {
			if e.Folio == folio.String() {
				rec.Entries = append(rec.Entries, e)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(rec.Entries) == 0 {
			return nil, legajo.Errorf(legajo.ErrNotFound, "El folio %s está reservado pero aún no tiene documento (emisión en curso o interrumpida).", folio)
		}
	}
	sort.SliceStable(rec.Entries, func(i, j int) bool { return rec.Entries[i].At.Before(rec.Entries[j].At) })
	rec.Expediente = rec.Entries[0].Expediente
	var manifests, others []string
	if e, ok := rec.Emitted(); ok {
		for _, obj := range e.Objects {
			if obj.Kind == "manifest" {
				manifests = append(manifests, obj.Key)
			}
		}
	}
	if objects {
		for _, e := range rec.Entries {
			for _, obj := range e.Objects {
				if !slices.Contains(manifests, obj.Key) && !slices.Contains(others, obj.Key) {
					others = append(others, obj.Key)
				}
			}
		}
	}
	objs := append(slices.Clip(manifests), others...)
	rd.get(ctx, objs)
	rec.Read = make(map[string]legajo.ReadObject, len(objs))
	for i, k := range objs {
		b, err := rd.of(k)
		switch {
		case err == nil:
			rec.Read[k] = legajo.ReadObject{SHA256: sum(b), Size: int64(len(b))}
		case i < len(manifests): // a record without its manifests is not shown
			return nil, err
		case errors.Is(err, legajo.ErrNotFound):
			rec.Read[k] = legajo.ReadObject{Missing: true}
		default:
			return nil, err
		}
		if i < len(manifests) {
			var m legajo.Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("archive: manifest %s: %w", k, err)
			}
			rec.Manifests = append(rec.Manifests, m)
		}
	}
	rec.Derive()
	if fromPointers {
		meta := slices.Concat(pointers, keys, manifests)
		a.layouts.remember(folio, recordLayout{meta: meta, objects: others}, objects)
	}
	return rec, nil
}

// getEach reads keys, a few at a time: each object's bytes, or its error.
func (a *Archive) getEach(ctx context.Context, keys []string) ([][]byte, []error) {
	data := make([][]byte, len(keys))
	errs := make([]error, len(keys))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, k := range keys {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			data[i], errs[i] = a.st.Get(ctx, k)
		})
	}
	wg.Wait()
	return data, errs
}

// Claimed is false when folio has neither its claim nor its alta
// transition (see legajo.Archive): then no document was ever filed under
// it, unless someone deleted both (verify reports that).
func (a *Archive) Claimed(ctx context.Context, folio legajo.Folio) (bool, error) {
	if folio.IsZero() {
		return false, nil
	}
	claim, err := claimKey(folio)
	if err != nil {
		return false, nil
	}
	keys := []string{claim, stateKey(folio, legajo.EventEmitido.Transition(), 1)}
	found := make([]bool, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() { found[i], errs[i] = exists(ctx, a.st, k) })
	}
	wg.Wait()
	for i := range keys {
		if found[i] || errs[i] != nil {
			return found[i], errs[i]
		}
	}
	return false, nil
}

func (a *Archive) claimedExpediente(ctx context.Context, folio legajo.Folio) (string, bool) {
	key, err := claimKey(folio)
	if err != nil {
		return "", false
	}
	b, err := a.st.Get(ctx, key)
	if err != nil {
		return "", false
	}
	var c struct{ Expediente string }
	if json.Unmarshal(b, &c) != nil || c.Expediente == "" {
		return "", false
	}
	return c.Expediente, true
}

func idemKey(key string) string { return idemRoot + legajo.RequestHash(key) }

// Claim registers an idempotency key.
func (a *Archive) Claim(ctx context.Context, key string, fp legajo.Fingerprint) ([]byte, bool, error) {
	k := idemKey(key)
	b, _ := json.Marshal(struct {
		legajo.Fingerprint
		At time.Time `json:"at"`
	}{fp, time.Now().UTC()})
	err := a.st.Create(ctx, k+".json", b, CreateOptions{ContentType: "application/json"})
	if err == nil {
		return nil, true, nil
	}
	if !errors.Is(err, legajo.ErrConflict) {
		return nil, false, err
	}
	stored, err := a.st.Get(ctx, k+".json")
	if err != nil {
		return nil, false, err
	}
	var first legajo.Fingerprint
	if json.Unmarshal(stored, &first) != nil || !first.Same(fp) {
		return nil, false, legajo.Errorf(legajo.ErrConflict, "La clave de idempotencia ya se usó para otra solicitud con datos distintos.")
	}
	res, err := a.st.Get(ctx, k+"-resultado.json")
	if errors.Is(err, legajo.ErrNotFound) {
		return nil, false, nil
	}
	return res, false, err
}

// Settle stores the result of an idempotency key's request.
func (a *Archive) Settle(ctx context.Context, key string, result []byte) error {
	err := a.st.Create(ctx, idemKey(key)+"-resultado.json", result, CreateOptions{ContentType: "application/json"})
	if errors.Is(err, legajo.ErrConflict) {
		return nil
	}
	return err
}
