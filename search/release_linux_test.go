package search

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// pageOut hands back the resident pages of the mapped .zap files under the
// directory it is given, leaves other mappings alone, and the data read
// again afterwards is intact.
func TestPageOutReleasesMappedSegments(t *testing.T) {
	dir := t.TempDir()
	const size = 32 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	mapFile := func(name string) []byte {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		m, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Munmap(m) })
		return m
	}
	seg, other := mapFile("000000000001.zap"), mapFile("root.bolt")
	touch := func(m []byte) (sum int) {
		for i := 0; i < len(m); i += 4096 {
			sum += int(m[i])
		}
		return sum
	}
	want, wantOther := touch(seg), touch(other)
	before := mappedFiles()
	if before < 2*size {
		t.Skipf("RssFile %d after mapping 64 MiB: this kernel does not report it", before)
	}
	pageOut(dir)
	after := mappedFiles()
	if before-after < size*3/4 {
		t.Errorf("RssFile %d MiB → %d MiB: the segment's 32 MiB not released", before>>20, after>>20)
	}
	if before-after > size*5/4 {
		t.Errorf("RssFile %d MiB → %d MiB: more than the segment released", before>>20, after>>20)
	}
	if got, gotOther := touch(seg), touch(other); got != want || gotOther != wantOther {
		t.Errorf("read again: sums %d %d, want %d %d", got, gotOther, want, wantOther)
	}
}
