package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sesver/legajo"
)

// Backup copies every object of src that dst lacks into dst: the whole key
// space, whatever its prefixes. Objects are immutable, so a key present in
// dst is done, and an interrupted run simply continues next time. A key
// present on both sides with different sizes is a conflict (one of the two
// was tampered with): it is reported, never overwritten. Every copy is
// checked on arrival. Where dst's answer to the write shows what it stored
// (S3: the server checks the PUT's Content-MD5 against the body it
// received and refuses another, and answers the MD5 of the object it
// stored, which must be that of the bytes read from src), that is the
// check: one request per object. Elsewhere (fs), or when the answer shows
// nothing (an ETag that is no MD5), the copy is read back and its SHA-256
// must equal that of the bytes read from src. An object the log and a
// listing both name is copied once.
//
// Deciding what to copy costs listings, no reads. The key space is cut into
// ranges of a few thousand keys (CopyState, learnt by the previous run
// between the same stores and given as CopyOptions.Since), listed several
// at a time. A range of src whose keys and sizes are those the previous run
// saw and found all in dst is done without listing dst; any other is listed
// on both sides and merged in key order. Reads and writes are for the
// missing objects alone.
//
// Backup returns what it did and, when it stopped early or some copy failed
// its check, an error; conflicts alone are in the report, not an error.
func Backup(ctx context.Context, src, dst Store, opts CopyOptions) (CopyReport, error) {
	c := &copier{src: src, dst: dst, opts: opts, start: time.Now()}
	return c.run(ctx)
}

// Restore copies a backup into dst, which must hold no object: restoring
// over an archive in use would mix two histories. It is Backup otherwise.
func Restore(ctx context.Context, backup, dst Store, opts CopyOptions) (CopyReport, error) {
	var first string
	err := dst.List(ctx, "", "", func(o ObjectInfo) error { first = o.Key; return errStop })
	if err != nil && !errors.Is(err, errStop) {
		return CopyReport{}, err
	}
	if first != "" {
		return CopyReport{}, legajo.Errorf(legajo.ErrConflict,
			"El archivo de destino no está vacío (contiene %s, entre otros): sólo se restaura un respaldo en un archivo vacío.", first)
	}
	return Backup(ctx, backup, dst, opts)
}

// CopyOptions tunes Backup and Restore.
type CopyOptions struct {
	// Workers is the number of objects copied at once; 0 means 16 (on a
	// small S3 server, 16 copied 60% more objects a second than 8, and 32
	// or 64 no more than 16).
	Workers int
	// Deep lists both sides whole, and reads every object present on both
	// and compares their SHA-256 instead of trusting equal sizes: a full
	// audit of the copy, as slow as a first backup.
	Deep bool
	// Full lists the prefixes the signed log covers too, instead of
	// following the lotes sealed since the previous run: it also finds
	// objects no sealed entry names (an emission that died half-way). The
	// ranges of Since still spare listing the target where nothing changed.
	Full bool
	// Since is the state the previous run between the same stores left
	// (CopyReport.State). Nil: the key space is listed whole, on both
	// sides, in one piece.
	Since *CopyState
	// RetainUntil is the retention given to copies when dst has Object
	// Lock and src cannot tell an object's own (see RetentionReader).
	// Zero: none.
	RetainUntil time.Time
	// Progress, if set, is called after each object is dealt with (or a
	// range of them found unchanged), one call at a time.
	Progress func(CopyProgress)
}

// CopyProgress tells how a copy is going.
type CopyProgress struct {
	Key     string
	Outcome string // "copied", "skipped", "conflict" or "failed"
	Done    int    // objects dealt with so far
	Listed  int    // objects of the source listed so far (the total when Listing is false)
	Listing bool   // whether the source is still being listed
}

// CopyReport is what Backup or Restore did.
type CopyReport struct {
	ObjectsCopied  int        `json:"objects_copied"`
	ObjectsSkipped int        `json:"objects_skipped"` // present on both sides already
	Bytes          int64      `json:"bytes"`           // copied
	Conflicts      int        `json:"conflicts"`
	Failed         int        `json:"failed"` // copies that failed their check or could not be made
	Seconds        float64    `json:"seconds"`
	ObjectsSource  int        `json:"objects_source"` // listed in the source
	Ranges         int        `json:"ranges"`         // key ranges of the source
	RangesListed   int        `json:"ranges_listed"`  // of which listed on the target too
	ConflictList   []Conflict `json:"conflict_objects"`
	FailedList     []string   `json:"failed_objects"` // key: reason
	// State is what the next run between the same stores needs (its
	// CopyOptions.Since).
	State CopyState `json:"-"`
}

// CopyState is what a run learnt: the source's key space cut into ranges
// of at most a few thousand keys, each with the number of keys in it and,
// when the run found every one of them in the target, a digest of their
// keys and sizes.
type CopyState struct {
	Ranges []CopyRange `json:"ranges"`
	// Lote is the last lote of the source's signed log whose entries, and
	// what they filed, the target holds: the next run reads the lotes
	// after it instead of listing the prefixes the log covers (see
	// logCovered). 0: the source has no log, or the run failed.
	Lote int64 `json:"lote,omitempty"`
}

// CopyRange holds the keys after After, up to the After of the next range.
type CopyRange struct {
	After string `json:"after"`
	Count int    `json:"n"`
	// Digest sums a hash of each key and size of the range; "" when the
	// target was not seen to hold them all.
	Digest string `json:"digest,omitempty"`
}

// Conflict is a key present on both sides with different content.
type Conflict struct {
	Key        string `json:"key"`
	SourceSize int64  `json:"source_size"`
	TargetSize int64  `json:"target_size"`
}

// checkedCreator is implemented by Stores whose create can tell, from the
// answer to the write itself, that the stored object is the bytes written
// (S3Store: the server checks the PUT's Content-MD5 and answers its own MD5
// of the object). A copy so created needs no read-back; when the answer
// shows nothing (checked false), the copy is read back and compared.
type checkedCreator interface {
	CreateChecked(ctx context.Context, key string, data []byte, opts CreateOptions) (checked bool, err error)
}

// RetentionReader is implemented by Stores that can tell the retention of
// a stored object: the zero time when it has none.
type RetentionReader interface {
	RetainUntil(ctx context.Context, key string) (time.Time, error)
}

var errStop = errors.New("stop")

// maxReported bounds the conflicts and failures listed in a report; the
// counts stay exact.
const maxReported = 1000

// rangeKeys is the most keys a range holds when a run cuts it: two pages
// of an S3 listing. A variable for the tests.
var rangeKeys = 2000

// listers is how many ranges are listed at once.
const listers = 8

type copier struct {
	src, dst Store
	opts     CopyOptions
	start    time.Time

	// flights, when the run follows the log, holds each key a worker took
	// up: the log and the ranges listed beside it may both name an object,
	// which is then copied once (see claim).
	flights *sync.Map

	mu       sync.Mutex
	rep      CopyReport
	segments []*segment
	done     int
	listed   int
	ranges   int // still being listed
}

// segment is a range of the next state, as the run finds it: a digest of
// its keys and sizes, and whether the target is seen to hold them all.
type segment struct {
	after   string
	count   int
	digest  digest
	lastKey string
	listed  bool         // the range was listed whole, on both sides or found unchanged
	bad     atomic.Bool  // some object of it is in conflict or failed
	jobs    atomic.Int64 // copies not done yet
}

func (g *segment) ok() bool { return g.listed && !g.bad.Load() && g.jobs.Load() == 0 }

// digest is a 128-bit sum of the SHA-256 of each key and size of a range:
// two listings of a range have the same digest when they list the same
// objects.
type digest [2]uint64

func (d *digest) add(o ObjectInfo) {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", o.Key, o.Size))
	d[0] += binary.BigEndian.Uint64(h[:8])
	d[1] += binary.BigEndian.Uint64(h[8:16])
}

func (d digest) String() string { return fmt.Sprintf("%016x%016x", d[0], d[1]) }

// copyJob is one object to copy, or (target set) to compare.
type copyJob struct {
	src    ObjectInfo
	target *ObjectInfo
	seg    *segment
	data   []byte // the object's bytes, when read already
	// optional: the source may lack the object (a pointer is written
	// after its entry, and may not have been).
	optional bool
}

func (c *copier) run(ctx context.Context) (CopyReport, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := c.opts.Workers
	if workers <= 0 {
		workers = 16
	}
	ranges := []CopyRange{{}}
	if c.opts.Since != nil && len(c.opts.Since.Ranges) > 0 {
		ranges = slices.Clone(c.opts.Since.Ranges)
		slices.SortFunc(ranges, func(a, b CopyRange) int { return strings.Compare(a.After, b.After) })
		if ranges[0].After != "" {
			ranges = append([]CopyRange{{}}, ranges...)
		}
	}
	if c.opts.Deep {
		for i := range ranges {
			ranges[i].Digest = ""
		}
	}
	c.rep.Ranges = len(ranges)
	c.ranges = len(ranges)

	// With the log: what is new under the prefixes it covers comes from the
	// lotes sealed since the previous run. Without it: everything is
	// listed, and the log's last lote before the listing is where the next
	// run starts.
	since := int64(0)
	if c.opts.Since != nil && !c.opts.Deep && !c.opts.Full {
		since = c.opts.Since.Lote
	}
	lote, skip := since, make([]bool, len(ranges))
	if since > 0 {
		for i := range ranges {
			if i > 0 && i+1 < len(ranges) && covered(ranges[i].After, ranges[i+1].After) {
				skip[i] = true
				c.ranges--
			}
		}
	} else {
		var err error
		if lote, err = lastLote(ctx, c.src); err != nil {
			return c.report(ranges, 0), err
		}
	}

	jobs := make(chan copyJob, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := c.do(ctx, j); err != nil {
					j.seg.bad.Store(true)
					cancel(err)
					continue
				}
				j.seg.jobs.Add(-1)
			}
		})
	}
	logSeg := &segment{listed: true}
	var lg sync.WaitGroup
	if since > 0 {
		c.flights = &sync.Map{}
		lg.Go(func() {
			var err error
			if lote, err = c.followLog(ctx, since, logSeg, jobs); err != nil {
				cancel(err)
			}
		})
	}
	rangeCh := make(chan int)
	for range min(listers, len(ranges)) {
		lg.Go(func() {
			for i := range rangeCh {
				end := ""
				if i+1 < len(ranges) {
					end = ranges[i+1].After
				}
				if err := c.doRange(ctx, ranges[i], end, jobs); err != nil {
					cancel(err)
				}
				c.mu.Lock()
				c.ranges--
				c.mu.Unlock()
			}
		})
	}
	for i := range ranges {
		if skip[i] {
			continue
		}
		select {
		case rangeCh <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(rangeCh)
	lg.Wait()
	close(jobs)
	wg.Wait()
	if context.Cause(ctx) != nil || !logSeg.ok() {
		lote = 0
	}
	rep := c.report(ranges, lote)
	if err := context.Cause(ctx); err != nil {
		return rep, err
	}
	if rep.Failed > 0 {
		return rep, fmt.Errorf("archive: backup: %d object(s) failed their copy; first: %s", rep.Failed, rep.FailedList[0])
	}
	return rep, nil
}

// report returns the report, with the state for the next run: the
// segments this run made, and the ranges it did not reach as they were.
func (c *copier) report(ranges []CopyRange, lote int64) CopyReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rep
	r.ObjectsSource = c.listed
	r.Seconds = time.Since(c.start).Seconds()
	reached := map[string]bool{}
	var state []CopyRange
	for _, g := range c.segments {
		reached[g.after] = true
		cr := CopyRange{After: g.after, Count: g.count}
		if g.ok() {
			cr.Digest = g.digest.String()
		}
		state = append(state, cr)
	}
	for _, cr := range ranges {
		if !reached[cr.After] {
			state = append(state, cr)
		}
	}
	slices.SortFunc(state, func(a, b CopyRange) int { return strings.Compare(a.After, b.After) })
	r.State = CopyState{Ranges: slices.CompactFunc(state, func(a, b CopyRange) bool { return a.After == b.After }), Lote: lote}
	return r
}

// newSegment starts a segment of the next state after key.
func (c *copier) newSegment(after string) *segment {
	g := &segment{after: after}
	c.mu.Lock()
	c.segments = append(c.segments, g)
	c.mu.Unlock()
	return g
}

// doRange deals with the keys after prev.After and up to hi ("": to the
// end). A range the previous run found whole in the target is listed on the
// source first: unchanged, it is done.
func (c *copier) doRange(ctx context.Context, prev CopyRange, hi string, jobs chan<- copyJob) error {
	if prev.Digest != "" {
		var keys []ObjectInfo
		var d digest
		err := c.src.List(ctx, "", prev.After, func(o ObjectInfo) error {
			if hi != "" && o.Key > hi {
				return errStop
			}
			keys = append(keys, o)
			d.add(o)
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
		if len(keys) == prev.Count && d.String() == prev.Digest {
			g := c.newSegment(prev.After)
			g.count, g.digest, g.listed = len(keys), d, true
			c.mu.Lock()
			c.listed += len(keys)
			c.mu.Unlock()
			if len(keys) > 0 {
				c.finishMany(keys[len(keys)-1].Key, len(keys))
			}
			return nil
		}
		ch := make(chan ObjectInfo, len(keys))
		for _, o := range keys {
			ch <- o
		}
		close(ch)
		errc := make(chan error, 1)
		errc <- nil
		return c.mergeRange(ctx, prev.After, hi, ch, errc, jobs)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srcCh, srcErr := listRange(ctx, c.src, prev.After, hi)
	return c.mergeRange(ctx, prev.After, hi, srcCh, srcErr, jobs)
}

// mergeRange lists the target's keys after lo and up to hi, merges them
// with the source's, and queues what the target lacks.
func (c *copier) mergeRange(parent context.Context, lo, hi string, srcCh <-chan ObjectInfo, srcErr <-chan error, jobs chan<- copyJob) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	c.mu.Lock()
	c.rep.RangesListed++
	c.mu.Unlock()
	dstCh, dstErr := listRange(ctx, c.dst, lo, hi)
	g := c.newSegment(lo)
	var segs []*segment
	s, sok := <-srcCh
	d, dok := <-dstCh
	for sok {
		if g.count == rangeKeys {
			segs = append(segs, g)
			g = c.newSegment(g.lastKey)
		}
		g.count++
		g.digest.add(s)
		g.lastKey = s.Key
		c.mu.Lock()
		c.listed++
		c.mu.Unlock()
		for dok && d.Key < s.Key {
			d, dok = <-dstCh // only in dst: not ours to judge
		}
		var j copyJob
		switch {
		case dok && d.Key == s.Key && d.Size != s.Size:
			g.bad.Store(true)
			c.conflict(s, d)
		case dok && d.Key == s.Key && !c.opts.Deep:
			c.finish(s.Key, "skipped", func(r *CopyReport) { r.ObjectsSkipped++ })
		case dok && d.Key == s.Key:
			t := d
			j = copyJob{src: s, target: &t, seg: g}
		default:
			j = copyJob{src: s, seg: g}
		}
		if j.seg != nil {
			g.jobs.Add(1)
			select {
			case jobs <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s, sok = <-srcCh
	}
	cancel()
	for range dstCh {
	}
	if err := <-srcErr; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if err := <-dstErr; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if err := parent.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	for _, sg := range append(segs, g) {
		sg.listed = true
	}
	c.mu.Unlock()
	return nil
}

// listRange streams the objects of st with keys after lo and up to hi
// ("": to the end).
func listRange(ctx context.Context, st Store, lo, hi string) (<-chan ObjectInfo, <-chan error) {
	ch := make(chan ObjectInfo, 1000)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		err := st.List(ctx, "", lo, func(o ObjectInfo) error {
			if hi != "" && o.Key > hi {
				return errStop
			}
			select {
			case ch <- o:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if errors.Is(err, errStop) {
			err = nil
		}
		errc <- err
	}()
	return ch, errc
}

// flight is a key taken up by a worker: done is closed when it is dealt
// with, and outcome then tells how.
type flight struct {
	done    chan struct{}
	outcome string // "ok" (the target holds the source's bytes), "absent" (an optional object the source lacked) or "bad"
}

// claim takes up key for j's worker, or waits for the worker that took it
// up first and tells whether that one dealt with it for j too (then j
// counts no object of its own). Without flights (a run not following the
// log lists no key twice) every key is j's.
func (c *copier) claim(ctx context.Context, j copyJob) (mine *flight, dealt bool, err error) {
	if c.flights == nil {
		return nil, false, nil
	}
	f := &flight{done: make(chan struct{}), outcome: "bad"}
	prev, loaded := c.flights.LoadOrStore(j.src.Key, f)
	if !loaded {
		return f, false, nil
	}
	p := prev.(*flight)
	select {
	case <-p.done:
	case <-ctx.Done():
		return nil, false, context.Cause(ctx)
	}
	switch p.outcome {
	case "ok":
		return nil, true, nil
	case "bad":
		// Reported by the first: j's range must not be taken for done.
		j.seg.bad.Store(true)
		return nil, true, nil
	}
	// The first found no object (a pointer not written yet); j, from a
	// listing, found one: it is j's to copy.
	return nil, false, nil
}

// do copies one object, or compares it when the target has it already.
func (c *copier) do(ctx context.Context, j copyJob) error {
	f, dealt, err := c.claim(ctx, j)
	if err != nil {
		return err
	}
	if dealt {
		c.finish(j.src.Key, "skipped", func(*CopyReport) {})
		return nil
	}
	outcome, err := c.copy(ctx, j)
	if f != nil {
		switch outcome {
		case "copied", "skipped":
			f.outcome = "ok"
		case "absent":
			f.outcome = "absent"
		}
		close(f.done)
	}
	return err
}

// copy copies one object, or compares it when the target has it already,
// and returns the outcome: that of CopyProgress, or "absent" for an
// optional object the source lacks; "" with an error.
func (c *copier) copy(ctx context.Context, j copyJob) (string, error) {
	data, err := j.data, error(nil)
	if data == nil {
		data, err = c.src.Get(ctx, j.src.Key)
	}
	if j.optional && errors.Is(err, legajo.ErrNotFound) {
		return "absent", nil
	}
	if err != nil {
		return "", err
	}
	want := sha256.Sum256(data)
	if j.target != nil {
		got, err := c.dst.Get(ctx, j.src.Key)
		if err != nil {
			return "", err
		}
		if sha256.Sum256(got) != want {
			j.seg.bad.Store(true)
			c.conflict(ObjectInfo{Key: j.src.Key, Size: int64(len(data))}, ObjectInfo{Key: j.src.Key, Size: int64(len(got))})
			return "conflict", nil
		}
		c.finish(j.src.Key, "skipped", func(r *CopyReport) { r.ObjectsSkipped++ })
		return "skipped", nil
	}
	opts := CreateOptions{ContentType: contentTypes[strings.TrimPrefix(path.Ext(j.src.Key), ".")]}
	if c.dst.Locking() {
		if opts.RetainUntil, err = c.retention(ctx, j.src.Key); err != nil {
			return "", err
		}
	}
	checked := false
	if cc, ok := c.dst.(checkedCreator); ok {
		checked, err = cc.CreateChecked(ctx, j.src.Key, data, opts)
	} else {
		err = c.dst.Create(ctx, j.src.Key, data, opts)
	}
	created := err == nil
	if err != nil && !errors.Is(err, legajo.ErrConflict) {
		return "", err
	}
	copied := func(r *CopyReport) { r.ObjectsCopied++; r.Bytes += int64(len(data)) }
	if created && checked {
		// The target's answer shows it stored these bytes: reading them
		// back would prove it again, at a second request per object.
		c.finish(j.src.Key, "copied", copied)
		return "copied", nil
	}
	// Created now, or by a run going on at the same time: either way dst
	// must return the very bytes of src.
	got, err := c.dst.Get(ctx, j.src.Key)
	if err != nil {
		return "", err
	}
	same := sha256.Sum256(got) == want
	switch {
	case same && created:
		c.finish(j.src.Key, "copied", copied)
		return "copied", nil
	case same:
		c.finish(j.src.Key, "skipped", func(r *CopyReport) { r.ObjectsSkipped++ })
		return "skipped", nil
	case created:
		j.seg.bad.Store(true)
		c.finish(j.src.Key, "failed", func(r *CopyReport) {
			r.Failed++
			if len(r.FailedList) < maxReported {
				r.FailedList = append(r.FailedList, j.src.Key+": the copy reads back with a different SHA-256")
			}
		})
		return "failed", nil
	}
	j.seg.bad.Store(true)
	c.conflict(ObjectInfo{Key: j.src.Key, Size: int64(len(data))}, ObjectInfo{Key: j.src.Key, Size: int64(len(got))})
	return "conflict", nil
}

// retention is the retain-until date for the copy of key: the original's
// when src can tell, else the configured one.
func (c *copier) retention(ctx context.Context, key string) (time.Time, error) {
	if rr, ok := c.src.(RetentionReader); ok && c.src.Locking() {
		t, err := rr.RetainUntil(ctx, key)
		if err != nil {
			return time.Time{}, err
		}
		if !t.After(time.Now().Add(time.Minute)) {
			return time.Time{}, nil // none, or run out
		}
		return t, nil
	}
	return c.opts.RetainUntil, nil
}

func (c *copier) conflict(s, d ObjectInfo) {
	c.finish(s.Key, "conflict", func(r *CopyReport) {
		r.Conflicts++
		if len(r.ConflictList) < maxReported {
			r.ConflictList = append(r.ConflictList, Conflict{Key: s.Key, SourceSize: s.Size, TargetSize: d.Size})
		}
	})
}

// finish counts an object dealt with and reports progress.
func (c *copier) finish(key, outcome string, count func(*CopyReport)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	count(&c.rep)
	c.done++
	if c.opts.Progress != nil {
		c.opts.Progress(CopyProgress{Key: key, Outcome: outcome, Done: c.done, Listed: c.listed, Listing: c.ranges > 0})
	}
}

// finishMany counts n objects found unchanged, up to key.
func (c *copier) finishMany(key string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rep.ObjectsSkipped += n
	c.done += n
	if c.opts.Progress != nil {
		c.opts.Progress(CopyProgress{Key: key, Outcome: "skipped", Done: c.done, Listed: c.listed, Listing: c.ranges > 0})
	}
}

// Backup runs are recorded beside what they copied, one object each:
//
//	respaldos/<AAAAMMDDTHHMMSS.mmmZ>.json
const backupRoot = "respaldos/"

var _ legajo.BackupLog = (*Archive)(nil)

// RecordBackup stores the record of a backup or restore run.
func (a *Archive) RecordBackup(ctx context.Context, run legajo.BackupRun) error {
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("archive: encode backup record: %w", err)
	}
	_, err = a.createUnique(ctx, backupRoot+timestamp(run.Started), ".json", b, CreateOptions{ContentType: "application/json"})
	return err
}

// BackupRuns returns the latest records, newest first.
func (a *Archive) BackupRuns(ctx context.Context, limit int) ([]legajo.BackupRun, error) {
	var keys []string
	err := a.st.List(ctx, backupRoot, "", func(o ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(keys) > limit {
		keys = keys[len(keys)-limit:]
	}
	out := make([]legajo.BackupRun, 0, len(keys))
	for i := len(keys) - 1; i >= 0; i-- {
		b, err := a.st.Get(ctx, keys[i])
		if err != nil {
			return nil, err
		}
		var r legajo.BackupRun
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
			return nil, fmt.Errorf("archive: backup record %s: %w", keys[i], err)
		}
		out = append(out, r)
	}
	return out, nil
}
