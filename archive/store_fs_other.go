//go:build !linux

package archive

import "os"

// write stages data in a named temporary file.
func (s *FSStore) write(o *staged, data []byte, durable bool) error {
	return s.writeNamed(o, data, durable)
}

// linkStaged links the temporary file to the object's name.
func (s *FSStore) linkStaged(o *staged) error { return os.Link(o.tmp, o.target) }
