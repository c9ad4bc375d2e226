package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// An incremental backup of an archive with a signed log does not list the
// prefixes the log covers: every object filed there is a chain entry, an
// object an entry names, or the entry's pointer, folio claim or state
// changes, and every entry is a leaf of a lote. So the lotes sealed since
// the previous run (CopyState.Lote) name what is new, and only the rest of
// the key space (accounts, settings, idempotency keys, backup records…) is
// listed, in ranges, as before.
//
// What the log does not name is left to a run without a state (or a deep
// one): objects of an emission that died before its entry, claims it left
// behind, and entries not sealed yet, which the next run finds in their
// lote.
var logCovered = []string{chainRoot, docRoot, stateRoot, expRoot, folioRoot, loteRoot}

// covered reports whether every key after lo and up to hi lies under one
// prefix the log covers.
func covered(lo, hi string) bool {
	for _, p := range logCovered {
		if strings.HasPrefix(lo, p) && strings.HasPrefix(hi, p) {
			return true
		}
	}
	return false
}

// followLog queues the copy of every lote after since, of each entry they
// seal and of what each entry filed, and returns the last lote it read.
// Every key is queued once.
func (c *copier) followLog(ctx context.Context, since int64, seg *segment, jobs chan<- copyJob) (int64, error) {
	var lotes []ObjectInfo
	err := c.src.List(ctx, loteRoot, loteKey(since), func(o ObjectInfo) error {
		if _, ok := loteSeq(o.Key); ok {
			lotes = append(lotes, o)
		}
		return nil
	})
	if err != nil {
		return since, err
	}
	var (
		mu     sync.Mutex
		queued = map[string]bool{}
	)
	queue := func(j copyJob) error {
		mu.Lock()
		dup := queued[j.src.Key]
		queued[j.src.Key] = true
		mu.Unlock()
		if dup {
			return nil
		}
		j.seg = seg
		seg.jobs.Add(1)
		c.mu.Lock()
		c.listed++
		c.mu.Unlock()
		select {
		case jobs <- j:
			return nil
		case <-ctx.Done():
			seg.jobs.Add(-1)
			return ctx.Err()
		}
	}

	leaves := make(chan string, 256)
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	var wg sync.WaitGroup
	for range listers {
		wg.Go(func() {
			for leaf := range leaves {
				if ctx.Err() != nil {
					continue
				}
				if err := c.followEntry(ctx, leaf, queue); err != nil {
					fail(err)
				}
			}
		})
	}
	last := since
	for _, o := range lotes {
		data, err := c.src.Get(ctx, o.Key)
		if err != nil {
			fail(err)
			break
		}
		var l lote
		if err := json.Unmarshal(data, &l); err != nil {
			fail(fmt.Errorf("archive: backup: lote %s: %w", o.Key, err))
			break
		}
		if err := queue(copyJob{src: ObjectInfo{Key: o.Key, Size: int64(len(data))}, data: data}); err != nil {
			fail(err)
			break
		}
		for _, leaf := range l.Leaves {
			select {
			case leaves <- leaf:
			case <-ctx.Done():
			}
		}
		last = l.Seq
	}
	close(leaves)
	wg.Wait()
	select {
	case err := <-errc:
		return since, err
	default:
	}
	return last, ctx.Err()
}

// followEntry queues a sealed entry, the objects it names, its pointer,
// its folio's claim and its state changes.
func (c *copier) followEntry(ctx context.Context, leaf string, queue func(copyJob) error) error {
	key, _, _ := strings.Cut(leaf, " ")
	data, err := c.src.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("archive: backup: entry %s of the log: %w", key, err)
	}
	e, err := decodeEntry(data)
	if err != nil {
		return fmt.Errorf("archive: backup: entry %s: %w", key, err)
	}
	if err := queue(copyJob{src: ObjectInfo{Key: key, Size: int64(len(data))}, data: data}); err != nil {
		return err
	}
	for _, o := range e.Objects {
		if err := queue(copyJob{src: ObjectInfo{Key: o.Key, Size: o.Size}}); err != nil {
			return err
		}
	}
	if e.Folio == "" {
		return nil
	}
	// The pointer is derived, written after the entry: it may be missing.
	if err := queue(copyJob{src: ObjectInfo{Key: pointerKey(e)}, optional: true}); err != nil {
		return err
	}
	slug := strings.ReplaceAll(e.Folio, "/", "-")
	if f, ok := folioOfSlug(slug); ok {
		if claim, err := claimKey(f); err == nil {
			if err := queue(copyJob{src: ObjectInfo{Key: claim}, optional: true}); err != nil {
				return err
			}
		}
	}
	return c.src.List(ctx, stateRoot+slug+"/", "", func(o ObjectInfo) error {
		return queue(copyJob{src: o})
	})
}
