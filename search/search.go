// Package search is Legajo's full-text search: a bleve index on local disk,
// derived from the archive and rebuilt from it at will (deleting the index
// loses nothing). It is the only package that imports bleve.
//
// # What is indexed
//
// One index document per folio: folio (every way of typing it), type,
// title, asunto, expediente, área, trámite, author, date, year and status
// (pendiente de acuse, acusado, cancelado …), the document's full text
// (legajo.PlainText of its public values), cancellation reasons and
// attachment descriptions, and the text layer of uploaded PDFs (acuses,
// received oficios, attachments). Secrets are never indexed: manifests do not
// hold them and PlainText drops them again.
//
// # Spanish
//
// Text fields use one analyzer (analysis.go): lower case, accents and ñ
// folded, Spanish stop words dropped, numbers without leading zeros or
// thousands separators, then a Spanish stemmer: the endings of gender and
// number, and those that make verbs and nouns of one stem (liberar,
// liberación, liberado), with a list of words whose forms mean different
// things (informe, información). The content field also holds what
// documents write in parts and people type whole: telephones in digit
// groups, amounts with cents, and the initials of the institutions named
// (HGT for Hospital General de Tuxpan).
//
// Queries (query.go, typed.go) are AND of units: words, each also matching
// the indexed words a typo or two away when the index does not hold it
// (on the stem and on the word as typed, so names survive stemming), and
// an abbreviation's meaning (legajo.Synonym); "quoted phrases"; -word
// exclusions; folios however typed («ol 7», «oficio DT 0004/2026») as a
// boosted exact folio clause; dates typed as numbers; numbers typed in
// groups; codes by their start; prefix* and «a o b». When no document
// holds every unit, those holding most of them are the result, marked
// Partial, and a word the index does not hold gets a «¿Quiso decir …?»
// from the index's own words. Live documents rank above cancelled ones.
// fixtures.JudgedQueries measures all of it (judged_test.go). Fragments
// are cut from the stored text by highlight.go with the same analyzer, so
// «Contraseña» is marked for contrasena.
//
// # Layout on disk
//
// The index directory holds generations: CURRENT names the live one
// (gen-NNNNNN, a bleve index). Rebuild writes a new generation in a sibling
// build-* directory and, only once it is complete, renames it and replaces
// CURRENT atomically; an interrupted rebuild leaves the old generation
// serving and its leftovers are removed later. The index's internal storage
// keeps, per expediente, the sequence number of the last chain entry it has
// indexed: the index knows how far it has followed the archive.
//
// # Several processes, one archive
//
// bleve locks an open index for one process (bbolt's flock on root.bolt).
// Every process that searches keeps itself caught up with the archive's
// events by tailing each expediente's chain from its stored position
// (CatchUp, and Follow every few seconds for servers), so a document issued
// by any process or node is findable everywhere. When Open finds the live
// generation locked by another process (a `legajo serve` beside the CLI, or
// a second server on the same disk) it does not wait and does not fail: it
// opens a private snapshot instead. Scorch's segment files are immutable, so
// the snapshot hard-links them and copies root.bolt (read until two reads
// agree, so a write in progress is never copied torn); the snapshot carries
// its own followed positions, so CatchUp brings it up to date with the
// archive before it answers. Measured at 100,000 documents
// (BENCHMARKS.md), snapshot, catch-up, one search and removal take 70–85
// ms, against a minute for a private rebuild; and unlike a read-only open
// (which waits for the holder's lock) it works while the owner holds the
// index. The snapshot is removed on Close (or, after a crash, by
// the next Open).
package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"

	"github.com/sesver/legajo"
)

// Index is the search index of one archive. It implements legajo.Searcher
// and is safe for concurrent use. Servers keep it caught up with Follow and
// CatchUp; Index adds one record directly (tests, tools).
type Index struct {
	dir string
	x   *indexer

	mu      sync.RWMutex // guards idx, gen, path, private and closed; searches hold it for reading
	idx     bleve.Index
	gen     string // generation open, e.g. gen-000003
	path    string // directory open: the generation, or a private snapshot of it
	private bool   // path is a private snapshot, removed on Close
	closed  bool

	follow   sync.Mutex // one catch-up at a time; guards the index's stored positions
	posMu    sync.Mutex // guards pos, which is replaced, never changed, under follow
	pos      map[string]int64
	catchUps int // under follow

	seenMu sync.Mutex
	seen   map[string]map[int64]bool // entries indexed through Index, not yet passed by CatchUp

	facets   *facetTable                         // of the generation open
	dead     *deadTable                          // of the generation open
	acronyms atomic.Pointer[map[string][]string] // of the generation open (see refreshAcronyms)
	dates    *dateTable                          // of the generation open (stats.go)
}

var _ legajo.Searcher = (*Index)(nil)

// ErrClosed is returned by an Index used after Close.
var ErrClosed = errors.New("search: index closed")

// ErrOtherFormat is the kind of error Open returns for an index written by
// a version of Legajo that laid it out differently: it must be rebuilt.
var ErrOtherFormat = errors.New("search: index of another format")

// indexer turns records into index documents.
type indexer struct {
	cat *legajo.Catalog
	src legajo.Archive
	log *slog.Logger

	titlesOnce sync.Once
	titles     map[string]bool // see titleWords

	newAcronyms atomic.Bool // a document built since the last commit defines one (see acronymsIn)
}

func (x *indexer) warn(format string, args ...any) {
	x.log.Warn(fmt.Sprintf(format, args...))
}

// Open opens the index kept in dir for the archive src, whose document
// types are cat, creating an empty one if dir holds none. It never waits for
// nor fails because of another process holding the index (see the package
// comment). The index is as fresh as its last catch-up: call CatchUp before
// answering a one-off query, or Follow in a server. Errors are I/O failures
// and ErrOtherFormat for an index written by an incompatible version (run
// Rebuild).
func Open(dir string, cat *legajo.Catalog, src legajo.Archive) (*Index, error) {
	if dir == "" {
		return nil, legajo.Errorf(legajo.ErrInvalid, "search: no index directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("search: open %s: %w", dir, err)
	}
	x := &Index{dir: dir, x: &indexer{cat: cat, src: src, log: slog.Default()}, seen: map[string]map[int64]bool{}}
	if err := x.load(); err != nil {
		return nil, err
	}
	removeLeftovers(dir)
	return x, nil
}

// SetLogger sets where warnings (an unreadable upload, a document missing
// from the archive) go; the default is slog.Default().
func (x *Index) SetLogger(l *slog.Logger) {
	if l == nil {
		l = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	x.x.log = l
}

// load opens the generation CURRENT names (creating the first one if
// needed) and makes it the index searched, closing the one open before.
func (x *Index) load() error {
	var lastErr error
	for range 3 {
		gen, err := currentGen(x.dir, true)
		if err != nil {
			return err
		}
		x.mu.RLock()
		same := x.gen == gen && x.idx != nil
		x.mu.RUnlock()
		if same {
			return nil
		}
		idx, path, private, err := openGen(x.dir, gen)
		if errors.Is(err, os.ErrNotExist) {
			lastErr = err // replaced by a rebuild while we opened it: read CURRENT again
			continue
		}
		if err != nil {
			return err
		}
		pos, err := readState(idx, path)
		if err != nil {
			idx.Close()
			if private {
				os.RemoveAll(path)
			}
			return err
		}
		x.follow.Lock()
		x.mu.Lock()
		if x.closed {
			x.mu.Unlock()
			x.follow.Unlock()
			idx.Close()
			if private {
				os.RemoveAll(path)
			}
			return ErrClosed
		}
		old, oldPath, oldPrivate, oldGen := x.idx, x.path, x.private, x.gen
		x.idx, x.path, x.private, x.gen = idx, path, private, gen
		x.facets = newFacetTable()
		x.dead = newDeadTable()
		x.dates = &dateTable{}
		x.posMu.Lock()
		x.pos = pos
		x.posMu.Unlock()
		x.mu.Unlock()
		x.follow.Unlock()
		if err := x.refreshAcronyms(); err != nil {
			x.x.warn("%v", err) // searches go on without the acronyms
		}
		if old != nil {
			old.Close()
			if oldPrivate {
				os.RemoveAll(oldPath)
			} else if oldGen != gen {
				removeUnused(oldPath)
			}
		}
		return nil
	}
	return fmt.Errorf("search: open %s: %w", x.dir, lastErr)
}

// readState checks the index's format and reads its followed positions.
func readState(idx bleve.Index, path string) (map[string]int64, error) {
	f, err := idx.GetInternal(keyFormat)
	if err != nil {
		return nil, fmt.Errorf("search: open %s: %w", path, err)
	}
	if string(f) != formatVersion {
		return nil, legajo.Errorf(ErrOtherFormat, "El índice de búsqueda en %s es de otra versión (%q); reconstrúyalo con «legajo reindex».", path, f)
	}
	pos := map[string]int64{}
	b, err := idx.GetInternal(keyPositions)
	if err != nil {
		return nil, fmt.Errorf("search: open %s: %w", path, err)
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &pos); err != nil {
			return nil, fmt.Errorf("search: open %s: positions: %w", path, err)
		}
	}
	return pos, nil
}

// Private tells whether x searches a private snapshot because another
// process holds the live index.
func (x *Index) Private() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.private
}

// Close closes the index; a private snapshot is removed.
func (x *Index) Close() error {
	x.follow.Lock()
	defer x.follow.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	var err error
	if x.idx != nil {
		err = x.idx.Close()
		if x.private {
			os.RemoveAll(x.path)
		}
		x.idx = nil
	}
	if err != nil {
		return fmt.Errorf("search: close: %w", err)
	}
	return nil
}

// Index indexes (or re-indexes) one record: Office calls it after every
// commit. Errors are archive read failures (an uploaded PDF's bytes) and
// index failures; the archive stays the system of record, so a failure here
// is repaired by the next CatchUp or Rebuild.
func (x *Index) Index(ctx context.Context, rec *legajo.Record) error {
	if rec == nil || rec.Folio.IsZero() {
		return legajo.Errorf(legajo.ErrInvalid, "search: record without folio")
	}
	doc, err := x.x.document(ctx, rec)
	if err != nil {
		return err
	}
	x.mu.RLock()
	if x.closed {
		x.mu.RUnlock()
		return ErrClosed
	}
	err = x.idx.Index(rec.Folio.String(), doc)
	x.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("search: index %s: %w", rec.Folio, err)
	}
	if err := x.acronymsChanged(); err != nil {
		x.x.warn("%v", err)
	}
	// Remember the entries this state includes that CatchUp has not passed
	// yet, so that it does not index the same record again.
	x.posMu.Lock()
	pos := x.pos
	x.posMu.Unlock()
	x.seenMu.Lock()
	for _, e := range rec.Entries {
		if e.Seq <= pos[e.Expediente] {
			continue
		}
		if x.seen[e.Expediente] == nil {
			x.seen[e.Expediente] = map[int64]bool{}
		}
		x.seen[e.Expediente][e.Seq] = true
	}
	x.seenMu.Unlock()
	return nil
}

// DocCount is the number of documents (folios) in the index.
func (x *Index) DocCount() (int, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return 0, ErrClosed
	}
	n, err := x.idx.DocCount()
	return int(n), err
}

// Positions returns, per expediente, the sequence number of the last chain
// entry the index has followed.
func (x *Index) Positions() map[string]int64 {
	x.posMu.Lock()
	defer x.posMu.Unlock()
	out := make(map[string]int64, len(x.pos))
	for k, v := range x.pos {
		out[k] = v
	}
	return out
}

// Dir is the directory the index was opened in.
func (x *Index) Dir() string { return x.dir }

// path helpers

func genPath(dir, gen string) string { return filepath.Join(dir, gen) }
