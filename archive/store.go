// Package archive is Legajo's system of record: every filed PDF, manifest,
// chain entry and folio claim is an object in a Store, written once and never
// overwritten or deleted. The search index and everything else is derived
// from it.
//
// Two Stores are provided: FSStore, a directory (the default, no set-up), and
// S3Store, any S3-compatible server (MinIO, Versity Gateway, Ceph RGW, AWS
// S3). Both pass one conformance suite. Atomic conditional creation is the
// only coordination primitive: it gives gap-free folios (AllocateFolio) and
// hash-chain appends across processes and machines with no lock server.
package archive

import (
	"context"
	"time"

	"github.com/sesver/legajo"
)

// Store is the object store beneath the archive. There is deliberately no
// delete and no overwrite: nothing filed is ever changed by the application,
// so every change is a new object.
//
// Keys are '/'-separated ASCII paths made of the characters A-Z a-z 0-9 . _ -
// with no empty segment, no leading or trailing '/', and no segment starting
// with '.' (which excludes "." and ".."); at most 1024 bytes. Every method
// given a key that breaks these rules returns an error matching
// legajo.ErrInvalid without touching storage. A key must not be a whole-segment
// prefix of another key ("a" and "a/b"): a directory-backed Store cannot hold
// both and reports the second Create as a conflict; Legajo's key layouts never
// need it.
//
// Errors other than the kinds named below are backend failures (I/O, network,
// permissions) and are returned wrapped with their context.
type Store interface {
	// Create writes data under key only if no object has that key
	// (conditional create: If-None-Match: * on S3, link(2) on fs). It never
	// overwrites: if the key exists it returns an error matching
	// legajo.ErrConflict and the existing object is left as it was. No
	// partial object is ever visible: before Create returns nil, Get and List
	// see nothing; after, the whole object.
	//
	// A request retried by the transport after a lost response may report
	// ErrConflict for the caller's own write; a caller that must know compares
	// the stored content with what it wrote (see AllocateFolio).
	Create(ctx context.Context, key string, data []byte, opts CreateOptions) error

	// Get returns the whole content of the object under key, or an error
	// matching legajo.ErrNotFound if there is none.
	Get(ctx context.Context, key string) ([]byte, error)

	// Stat describes the object under key, or returns an error matching
	// legajo.ErrNotFound if there is none.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// List calls fn for each object whose key has prefix, in ascending byte
	// order of key, starting after startAfter ("" = from the start). prefix
	// need not end at a '/'; it follows the key rules except that it may be
	// empty or end with '/', otherwise List returns legajo.ErrInvalid. fn's
	// error stops the walk and is returned unwrapped. Objects created during
	// the walk may or may not be seen.
	List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error

	// Locking tells whether objects can be retained until a date, so that
	// CreateOptions.RetainUntil is honoured (S3 Object Lock enabled on the
	// bucket). The fs Store returns false.
	Locking() bool

	// Close releases the Store's resources. The Store must not be used after.
	Close() error
}

// CreateOptions describes an object being created.
type CreateOptions struct {
	// ContentType is the MIME type stored with the object on S3; ""
	// means application/octet-stream. The fs Store does not keep it.
	ContentType string
	// RetainUntil protects the object from deletion by anyone until that
	// date. Zero: no retention. Ignored when the Store's Locking() is false.
	RetainUntil time.Time
	// Derived marks an object that can be rebuilt from others (an index
	// pointer): the Store need not make it durable before returning, though
	// it is still created whole or not at all.
	Derived bool
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key  string
	Size int64
}

// maxKeyLen is S3's limit on object key length.
const maxKeyLen = 1024

// checkKey returns an error matching legajo.ErrInvalid unless key follows
// the key rules documented on Store.
func checkKey(key string) error {
	if key == "" {
		return legajo.Errorf(legajo.ErrInvalid, "archive: empty key")
	}
	if err := checkPrefix(key); err != nil {
		return err
	}
	if key[len(key)-1] == '/' {
		return legajo.Errorf(legajo.ErrInvalid, "archive: invalid key %q: ends with '/'", key)
	}
	return nil
}

// checkPrefix is checkKey for List's prefix: it may also be empty or end
// with '/'.
func checkPrefix(p string) error {
	if len(p) > maxKeyLen {
		return legajo.Errorf(legajo.ErrInvalid, "archive: invalid key %.40q...: longer than %d bytes", p, maxKeyLen)
	}
	segStart := true
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '/':
			if segStart {
				return legajo.Errorf(legajo.ErrInvalid, "archive: invalid key %q: empty segment", p)
			}
			segStart = true
			continue
		case c == '.':
			if segStart {
				return legajo.Errorf(legajo.ErrInvalid, "archive: invalid key %q: segment starts with '.'", p)
			}
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return legajo.Errorf(legajo.ErrInvalid, "archive: invalid key %q: character %q not allowed", p, c)
		}
		segStart = false
	}
	return nil
}
