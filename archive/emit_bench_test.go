package archive

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// BenchmarkEmit measures emission end to end — validate, folio, render both
// tantos, file PDFs and manifests, append the chain entry — on the fs store
// and on the real S3 server, by one client and by 8 concurrent clients,
// without a key (plain) and with every entry signed and a sealer running
// (signed, as `legajo serve` does; it also reports how long entries waited
// to be sealed), in one run so the figures compare as ratios:
//
//	source .ci/s3.sh && s3_start
//	go test -run '^$' -bench Emit -benchtime 400x ./archive
func BenchmarkEmit(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"fs", func(b *testing.B) Store { return newFSStore(b) }},
		{"s3", func(b *testing.B) Store { return newS3Store(b, S3Config{}) }},
	}
	runs := []struct {
		mode    string
		clients int
	}{{"plain", 1}, {"signed", 1}, {"plain", 8}, {"signed", 8}, {"signed", 20}}
	for _, s := range stores {
		for _, run := range runs {
			clients := run.clients
			b.Run(s.name+"/"+run.mode+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
				o, a := newOffice(b, s.open(b))
				o.Renderer = mustRenderer(b) // compressed, as in production
				var lags []time.Duration
				var lagMu sync.Mutex
				if run.mode == "signed" {
					a.UseKey(testSigner())
					a.log.sealedLag = func(d time.Duration) { lagMu.Lock(); lags = append(lags, d); lagMu.Unlock() }
					ctx, cancel := context.WithCancel(context.Background())
					var wg sync.WaitGroup
					wg.Go(func() { a.RunSealer(ctx, func(err error) { b.Error(err) }) })
					defer func() {
						// Every entry is sealed before the lags are counted.
						time.Sleep(1500 * time.Millisecond)
						cancel()
						wg.Wait()
						lagMu.Lock()
						defer lagMu.Unlock()
						if len(lags) < b.N {
							b.Errorf("%d of %d entries sealed", len(lags), b.N)
							return
						}
						slices.Sort(lags)
						b.ReportMetric(ms(lags[len(lags)*99/100]), "seal-lag-p99-ms")
					}()
				}
				data := sample(b, "oficio-liberacion")
				runClients(b, clients, "emissions/s", func() {
					if _, err := o.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "bench"}); err != nil {
						b.Error(err)
					}
				})
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func itoa(n int) string { return strconv.Itoa(n) }

// cpuTime is the process's user plus system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runClients calls one b.N times from clients goroutines at once (closed
// loop, no pause) and reports the CPU time per call (user + system, this
// process: on a shared machine the wall-clock figures swing with other
// load, this one much less), the calls per second as unit, and the p50 and
// p99 of one call.
func runClients(b *testing.B, clients int, unit string, one func()) {
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	timed := func() {
		t0 := time.Now()
		one()
		d := time.Since(t0)
		mu.Lock()
		lat = append(lat, d)
		mu.Unlock()
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	if clients == 1 {
		for b.Loop() {
			timed()
		}
	} else {
		b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				timed()
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N), "cpu-ms/op")
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
}
