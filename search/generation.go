package search

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
)

// Names inside the index directory.
const (
	currentFile = "CURRENT" // names the live generation
	lockFile    = "LOCK"    // serialises changes of CURRENT between processes
	genPrefix   = "gen-"
	buildPrefix = "build-"
	snapPrefix  = "snap-"
)

// staleAge is how old an unlocked build or snapshot directory must be
// before another process removes it as a crash's leftover.
const staleAge = 10 * time.Minute

// currentGen returns the live generation's name. With create, an empty
// first generation is made when there is none.
func currentGen(dir string, create bool) (string, error) {
	if gen, err := readCurrent(dir); err == nil || !errors.Is(err, os.ErrNotExist) || !create {
		return gen, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	if gen, err := readCurrent(dir); err == nil || !errors.Is(err, os.ErrNotExist) {
		return gen, err // made by another process meanwhile
	}
	tmp, err := newTempDir(dir, buildPrefix)
	if err != nil {
		return "", err
	}
	idx, err := bleve.New(filepath.Join(tmp, "index"), newMapping())
	if err == nil {
		err = idx.SetInternal(keyFormat, []byte(formatVersion))
		if cerr := idx.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("search: create index in %s: %w", dir, err)
	}
	return installLocked(dir, tmp)
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return "", err
	}
	gen := strings.TrimSpace(string(b))
	if !strings.HasPrefix(gen, genPrefix) || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("search: %s names %q, not a generation", filepath.Join(dir, currentFile), gen)
	}
	return gen, nil
}

// install makes the complete index built in tmp/index the live generation.
func install(dir, tmp string) (string, error) {
	unlock, err := lockDir(dir)
	if err != nil {
		return "", err
	}
	defer unlock()
	return installLocked(dir, tmp)
}

// installLocked renames tmp/index to the next generation and points
// CURRENT at it (write, sync, rename: atomic), with dir locked.
func installLocked(dir, tmp string) (string, error) {
	defer os.RemoveAll(tmp)
	next := 1
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), genPrefix); ok {
			if v, err := strconv.Atoi(n); err == nil && v >= next {
				next = v + 1
			}
		}
	}
	gen := fmt.Sprintf("%s%06d", genPrefix, next)
	if err := os.Rename(filepath.Join(tmp, "index"), genPath(dir, gen)); err != nil {
		return "", fmt.Errorf("search: install %s: %w", gen, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, currentFile), []byte(gen+"\n")); err != nil {
		os.RemoveAll(genPath(dir, gen))
		return "", fmt.Errorf("search: install %s: %w", gen, err)
	}
	return gen, nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// newTempDir makes a private working directory inside dir: same file
// system, so hard links and renames into place work.
func newTempDir(dir, prefix string) (string, error) {
	var b [4]byte
	rand.Read(b[:])
	p := filepath.Join(dir, fmt.Sprintf("%s%d-%s", prefix, os.Getpid(), hex.EncodeToString(b[:])))
	if err := os.Mkdir(p, 0o755); err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	return p, nil
}

// openGen opens generation gen for this process; when another process
// holds it, it opens a private snapshot of it instead.
func openGen(dir, gen string) (idx bleve.Index, path string, private bool, err error) {
	p := genPath(dir, gen)
	if _, err := os.Stat(filepath.Join(p, "store", "root.bolt")); err != nil {
		return nil, "", false, fmt.Errorf("search: open %s: %w", p, err)
	}
	idx, err = bleve.OpenUsing(p, map[string]any{"bolt_timeout": "100ms", "unsafe_batch": false})
	if err == nil {
		return idx, p, false, nil
	}
	if !inUse(filepath.Join(p, "store", "root.bolt")) {
		return nil, "", false, fmt.Errorf("search: open %s: %w", p, err)
	}
	idx, path, err = openSnapshot(dir, p)
	if err != nil {
		return nil, "", false, err
	}
	return idx, path, true, nil
}

// openSnapshot opens a private copy of the index at src, which another
// process holds open and may be writing. Segment files (*.zap) never change
// once written, so they are hard-linked; root.bolt, which names the
// segments of the latest persisted snapshot together with the followed
// positions, is small and copied once two reads agree. A segment merged
// away between the listing and the copy makes the open fail: try again.
func openSnapshot(dir, src string) (bleve.Index, string, error) {
	var lastErr error
	for attempt := range 8 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
		}
		snap, err := newTempDir(dir, snapPrefix)
		if err != nil {
			return nil, "", err
		}
		err = copySnapshot(src, snap)
		if err == nil {
			var idx bleve.Index
			idx, err = bleve.OpenUsing(snap, map[string]any{"unsafe_batch": true})
			if err == nil {
				return idx, snap, nil
			}
		}
		os.RemoveAll(snap)
		lastErr = err
		if errors.Is(err, os.ErrNotExist) {
			if _, serr := os.Stat(src); serr != nil {
				return nil, "", fmt.Errorf("search: snapshot of %s: %w", src, serr)
			}
		}
	}
	return nil, "", fmt.Errorf("search: snapshot of %s: %w", src, lastErr)
}

func copySnapshot(src, dst string) error {
	meta, err := os.ReadFile(filepath.Join(src, "index_meta.json"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dst, "index_meta.json"), meta, 0o644); err != nil {
		return err
	}
	sstore, dstore := filepath.Join(src, "store"), filepath.Join(dst, "store")
	if err := os.Mkdir(dstore, 0o755); err != nil {
		return err
	}
	if err := linkSegments(sstore, dstore); err != nil {
		return err
	}
	root, err := stableRead(filepath.Join(sstore, "root.bolt"))
	if err != nil {
		return err
	}
	if err := linkSegments(sstore, dstore); err != nil { // written since the first pass
		return err
	}
	return os.WriteFile(filepath.Join(dstore, "root.bolt"), root, 0o600)
}

func linkSegments(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".zap") {
			continue
		}
		target := filepath.Join(dst, name)
		if _, err := os.Lstat(target); err == nil {
			continue
		}
		err := os.Link(filepath.Join(src, name), target)
		if errors.Is(err, os.ErrNotExist) {
			continue // merged away meanwhile
		}
		if err != nil {
			if err := copyFile(filepath.Join(src, name), target); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// stableRead reads a file that another process may be writing until two
// consecutive reads are identical: a read torn by a write differs from the
// next one.
func stableRead(path string) ([]byte, error) {
	prev, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for range 50 {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(b, prev) {
			return b, nil
		}
		prev = b
		time.Sleep(2 * time.Millisecond)
	}
	return nil, fmt.Errorf("search: %s keeps changing", path)
}

// removeUnused removes an index directory no process has open.
func removeUnused(path string) bool {
	if inUse(filepath.Join(path, "store", "root.bolt")) {
		return false
	}
	return os.RemoveAll(path) == nil
}

// removeLeftovers removes, best effort, what is not the live generation and
// no process uses: generations replaced by a rebuild, and the builds and
// snapshots of processes that crashed.
func removeLeftovers(dir string) {
	cur, err := readCurrent(dir)
	if err != nil {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(dir, name)
		switch {
		case strings.HasPrefix(name, genPrefix) && name != cur:
			removeUnused(p)
		case strings.HasPrefix(name, buildPrefix), strings.HasPrefix(name, snapPrefix):
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < staleAge || !processGone(name) {
				continue
			}
			store := filepath.Join(p, "store", "root.bolt")
			if strings.HasPrefix(name, buildPrefix) {
				store = filepath.Join(p, "index", "store", "root.bolt")
			}
			if !inUse(store) {
				os.RemoveAll(p)
			}
		}
	}
}

// processGone tells, from a build-<pid>-… or snap-<pid>-… name, whether
// the process that made it has ended.
func processGone(name string) bool {
	_, rest, _ := strings.Cut(name, "-")
	pidStr, _, _ := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidStr)
	if err != nil {
		return true
	}
	if pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}
