package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// Backup copies every object of src that dst lacks into dst: the whole key
// space, whatever its prefixes. Objects are immutable, so a key present in
// dst is done, and an interrupted run simply continues next time. A key
// present on both sides with different sizes is a conflict (one of the two
// was tampered with): it is reported, never overwritten. Every copy is
// checked: the SHA-256 of the bytes read from src must equal that of the
// bytes dst returns after the write.
//
// Deciding what to copy costs listings only, no reads: both sides are
// listed at once and merged in key order. A run samples the keys it lists
// into CopyReport.Bounds; given to the next run as CopyOptions.Bounds, they
// split the key space into ranges of a few thousand objects, listed several
// at a time. Reads and writes are for the missing objects alone.
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
	// Workers is the number of objects copied at once; 0 means 8.
	Workers int
	// Deep also reads every object present on both sides and compares
	// their SHA-256, instead of trusting equal sizes: a full audit of the
	// copy, as slow as a first backup.
	Deep bool
	// Bounds split the key space for listing, each range after one bound
	// and up to the next: CopyReport.Bounds of the previous run between
	// the same stores. Any keys will do (they need not exist): they only
	// balance the work. None: the key space is listed in one piece.
	Bounds []string
	// RetainUntil is the retention given to copies when dst has Object
	// Lock and src cannot tell an object's own (see RetentionReader).
	// Zero: none.
	RetainUntil time.Time
	// Progress, if set, is called after each object is dealt with, one
	// call at a time.
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
	Ranges         int        `json:"ranges"`         // key ranges listed in parallel
	ConflictList   []Conflict `json:"conflict_objects"`
	FailedList     []string   `json:"failed_objects"` // key: reason
	// Bounds sample the source's keys, one every few thousand: the next
	// run's CopyOptions.Bounds.
	Bounds []string `json:"-"`
}

// Conflict is a key present on both sides with different content.
type Conflict struct {
	Key        string `json:"key"`
	SourceSize int64  `json:"source_size"`
	TargetSize int64  `json:"target_size"`
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

// boundEvery is how many source keys a run lists between two of the
// bounds it samples for the next run: two pages of an S3 listing. A
// variable for the tests.
var boundEvery = 2000

// listers is how many ranges are listed at once (each on both sides).
const listers = 8

type copier struct {
	src, dst Store
	opts     CopyOptions
	start    time.Time

	mu     sync.Mutex
	rep    CopyReport
	done   int
	listed int
	ranges int // still being listed
}

// copyJob is one object to copy, or (target set) to compare.
type copyJob struct {
	src    ObjectInfo
	target *ObjectInfo
}

func (c *copier) run(ctx context.Context) (CopyReport, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	workers := c.opts.Workers
	if workers <= 0 {
		workers = 8
	}
	bounds := append([]string{""}, c.opts.Bounds...)
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	c.rep.Ranges = len(bounds)
	c.ranges = len(bounds)

	jobs := make(chan copyJob, 4*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := c.do(ctx, j); err != nil {
					cancel(err)
				}
			}
		})
	}
	// A few ranges are listed at once: each lists both sides.
	rangeCh := make(chan int)
	var lg sync.WaitGroup
	for range min(listers, len(bounds)) {
		lg.Go(func() {
			for i := range rangeCh {
				end := ""
				if i+1 < len(bounds) {
					end = bounds[i+1]
				}
				if err := c.mergeRange(ctx, bounds[i], end, jobs); err != nil {
					cancel(err)
				}
				c.mu.Lock()
				c.ranges--
				c.mu.Unlock()
			}
		})
	}
	for i := range bounds {
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
	rep := c.report()
	if err := context.Cause(ctx); err != nil {
		return rep, err
	}
	if rep.Failed > 0 {
		return rep, fmt.Errorf("archive: backup: %d object(s) failed their copy; first: %s", rep.Failed, rep.FailedList[0])
	}
	return rep, nil
}

func (c *copier) report() CopyReport {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rep
	r.ObjectsSource = c.listed
	r.Seconds = time.Since(c.start).Seconds()
	r.Bounds = slices.Clone(r.Bounds)
	slices.Sort(r.Bounds)
	return r
}

// mergeRange lists the keys after lo and up to hi ("": to the end) on both
// sides, and queues what dst lacks.
func (c *copier) mergeRange(parent context.Context, lo, hi string, jobs chan<- copyJob) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	srcCh, srcErr := listRange(ctx, c.src, lo, hi)
	dstCh, dstErr := listRange(ctx, c.dst, lo, hi)
	s, sok := <-srcCh
	d, dok := <-dstCh
	for n := 1; sok; n++ {
		c.mu.Lock()
		c.listed++
		if n%boundEvery == 0 {
			c.rep.Bounds = append(c.rep.Bounds, s.Key)
		}
		c.mu.Unlock()
		for dok && d.Key < s.Key {
			d, dok = <-dstCh // only in dst: not ours to judge
		}
		var j copyJob
		switch {
		case dok && d.Key == s.Key && d.Size != s.Size:
			c.conflict(s, d)
		case dok && d.Key == s.Key && !c.opts.Deep:
			c.finish(s.Key, "skipped", func(r *CopyReport) { r.ObjectsSkipped++ })
		case dok && d.Key == s.Key:
			t := d
			j = copyJob{src: s, target: &t}
		default:
			j = copyJob{src: s}
		}
		if j.src.Key != "" {
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
	return parent.Err()
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

// do copies one object, or compares it when the target has it already.
func (c *copier) do(ctx context.Context, j copyJob) error {
	data, err := c.src.Get(ctx, j.src.Key)
	if err != nil {
		return err
	}
	want := sha256.Sum256(data)
	if j.target != nil {
		got, err := c.dst.Get(ctx, j.src.Key)
		if err != nil {
			return err
		}
		if sha256.Sum256(got) != want {
			c.conflict(ObjectInfo{Key: j.src.Key, Size: int64(len(data))}, ObjectInfo{Key: j.src.Key, Size: int64(len(got))})
			return nil
		}
		c.finish(j.src.Key, "skipped", func(r *CopyReport) { r.ObjectsSkipped++ })
		return nil
	}
	opts := CreateOptions{ContentType: contentTypes[strings.TrimPrefix(path.Ext(j.src.Key), ".")]}
	if c.dst.Locking() {
		if opts.RetainUntil, err = c.retention(ctx, j.src.Key); err != nil {
			return err
		}
	}
	err = c.dst.Create(ctx, j.src.Key, data, opts)
	created := err == nil
	if err != nil && !errors.Is(err, legajo.ErrConflict) {
		return err
	}
	// Created now, or by a run going on at the same time: either way dst
	// must return the very bytes of src.
	got, err := c.dst.Get(ctx, j.src.Key)
	if err != nil {
		return err
	}
	switch {
	case sha256.Sum256(got) == want && created:
		c.finish(j.src.Key, "copied", func(r *CopyReport) { r.ObjectsCopied++; r.Bytes += int64(len(data)) })
	case sha256.Sum256(got) == want:
		c.finish(j.src.Key, "skipped", func(r *CopyReport) { r.ObjectsSkipped++ })
	case created:
		c.finish(j.src.Key, "failed", func(r *CopyReport) {
			r.Failed++
			if len(r.FailedList) < maxReported {
				r.FailedList = append(r.FailedList, j.src.Key+": the copy reads back with a different SHA-256")
			}
		})
	default:
		c.conflict(ObjectInfo{Key: j.src.Key, Size: int64(len(data))}, ObjectInfo{Key: j.src.Key, Size: int64(len(got))})
	}
	return nil
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
