//go:build !linux

package archive

// link creates target with data through a named temporary file.
func (s *FSStore) link(parent, target string, data []byte, durable bool) error {
	return s.linkTemp(target, data, durable)
}
