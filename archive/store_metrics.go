package archive

import (
	"context"
	"time"
)

// StoreObserver is told of every call the archive makes to its Store, for
// metrics: the operation (see the Op constants), the backend ("fs" or
// "s3"), how long it took and its error. It is called on the caller's
// goroutine, so it must be quick and safe for concurrent use. The archive
// package only calls it; what is counted, and how, is the observer's.
type StoreObserver interface {
	ObserveStore(op, backend string, d time.Duration, err error)
}

// Operations a StoreObserver is told of. There is no plain put: a Store
// never overwrites (see Store), so every write is a put-if-absent.
const (
	OpGet         = "get"
	OpPutIfAbsent = "put-if-absent"
	OpHead        = "head"
	OpList        = "list"
)

// Observe wraps st so that o is told of every call made through it.
// backend names the kind of storage, for the observer's labels. The
// archive looks through the wrapper where it needs the Store itself (an
// FSStore stages chain entries, folio claims, files and manifests on disk
// before linking them; on fs the creates of chain entries are not
// observed, the others are, from staging to sync).
func Observe(st Store, backend string, o StoreObserver) Store {
	return &observedStore{st: st, backend: backend, o: o}
}

// Backend names the kind of st, as Observe's backend: "fs", "s3", or
// "other".
func Backend(st Store) string {
	switch unwrap(st).(type) {
	case *FSStore:
		return "fs"
	case *S3Store:
		return "s3"
	}
	return "other"
}

type observedStore struct {
	st      Store
	backend string
	o       StoreObserver
}

func (s *observedStore) Create(ctx context.Context, key string, data []byte, opts CreateOptions) error {
	t0 := time.Now()
	err := s.st.Create(ctx, key, data, opts)
	s.o.ObserveStore(OpPutIfAbsent, s.backend, time.Since(t0), err)
	return err
}

// CreateChecked is the Store's own when it has one (see checkedCreator),
// observed as a Create.
func (s *observedStore) CreateChecked(ctx context.Context, key string, data []byte, opts CreateOptions) (bool, error) {
	cc, ok := s.st.(checkedCreator)
	if !ok {
		return false, s.Create(ctx, key, data, opts)
	}
	t0 := time.Now()
	checked, err := cc.CreateChecked(ctx, key, data, opts)
	s.o.ObserveStore(OpPutIfAbsent, s.backend, time.Since(t0), err)
	return checked, err
}

func (s *observedStore) Get(ctx context.Context, key string) ([]byte, error) {
	t0 := time.Now()
	b, err := s.st.Get(ctx, key)
	s.o.ObserveStore(OpGet, s.backend, time.Since(t0), err)
	return b, err
}

func (s *observedStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	t0 := time.Now()
	info, err := s.st.Stat(ctx, key)
	s.o.ObserveStore(OpHead, s.backend, time.Since(t0), err)
	return info, err
}

// List is timed whole, callbacks included: a listing is paged, and what
// matters to an operator is how long the walk held its caller. An error
// of fn's own (callers stop a walk early that way) is the caller's, not
// the storage's: the observer is told the listing went well.
func (s *observedStore) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	t0 := time.Now()
	var fnErr error
	err := s.st.List(ctx, prefix, startAfter, func(o ObjectInfo) error {
		fnErr = fn(o)
		return fnErr
	})
	observed := err
	if fnErr != nil && err == fnErr {
		observed = nil
	}
	s.o.ObserveStore(OpList, s.backend, time.Since(t0), observed)
	return err
}

func (s *observedStore) Locking() bool { return s.st.Locking() }

func (s *observedStore) Close() error { return s.st.Close() }

// observeCreate tells st's observer, if st has one, of a create the
// archive made beneath the wrapper (a staged one on fs), begun at t0.
func observeCreate(st Store, t0 time.Time, err error) {
	if o, ok := st.(*observedStore); ok {
		o.o.ObserveStore(OpPutIfAbsent, o.backend, time.Since(t0), err)
	}
}

// unwrap is the Store beneath an Observe wrapper, or st itself.
func unwrap(st Store) Store {
	if o, ok := st.(*observedStore); ok {
		return o.st
	}
	return st
}
