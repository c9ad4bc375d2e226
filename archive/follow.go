package archive

import (
	"context"
	"errors"

	"github.com/sesver/legajo"
)

// Followers (the search index of every process that serves search) tail
// the chains: an entry is the commit record of one event, and its sequence
// number is its place in the chain, so "everything after seq" is exactly the
// events a follower has not seen yet.

// EntriesAfter calls fn for each entry of exp's chain whose sequence number
// is greater than seq, in order. Chains have no gaps, so it reads entries
// seq+1, seq+2, … by key until one is missing, then lists the chain's keys
// after that point once (S3 StartAfter) in case an entry is missing in the
// middle (legajo verify reports it; followers must not stop at it). Tailing
// a long chain thus costs what is new, not what is old. The expediente must
// be configured (ErrNotFound otherwise); fn's error stops the walk and is
// returned.
func (a *Archive) EntriesAfter(ctx context.Context, exp string, seq int64, fn func(legajo.Entry) error) error {
	if _, err := a.Expediente(exp); err != nil {
		return err
	}
	if seq < 0 {
		seq = 0
	}
	for {
		e, err := a.readEntry(ctx, chainKey(exp, seq+1))
		if errors.Is(err, legajo.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
		seq++
	}
	start := ""
	if seq > 0 {
		start = chainKey(exp, seq)
	}
	return a.st.List(ctx, chainPrefix(exp), start, func(o ObjectInfo) error {
		n, ok := seqOf(exp, o.Key)
		if !ok || n <= seq {
			return nil // a foreign object: verify reports it
		}
		e, err := a.readEntry(ctx, o.Key)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

// HasEntry tells whether exp's chain has an entry with sequence number seq:
// one Stat, the cheap probe a follower makes before listing. Chains have no
// gaps (each append takes the next number by conditional create), so when
// entry seq+1 is absent nothing after seq exists yet.
func (a *Archive) HasEntry(ctx context.Context, exp string, seq int64) (bool, error) {
	if _, err := a.Expediente(exp); err != nil {
		return false, err
	}
	if seq <= 0 {
		return false, nil
	}
	_, err := a.st.Stat(ctx, chainKey(exp, seq))
	if errors.Is(err, legajo.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// LastSeq returns the sequence number of the last entry of exp's chain, 0
// when it is empty: how many events the expediente holds. It lists keys
// without reading them.
func (a *Archive) LastSeq(ctx context.Context, exp string) (int64, error) {
	if _, err := a.Expediente(exp); err != nil {
		return 0, err
	}
	var last int64
	err := a.st.List(ctx, chainPrefix(exp), "", func(o ObjectInfo) error {
		if n, ok := seqOf(exp, o.Key); ok && n > last {
			last = n
		}
		return nil
	})
	return last, err
}
