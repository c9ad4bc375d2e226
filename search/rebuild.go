package search

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/sesver/legajo"
)

// Rebuild builds a new index of the archive src from its chains alone, in
// a build directory beside the live generation in dir, and makes it the
// live one only when it is complete. Until then the old index keeps
// serving; cancelling ctx (an interrupted `legajo reindex`) removes the
// build and changes nothing. Processes that have the old index open move to
// the new one at their next Follow tick or Open. progress, if not nil, is
// called as chain entries are indexed, with the total when the archive can
// count it (0 otherwise). log receives warnings (nil: slog.Default()).
// Errors are archive read failures, index failures and ctx's error.
func Rebuild(ctx context.Context, dir string, cat *legajo.Catalog, src legajo.Archive, progress func(done, total int), log *slog.Logger) (Stats, error) {
	start := time.Now()
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, fmt.Errorf("search: rebuild: %w", err)
	}
	tmp, err := newTempDir(dir, buildPrefix)
	if err != nil {
		return Stats{}, err
	}
	st, err := build(ctx, dir, tmp, cat, src, progress, log)
	if err != nil {
		os.RemoveAll(tmp)
		return Stats{}, err
	}
	removeLeftovers(dir)
	st.Elapsed = time.Since(start)
	return st, nil
}

// RebuildMemoryLimit is the soft memory limit (debug.SetMemoryLimit) for
// a process that rebuilds, as `legajo reindex` sets it with GOGC=400: the
// collector runs rarely while the heap is small, and as often as needed
// near the limit. A rebuild keeps 100–200 MB live (the analysis of the
// batches being committed, the window of chain entries, the final merge);
// GOGC=400 alone let the heap grow to five times that, 1.2–1.7 GB.
const RebuildMemoryLimit = 300 << 20

// Stats describe a rebuild.
type Stats struct {
	Generation string        `json:"generation"` // the new live generation
	Events     int           `json:"events"`     // chain entries read
	Documents  int           `json:"documents"`  // folios indexed
	Elapsed    time.Duration `json:"-"`
}

func build(ctx context.Context, dir, tmp string, cat *legajo.Catalog, src legajo.Archive, progress func(done, total int), log *slog.Logger) (Stats, error) {
	path := filepath.Join(tmp, "index")
	// No fsync per batch: a build that does not finish is thrown away, and
	// persist waits for everything to be on disk before it is installed.
	// No merging while loading either: compact merges everything once at
	// the end, instead of the two or three rewrites of tiered merging (a
	// fifth of the CPU of a rebuild).
	cfg := map[string]any{"unsafe_batch": true, "scorchMergePlanOptions": map[string]any{
		"MaxSegmentsPerTier": 1 << 20, "SegmentsPerMergeTask": 10, "TierGrowth": 10.0,
		"FloorSegmentSize": 2000, "MaxSegmentSize": 1 << 30, "ReclaimDeletesWeight": 2.0,
	}}
	idx, err := bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, cfg)
	if err != nil {
		return Stats{}, fmt.Errorf("search: rebuild: %w", err)
	}
	var st Stats
	b := &Index{dir: dir, x: &indexer{cat: cat, src: src, log: log}, idx: idx, path: path, pos: map[string]int64{}, seen: map[string]map[int64]bool{},
		facets: newFacetTable(), dead: newDeadTable()}
	err = b.fill(ctx, func(done, total int) {
		st.Events = done
		if progress != nil {
			progress(done, total)
		}
	})
	if err == nil {
		err = persist(idx, keyFormat, []byte(formatVersion))
	}
	if err == nil {
		err = compact(ctx, idx, path)
	}
	if err == nil {
		var n uint64
		n, err = idx.DocCount()
		st.Documents = int(n)
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	// The build's settings must not become the live index's: bleve keeps
	// them in index_meta.json and applies them at every open.
	if err := os.WriteFile(filepath.Join(path, "index_meta.json"), []byte(`{"storage":"scorch","index_type":"scorch"}`), 0o644); err != nil {
		return Stats{}, fmt.Errorf("search: rebuild: %w", err)
	}
	st.Generation, err = install(dir, tmp)
	return st, err
}

// fill indexes every chain from the start.
func (x *Index) fill(ctx context.Context, progress func(done, total int)) error {
	total := 0
	if c, ok := x.x.src.(counter); ok {
		for _, exp := range x.x.src.Expedientes() {
			n, err := c.LastSeq(ctx, exp.ID)
			if err != nil {
				return fmt.Errorf("search: rebuild: %w", err)
			}
			total += int(n)
		}
	}
	done := 0
	progress(0, total)
	x.follow.Lock()
	defer x.follow.Unlock()
	for _, exp := range x.x.src.Expedientes() {
		err := x.followChain(ctx, exp.ID, 0, true, func(n int) {
			done += n
			progress(done, max(total, done))
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Rebuild rebuilds the index from the archive (see the package function
// Rebuild) and moves x to the new generation, caught up with whatever was
// filed during the build.
func (x *Index) Rebuild(ctx context.Context, progress func(done, total int)) error {
	if _, err := Rebuild(ctx, x.dir, x.x.cat, x.x.src, progress, x.x.log); err != nil {
		return err
	}
	if err := x.load(); err != nil {
		return err
	}
	return x.CatchUp(ctx)
}

// compact merges the index into one segment: a built index is searched
// for a long time, and one segment answers faster than the ten a bulk load
// leaves (see BENCHMARKS.md).
func compact(ctx context.Context, idx bleve.Index, dir string) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("search: compact: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	stop := releaseMapped(dir) // release_linux.go
	err = s.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions)
	stop()
	if err != nil {
		return fmt.Errorf("search: compact: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Persist the merged root, and give the persister a few rounds to drop
	// the snapshot of the unmerged segments and their files: left in
	// root.bolt, they would stay on disk for good.
	for range 50 {
		if err := persist(idx, keyFormat, []byte(formatVersion)); err != nil {
			return err
		}
		if zapFiles(dir) <= 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// zapFiles counts the segment files of the index at dir.
func zapFiles(dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
	return len(m)
}

// persist stores an internal value and waits until it, and so everything
// batched before it, is on disk: with unsafe_batch, Close alone does not
// persist the last batches.
func persist(idx bleve.Index, key, val []byte) error {
	b := idx.NewBatch()
	b.SetInternal(key, val)
	done := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("search: persist: %w", err)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("search: persist: %w", err)
	}
	return nil
}
