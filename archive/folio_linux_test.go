package archive

import "testing"

// As TestArchiveAllocateFolio, with the claims written through named
// temporary files, as on a file system without O_TMPFILE.
func TestArchiveAllocateFolioNamed(t *testing.T) {
	was := noTmpfile.Swap(true)
	defer noTmpfile.Store(was)
	testArchiveAllocateFolio(t)
}
