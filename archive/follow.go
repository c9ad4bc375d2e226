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
// is greater than seq, in order, up to the first number missing: it reads
// entries seq+1, seq+2, … by key. Chains have no gaps (each append takes the
// next number by conditional create), so that is every new entry unless one
// was removed from the middle of the chain (legajo verify reports it;
// ListEntriesAfter goes past it). Tailing a long chain thus costs what is
// new, not what is old. The expediente must be configured (ErrNotFound
// otherwise); fn's error stops the walk and is returned.
func (a *Archive) EntriesAfter(ctx context.Context, exp string, seq int64, fn func(legajo.Entry) error) error {
	_, err := a.entriesAfter(ctx, exp, seq, fn)
	return err
}

// ListEntriesAfter is EntriesAfter, then a listing of the chain's keys past
// the first missing number, so that a follower does not stop at an entry
// missing in the middle. On S3 the listing starts there (StartAfter); on fs
// it reads the chain's whole directory, which holds every entry of the
// expediente: a follower does it now and then, not every time.
func (a *Archive) ListEntriesAfter(ctx context.Context, exp string, seq int64, fn func(legajo.Entry) error) error {
	seq, err := a.entriesAfter(ctx, exp, seq, fn)
	if err != nil {
		return err
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

// entriesAfter reads the entries after seq by key up to the first missing
// one and returns the last sequence number read (seq if none).
func (a *Archive) entriesAfter(ctx context.Context, exp string, seq int64, fn func(legajo.Entry) error) (int64, error) {
	if _, err := a.Expediente(exp); err != nil {
		return seq, err
	}
	seq = max(seq, 0)
	for {
		e, err := a.readEntry(ctx, chainKey(exp, seq+1))
		if errors.Is(err, legajo.ErrNotFound) {
			return seq, nil
		}
		if err != nil {
			return seq, err
		}
		if err := fn(e); err != nil {
			return seq, err
		}
		seq++
	}
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
