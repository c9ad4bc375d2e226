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

// write stages data. On Linux the object is written as an unnamed file in
// its own directory (O_TMPFILE), then given its name with linkat, which
// fails if the name exists: no temporary name to create and remove, nothing
// left behind by a crash.
func (s *FSStore) write(o *staged, data []byte, durable bool) error {
	if noTmpfile.Load() {
		return s.writeNamed(o, data, durable)
	}
	fd, err := unix.Open(o.parent, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o444)
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			noTmpfile.Store(true)
			return s.writeNamed(o, data, durable)
		}
		return &os.PathError{Op: "open", Path: o.parent, Err: err}
	}
	o.f = os.NewFile(uintptr(fd), o.parent)
	if _, err := o.f.Write(data); err != nil {
		return err
	}
	if durable {
		return o.f.Sync()
	}
	return nil
}

// linkStaged names the staged file.
func (s *FSStore) linkStaged(o *staged) error {
	if o.f == nil {
		return os.Link(o.tmp, o.target)
	}
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(o.f.Fd())), unix.AT_FDCWD, o.target, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "linkat", Old: o.parent, New: o.target, Err: err}
	}
	return nil
}
