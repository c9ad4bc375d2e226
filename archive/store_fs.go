package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/sesver/legajo"
)

// fsTempDir is the dot-directory of an FSStore holding objects being
// written. Keys cannot start with '.', so it never shows in a listing.
const fsTempDir = ".tmp"

// fsStaleTemp is the age past which OpenFS removes a left-over temporary
// file: one written by a process that crashed, never one still being written.
const fsStaleTemp = 24 * time.Hour

// FSStore is a Store keeping each object as a read-only file under a
// directory, at the path named by its key. Several processes may share the
// directory: Create is atomic across them through link(2), which fails when
// the target exists. The file system must support hard links (any local
// Linux or macOS file system does; some network and FUSE ones do not).
type FSStore struct {
	dir   string
	tmp   string
	syncs *dirSyncer
}

// OpenFS opens the Store kept in dir, creating dir if needed.
func OpenFS(dir string) (*FSStore, error) {
	if dir == "" {
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: open fs: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: open fs %s: %w", dir, err)
	}
	s := &FSStore{dir: abs, tmp: filepath.Join(abs, fsTempDir), syncs: newDirSyncer()}
	if err := mkdirAllSync(s.tmp); err != nil {
		return nil, fmt.Errorf("archive: open fs %s: %w", dir, err)
	}
	s.removeStaleTemp()
	return s, nil
}

// removeStaleTemp removes temporary files left by crashed writers. It is
// best effort: a failure only leaves garbage behind, never a visible object.
func (s *FSStore) removeStaleTemp() {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && time.Since(info.ModTime()) > fsStaleTemp {
			os.Remove(filepath.Join(s.tmp, e.Name()))
		}
	}
}

// path returns the file path of a valid key.
func (s *FSStore) path(key string) string {
	return filepath.Join(s.dir, filepath.FromSlash(key))
}

// Create writes data to a temporary file, syncs it, and links it into place,
// so that the object appears whole or not at all, even after a crash.
func (s *FSStore) Create(ctx context.Context, key string, data []byte, opts CreateOptions) error {
	o, err := s.stage(ctx, key, data, !opts.Derived)
	if err != nil {
		return err
	}
	defer o.discard()
	if err := o.link(); err != nil {
		return err
	}
	if opts.Derived {
		return nil
	}
	return o.sync()
}

// staged is an object written (and synced, when durable) but not named
// yet: the slow half of a create. A chain append stages its entry outside
// the chain's turns and only links it in its turn (see Archive.appendEntry).
type staged struct {
	s              *FSStore
	key            string
	parent, target string
	f              *os.File // an unnamed file (O_TMPFILE), or
	tmp            string   // a named temporary file
}

// stage writes data for key. ErrConflict when key exists already (a hint
// only: link decides).
func (s *FSStore) stage(ctx context.Context, key string, data []byte, durable bool) (*staged, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, createErr(key, err)
	}
	o := &staged{s: s, key: key, target: s.path(key)}
	if _, err := os.Lstat(o.target); err == nil {
		// Not a read-before-write condition: link decides. This only
		// spares writing a temporary file that would be thrown away.
		return nil, legajo.Errorf(legajo.ErrConflict, "archive: create %s: object exists", key)
	}
	o.parent = filepath.Dir(o.target)
	mkdir := mkdirAllSync
	if !durable {
		mkdir = func(dir string) error { return os.MkdirAll(dir, 0o755) }
	}
	if err := mkdir(o.parent); err != nil {
		if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EEXIST) {
			return nil, legajo.Errorf(legajo.ErrConflict, "archive: create %s: a parent of the key is an object", key)
		}
		return nil, createErr(key, err)
	}
	if err := s.write(o, data, durable); err != nil {
		o.discard()
		return nil, createErr(key, err)
	}
	return o, nil
}

// link gives the staged object its key, failing with ErrConflict if the
// key exists. The object is visible then, but its name is durable only
// after sync.
func (o *staged) link() error {
	if err := o.s.linkStaged(o); err != nil {
		if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTDIR) {
			return legajo.Errorf(legajo.ErrConflict, "archive: create %s: object exists", o.key)
		}
		return createErr(o.key, err)
	}
	return nil
}

// sync makes the linked object's directory entry durable.
func (o *staged) sync() error {
	if err := o.s.syncs.sync(o.parent); err != nil {
		return createErr(o.key, err)
	}
	return nil
}

// discard releases the staged data; an object not linked leaves nothing.
func (o *staged) discard() {
	if o.f != nil {
		o.f.Close()
		o.f = nil
	}
	if o.tmp != "" {
		os.Remove(o.tmp)
		o.tmp = ""
	}
}

// writeNamed stages data in a named temporary file: the portable way,
// used where unnamed temporary files are not available.
func (s *FSStore) writeNamed(o *staged, data []byte, durable bool) error {
	tmp, err := s.writeTemp(data, durable)
	o.tmp = tmp
	return err
}

// writeTemp writes data to a new read-only file in the temporary directory,
// synced to stable storage, and returns its path.
func (s *FSStore) writeTemp(data []byte, durable bool) (string, error) {
	f, err := os.CreateTemp(s.tmp, "obj-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o444)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// Get reads the object under key.
func (s *FSStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("archive: get %s: %w", key, err)
	}
	data, err := os.ReadFile(s.path(key))
	if err != nil {
		if isNotExist(err) {
			return nil, legajo.Errorf(legajo.ErrNotFound, "archive: get %s: no such object", key)
		}
		return nil, fmt.Errorf("archive: get %s: %w", key, err)
	}
	return data, nil
}

// Stat describes the object under key.
func (s *FSStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return ObjectInfo{}, fmt.Errorf("archive: stat %s: %w", key, err)
	}
	info, err := os.Lstat(s.path(key))
	if err == nil && !info.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		if isNotExist(err) {
			return ObjectInfo{}, legajo.Errorf(legajo.ErrNotFound, "archive: stat %s: no such object", key)
		}
		return ObjectInfo{}, fmt.Errorf("archive: stat %s: %w", key, err)
	}
	return ObjectInfo{Key: key, Size: info.Size()}, nil
}

// isNotExist tells whether err means that no object has the key: nothing
// at the path, a file where a directory of the path should be, or a
// directory where the object should be.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR)
}

// List walks the directory tree in the byte order of full keys. Sorting each
// directory's entries by name is not enough: "a-c" sorts before "a/b"
// because '-' < '/'. So a subdirectory sorts as its name followed by '/',
// which is the prefix shared by every key below it.
func (s *FSStore) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	// Start at the deepest directory that the prefix names entirely.
	base := prefix[:strings.LastIndexByte(prefix, '/')+1]
	err := s.walk(ctx, base, prefix, startAfter, fn)
	var stop stopError
	if errors.As(err, &stop) {
		return stop.err
	}
	if err != nil {
		return fmt.Errorf("archive: list %s: %w", prefix, err)
	}
	return nil
}

// stopError carries fn's error out of walk, to be returned as it is.
type stopError struct{ err error }

func (e stopError) Error() string { return e.err.Error() }

// walk lists the objects below the directory whose keys start with dirKey
// ("" or ending in '/').
func (s *FSStore) walk(ctx context.Context, dirKey, prefix, startAfter string, fn func(ObjectInfo) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, err := readDir(s.path(dirKey))
	if err != nil {
		if isNotExist(err) {
			return nil // nothing below; also a directory removed by hand
		}
		return err
	}
	type entry struct {
		sortKey string // the key, followed by '/' for a directory
		dir     bool
	}
	list := make([]entry, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if name[0] == '.' || checkPrefix(name) != nil {
			continue // temporary files, and anything not written by a Store
		}
		// Keep only what can hold a key with the prefix after startAfter
		// (a subtree, or the key itself), before sorting: listing after a
		// key of a directory of 100,000 entries sorts only those after it.
		switch {
		case e.IsDir():
			k := dirKey + name + "/"
			if !strings.HasPrefix(k, prefix) && !strings.HasPrefix(prefix, k) {
				continue
			}
			if k <= startAfter && !strings.HasPrefix(startAfter, k) {
				continue
			}
			list = append(list, entry{k, true})
		case e.Type().IsRegular():
			k := dirKey + name
			if !strings.HasPrefix(k, prefix) || k <= startAfter {
				continue
			}
			list = append(list, entry{k, false})
		}
	}
	slices.SortFunc(list, func(a, b entry) int { return strings.Compare(a.sortKey, b.sortKey) })
	for _, e := range list {
		if e.dir {
			if err := s.walk(ctx, e.sortKey, prefix, startAfter, fn); err != nil {
				return err
			}
			continue
		}
		info, err := os.Lstat(s.path(e.sortKey))
		if err != nil {
			if isNotExist(err) {
				continue
			}
			return err
		}
		if err := fn(ObjectInfo{Key: e.sortKey, Size: info.Size()}); err != nil {
			return stopError{err}
		}
	}
	return nil
}

// readDir is os.ReadDir without its sort by name: walk sorts by key, and
// only the entries it keeps.
func readDir(dir string) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// Locking reports false: a directory cannot enforce retention.
func (s *FSStore) Locking() bool { return false }

// Close does nothing; it exists to satisfy Store.
func (s *FSStore) Close() error { return nil }

// mkdirAllSync creates dir and any missing parents, syncing the parent of
// each directory it creates so that the new entries survive a crash.
func mkdirAllSync(dir string) error {
	if info, err := os.Stat(dir); err == nil {
		if !info.IsDir() {
			return &fs.PathError{Op: "mkdir", Path: dir, Err: syscall.ENOTDIR}
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAllSync(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Created concurrently, or a file is in the way.
			if info, serr := os.Stat(dir); serr == nil && info.IsDir() {
				return nil
			}
		}
		return err
	}
	return syncDir(parent)
}

// syncDir makes the entries of dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

var _ Store = (*FSStore)(nil)

// createErr words a failure to create key; a full file system is
// legajo.ErrFull, so that clerks are told the cause.
func createErr(key string, err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("archive: create %s: %w: %w", key, legajo.ErrFull, err)
	}
	return fmt.Errorf("archive: create %s: %w", key, err)
}
