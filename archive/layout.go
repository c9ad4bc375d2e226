package archive

import (
	"context"
	"slices"
	"sync"

	"github.com/sesver/legajo"
)

// A record is read in rounds, each waiting for the one before: the
// folio's pointers are listed, then the pointers and the entries they name
// are read, then the manifests and the files the entries name. On S3 each
// round is a network wait, and under load the slowest read of each. A
// document's page is opened again and again (by its clerk after filing,
// by whoever searches its folio, by the public verification page), so the
// archive remembers which keys a folio's record was read from, its layout,
// and the next read asks for all of them at once, while the pointers are
// listed: one round when nothing changed.
//
// The layout only decides what is asked for first. What the record holds
// is decided as before, from this read's listing and this read's bytes; a
// key the guess lacked (a new event, a redirected pointer) is read in the
// rounds that follow, and a guessed key the record no longer names is
// ignored. A forged or deleted object is found as it was without the
// guess: its bytes are hashed and compared on every read.

// maxLayouts bounds the folios whose layouts are remembered (a layout is
// a few dozen keys).
const maxLayouts = 2048

// recordLayout is the keys a record was read from.
type recordLayout struct {
	meta    []string // pointers, entries, manifests
	objects []string // the other files the entries name
}

type layouts struct {
	mu sync.Mutex
	m  map[legajo.Folio]recordLayout
}

// guess is the keys to ask for with folio's listing: with the files, or
// without them.
func (l *layouts) guess(folio legajo.Folio, objects bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	rl, ok := l.m[folio]
	if !ok {
		return nil
	}
	if !objects {
		return rl.meta
	}
	return append(slices.Clip(rl.meta), rl.objects...)
}

// remember keeps folio's layout, forgetting another folio's when full. A
// read without the files keeps the files already remembered.
func (l *layouts) remember(folio legajo.Folio, rl recordLayout, objects bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[legajo.Folio]recordLayout{}
	}
	old, ok := l.m[folio]
	if ok && !objects {
		rl.objects = old.objects
	}
	if !ok && len(l.m) >= maxLayouts {
		for f := range l.m { // an arbitrary one
			delete(l.m, f)
			break
		}
	}
	l.m[folio] = rl
}

// reads is what one record read has read so far: each key's bytes or
// error.
type reads struct {
	a    *Archive
	data map[string][]byte
	errs map[string]error
}

func (a *Archive) newReads() *reads {
	return &reads{a: a, data: map[string][]byte{}, errs: map[string]error{}}
}

// get reads, at once, those of keys not read yet.
func (r *reads) get(ctx context.Context, keys []string) {
	var missing []string
	for _, k := range keys {
		if _, ok := r.data[k]; ok {
			continue
		}
		if _, ok := r.errs[k]; ok || slices.Contains(missing, k) {
			continue
		}
		missing = append(missing, k)
	}
	if len(missing) == 0 {
		return
	}
	data, errs := r.a.getEach(ctx, missing)
	for i, k := range missing {
		if errs[i] != nil {
			r.errs[k] = errs[i]
		} else {
			r.data[k] = data[i]
		}
	}
}

// of is key's bytes, or the error reading it gave; get must have read it.
func (r *reads) of(key string) ([]byte, error) {
	if err, ok := r.errs[key]; ok {
		return nil, err
	}
	return r.data[key], nil
}
