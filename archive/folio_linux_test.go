package archive

import "testing"

// As TestArchiveAllocateFolioStaged, with the claims staged in named
// temporary files, as on a file system without O_TMPFILE.
func TestArchiveAllocateFolioStagedNamed(t *testing.T) {
	was := noTmpfile.Swap(true)
	defer noTmpfile.Store(was)
	testArchiveAllocateFolioStaged(t)
}
