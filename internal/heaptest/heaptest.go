// Package heaptest measures the heap a piece of code needs, for the
// benchmarks that state a memory target.
package heaptest

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// Peak runs fn and returns the highest live heap sampled every millisecond
// while it ran, and the live heap just before it (after a collection), in
// bytes.
func Peak(fn func()) (peak, before uint64) {
	runtime.GC()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	before = s[0].Value.Uint64()
	var max atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > max.Load() {
				max.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return max.Load(), before
}
