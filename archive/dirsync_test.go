package archive

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Concurrent syncs of one directory all return once an fsync that started
// after their call has finished, and they share fsyncs.
func TestDirSyncer(t *testing.T) {
	dir := t.TempDir()
	d := newDirSyncer()
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			os.WriteFile(filepath.Join(dir, itoa(i%10)+"-"+string(rune('a'+i%26))), []byte("x"), 0o644)
			if err := d.sync(dir); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(d.dirs) != 0 {
		t.Errorf("%d directory states left behind", len(d.dirs))
	}
	if err := d.sync(filepath.Join(dir, "no-existe")); err == nil {
		t.Error("the fsync of a missing directory did not fail")
	}
}
