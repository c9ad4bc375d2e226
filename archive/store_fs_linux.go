package archive

import (
	"errors"
	"os"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noTmpfile is set once a file system refuses O_TMPFILE.
var noTmpfile atomic.Bool

// link creates target with data, whole or not at all. On Linux the object
// is written as an unnamed file in its own directory (O_TMPFILE), synced,
// then given its name with linkat, which fails if the name exists: no
// temporary name to create and remove, nothing left behind by a crash.
func (s *FSStore) link(parent, target string, data []byte, durable bool) error {
	if noTmpfile.Load() {
		return s.linkTemp(target, data, durable)
	}
	fd, err := unix.Open(parent, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o444)
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			noTmpfile.Store(true)
			return s.linkTemp(target, data, durable)
		}
		return &os.PathError{Op: "open", Path: parent, Err: err}
	}
	f := os.NewFile(uintptr(fd), parent)
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if durable {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, target, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "linkat", Old: parent, New: target, Err: err}
	}
	return nil
}
