package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/sesver/legajo"
)

// What is behind the archive's chains, for monitoring: how far a follower
// (the search index, the signed log) is from the end of each chain.

// Behind tells how many entries exp's chain holds after seq and when the
// first of them was filed (zero when there are none). Chains have no gaps,
// so the end is found by probing entries at seq+1, seq+2, seq+4, … and
// halving back: a few Stats however long the chain, and cheap enough for a
// metrics scrape on S3 and on fs alike (a listing would read the whole
// chain on fs).
func (a *Archive) Behind(ctx context.Context, exp string, seq int64) (int64, time.Time, error) {
	has := func(n int64) (bool, error) { return a.HasEntry(ctx, exp, n) }
	if seq < 0 {
		seq = 0
	}
	ok, err := has(seq + 1)
	if err != nil || !ok {
		return 0, time.Time{}, err
	}
	lo, step := seq+1, int64(1) // lo exists
	for {
		ok, err := has(lo + step)
		if err != nil {
			return 0, time.Time{}, err
		}
		if !ok {
			break
		}
		lo += step
		step *= 2
	}
	hi := lo + step // hi is missing
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := has(mid)
		if err != nil {
			return 0, time.Time{}, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	first, err := a.readEntry(ctx, chainKey(exp, seq+1))
	if err != nil {
		return 0, time.Time{}, err
	}
	return lo - seq, first.At, nil
}

// SealedHeads returns, for each expediente, the sequence number of the
// last entry of its chain the signed log holds, as the log is now (other
// nodes' lotes included); an expediente left out has nothing sealed. A
// process without the signing key does not seal: it returns ErrNotFound.
func (a *Archive) SealedHeads(ctx context.Context) (map[string]int64, error) {
	if a.signer == nil {
		return nil, legajo.Errorf(legajo.ErrNotFound, "archive: no signing key")
	}
	l := &a.log
	// The sealer holds the log while it writes a lote, which may wait on
	// storage as long as its timeout: a caller (a metrics scrape) waits
	// only as long as its ctx allows.
	for !l.mu.TryLock() {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("archive: sealed heads: the log is busy: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	defer l.mu.Unlock()
	if err := a.loadLog(ctx, false); err != nil {
		return nil, err
	}
	heads := make(map[string]int64, len(l.heads))
	for k, v := range l.heads {
		heads[k] = v
	}
	return heads, nil
}
