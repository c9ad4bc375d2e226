//go:build !linux

package search

// releaseMapped does nothing where MADV_PAGEOUT is not known (see
// release_linux.go).
func releaseMapped(dir string) (stop func()) { return func() {} }
