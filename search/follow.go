package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/sesver/legajo"
)

// Tuning of catch-up and rebuild. A window is the run of chain entries
// grouped before indexing: a document and its later events (acuse,
// cancellation) in one window are indexed once, from the entries already
// read; one whose first entry came in an earlier window is read whole with
// Archive.Record. batchSize is documents per bleve batch: a batch's
// analysis (every term of every document, about 80 KB a document with the
// pairs of words) stays in memory until its segment is built, and three
// batches are in flight during a rebuild; 1,000 kept 300 MB live, 250
// keeps 80 MB for the same CPU time (BENCHMARKS.md, issue 13).
const (
	windowSize = 20_000
	batchSize  = 250
)

// tailer is what archive.Archive offers beyond legajo.Archive to read a
// chain from a position; without it CatchUp reads chains from the start.
type tailer interface {
	EntriesAfter(ctx context.Context, exp string, seq int64, fn func(legajo.Entry) error) error
	ListEntriesAfter(ctx context.Context, exp string, seq int64, fn func(legajo.Entry) error) error
	HasEntry(ctx context.Context, exp string, seq int64) (bool, error)
}

// counter tells how long a chain is, for progress reports.
type counter interface {
	LastSeq(ctx context.Context, exp string) (int64, error)
}

// CatchUp indexes every event filed since the index last followed the
// archive, in every expediente, whoever filed it. It returns when the index
// has caught up with the chains as they were when it looked. Errors are
// archive read failures and index failures; what was indexed before the
// error stays, and the next call resumes from there.
func (x *Index) CatchUp(ctx context.Context) error {
	x.follow.Lock()
	defer x.follow.Unlock()
	x.mu.RLock()
	closed := x.closed
	x.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	t, fast := x.x.src.(tailer)
	// The probe looks at the next entry only, and new entries are read by
	// key; now and then (a listing reads the whole chain directory on fs)
	// the chains are listed past them too, so that an entry missing in the
	// middle of a chain (legajo verify reports it) does not hide the ones
	// after it.
	x.catchUps++
	probe := fast && x.catchUps%60 != 1
	for _, exp := range x.x.src.Expedientes() {
		pos := x.pos[exp.ID]
		if probe {
			more, err := t.HasEntry(ctx, exp.ID, pos+1)
			if err != nil {
				return fmt.Errorf("search: follow %s: %w", exp.ID, err)
			}
			if !more {
				continue
			}
		}
		if err := x.followChain(ctx, exp.ID, pos, !probe, nil); err != nil {
			return err
		}
	}
	return nil
}

// Follow keeps the index caught up until ctx is done: every interval it
// catches up with the archive's chains, and when another process has
// rebuilt the index (CURRENT names a new generation) it moves to it. With
// an interval of 1 s a document filed by any process or node is findable
// here within about a second. Failures are logged and retried; Follow
// returns ctx's error, or ErrClosed after Close.
func (x *Index) Follow(ctx context.Context, every time.Duration) error {
	if every <= 0 {
		every = time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if err := x.load(); err != nil {
			if errors.Is(err, ErrClosed) {
				return err
			}
			x.x.warn("search: follow: %v", err)
		}
		if err := x.CatchUp(ctx); err != nil {
			if errors.Is(err, ErrClosed) {
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			x.x.warn("search: follow: %v", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// followChain indexes the entries of exp's chain after pos, a window at a
// time, storing the new position with the last batch of each window; list
// looks past a missing entry (see archive's ListEntriesAfter). The caller
// holds x.follow.
func (x *Index) followChain(ctx context.Context, exp string, pos int64, list bool, progress func(n int)) error {
	window := make([]legajo.Entry, 0, 256)
	flush := func() error {
		if len(window) == 0 {
			return nil
		}
		last := window[len(window)-1].Seq
		if err := x.indexWindow(ctx, exp, window, last); err != nil {
			return err
		}
		if progress != nil {
			progress(len(window))
		}
		window = window[:0]
		return nil
	}
	visit := func(e legajo.Entry) error {
		if e.Seq <= pos {
			return nil
		}
		window = append(window, e)
		if len(window) >= windowSize {
			return flush()
		}
		return nil
	}
	var err error
	if t, ok := x.x.src.(tailer); ok && list {
		err = t.ListEntriesAfter(ctx, exp, pos, visit)
	} else if ok {
		err = t.EntriesAfter(ctx, exp, pos, visit)
	} else {
		err = x.x.src.Entries(ctx, exp, time.Time{}, time.Time{}, visit)
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("search: follow %s: %w", exp, err)
	}
	return nil
}

// task is one folio to (re)index: from the window's entries when the
// window holds the entry that filed it, else from the archive.
type task struct {
	folio   legajo.Folio
	entries []legajo.Entry // nil: read the record from the archive
}

// indexWindow indexes the folios the entries touch and records last as
// exp's position in the same batch as the last documents.
func (x *Index) indexWindow(ctx context.Context, exp string, window []legajo.Entry, last int64) error {
	groups := map[string]*task{}
	var order []*task
	for _, e := range window {
		if e.Folio == "" || e.Event == legajo.EventTramite || e.Event == legajo.EventRegistro {
			continue // a case's movement is not a document; the case page shows it
		}
		g := groups[e.Folio]
		if g == nil {
			f, ok := parseFolio(e.Folio)
			if !ok {
				x.x.warn("search: entry %s: bad folio %q", e.Key, e.Folio)
				continue
			}
			g = &task{folio: f}
			groups[e.Folio] = g
			order = append(order, g)
		}
		g.entries = append(g.entries, e)
	}
	// Skip what Index already indexed in this state; read whole what began
	// before the window.
	x.seenMu.Lock()
	seen := x.seen[exp]
	tasks := order[:0]
	for _, g := range order {
		all := seen != nil
		for _, e := range g.entries {
			all = all && seen[e.Seq]
		}
		for _, e := range g.entries {
			delete(seen, e.Seq)
		}
		if all {
			continue
		}
		starts := false
		for _, e := range g.entries {
			switch e.Event {
			case legajo.EventEmitido, legajo.EventRecibido, legajo.EventAnulado:
				starts = true
			}
		}
		if !starts {
			g.entries = nil
		}
		tasks = append(tasks, g)
	}
	x.seenMu.Unlock()

	newPos := make(map[string]int64, len(x.pos)+1)
	for k, v := range x.pos {
		newPos[k] = v
	}
	newPos[exp] = last
	posJSON, err := json.Marshal(newPos)
	if err != nil {
		return err
	}
	err = x.indexTasks(ctx, tasks, func(b *bleve.Batch, final bool) error {
		if final {
			b.SetInternal(keyPositions, posJSON)
		}
		x.mu.RLock()
		defer x.mu.RUnlock()
		if x.closed {
			return ErrClosed
		}
		return x.idx.Batch(b)
	})
	if err != nil {
		return err
	}
	x.posMu.Lock()
	x.pos = newPos
	x.posMu.Unlock()
	if err := x.acronymsChanged(); err != nil {
		x.x.warn("%v", err) // searches go on without the new acronyms
	}
	return nil
}

// indexTasks builds the documents of tasks with several workers (reading
// manifests and uploads is I/O, from disk or over the network to S3;
// building text is CPU) and hands them to commit in batches; the last batch,
// possibly empty, is marked final.
func (x *Index) indexTasks(ctx context.Context, tasks []*task, commit func(b *bleve.Batch, final bool) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		id  string
		doc map[string]any
		err error
	}
	in := make(chan *task)
	out := make(chan result, 64)
	var wg sync.WaitGroup
	for range max(8, 2*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range in {
				doc, err := x.build(ctx, t)
				select {
				case out <- result{t.folio.String(), doc, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(in)
		for _, t := range tasks {
			select {
			case in <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()

	x.mu.RLock()
	idx := x.idx
	x.mu.RUnlock()
	if idx == nil {
		return ErrClosed
	}
	// Batches are committed two at a time: a commit analyses in parallel
	// but builds its segment on one core, so a second commit keeps the
	// other core busy. The final batch, which stores the position, waits
	// for all the others.
	var (
		commits sync.WaitGroup
		slots   = make(chan struct{}, 2)
		errMu   sync.Mutex
		errOut  error
	)
	setErr := func(err error) {
		errMu.Lock()
		if errOut == nil {
			errOut = err
		}
		errMu.Unlock()
		cancel()
	}
	b := idx.NewBatch()
	for r := range out {
		if r.err != nil {
			setErr(r.err)
			break
		}
		if r.doc == nil {
			continue
		}
		if err := b.Index(r.id, r.doc); err != nil {
			setErr(fmt.Errorf("search: index %s: %w", r.id, err))
			break
		}
		if b.Size() >= batchSize {
			slots <- struct{}{}
			commits.Add(1)
			go func(b *bleve.Batch) {
				defer commits.Done()
				defer func() { <-slots }()
				if err := commit(b, false); err != nil {
					setErr(err)
				}
			}(b)
			b = idx.NewBatch()
		}
	}
	commits.Wait()
	errMu.Lock()
	err := errOut
	errMu.Unlock()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return commit(b, true)
}

// build makes the index document of one task. A folio the archive no
// longer explains (a missing manifest: legajo verify names it) is logged and
// skipped rather than stopping the whole index; other failures stop it.
func (x *Index) build(ctx context.Context, t *task) (map[string]any, error) {
	var rec *legajo.Record
	var err error
	if t.entries != nil {
		rec, err = x.x.recordFrom(ctx, t.folio, t.entries)
	} else {
		rec, err = x.x.src.Record(ctx, t.folio)
	}
	if err == nil {
		var doc map[string]any
		doc, err = x.x.document(ctx, rec)
		if err == nil {
			return doc, nil
		}
	}
	if errors.Is(err, legajo.ErrNotFound) {
		x.x.warn("search: %s not indexed: %v", t.folio, err)
		return nil, nil
	}
	return nil, err
}
