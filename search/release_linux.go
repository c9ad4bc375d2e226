package search

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The final merge of a rebuild reads every segment file of the index
// through bleve's memory maps, and every page read stays in the process's
// resident set until the segment is closed: at 100,000 documents the
// mapped files were 395 MiB of a 482 MiB peak, the heap less than 90.
// Those pages are the kernel's page cache, which it can drop at will, but
// they count as the process's memory (VmHWM, a container's limit), so
// while merging the pages of the index files this process has mapped are
// handed back (madvise MADV_PAGEOUT) whenever they pass mappedLimit. A page
// needed again is read again. MADV_PAGEOUT never changes what a page
// holds: were an address range unmapped and reused by the Go runtime
// between reading /proc/self/maps and the call, its anonymous pages could
// only be swapped out (with no swap, nothing happens), never zeroed as
// MADV_DONTNEED would.
const (
	mappedLimit  = 96 << 20
	releaseEvery = 100 * time.Millisecond
	madvPageout  = 21 // MADV_PAGEOUT, Linux 5.4
)

// releaseMapped starts handing back the mapped pages of the segment files
// under dir and returns the function that stops it.
func releaseMapped(dir string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(releaseEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if mappedFiles() > mappedLimit {
				pageOut(dir)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// mappedFiles is the process's resident memory of mapped files (RssFile),
// in bytes; 0 when unknown.
func mappedFiles() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// pageOut hands back the resident pages of the process's mappings of the
// .zap files under dir (deleted ones included: a merged segment's file is
// removed before it is unmapped).
func pageOut(dir string) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	prefix := filepath.Clean(dir) + string(filepath.Separator)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 6 {
			continue
		}
		path := string(bytes.Join(fields[5:], []byte(" ")))
		path = strings.TrimSuffix(path, " (deleted)")
		if !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, ".zap") {
			continue
		}
		lo, hi, ok := strings.Cut(string(fields[0]), "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		// Errors are ignored: a kernel without MADV_PAGEOUT (EINVAL)
		// keeps the pages, as before.
		syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), madvPageout)
	}
}
