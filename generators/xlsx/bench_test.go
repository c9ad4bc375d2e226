package xlsx_test

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/xlsx"
)

// syntheticEvent is the n-th event of a busy year: realistic lengths for
// every column (asunto, área, hash, key).
func syntheticEvent(n int, zone *time.Location) legajo.TrailEvent {
	at := time.Date(2026, 1, 2, 8, 0, 0, 0, zone).Add(time.Duration(n) * 3 * time.Minute)
	folio := fmt.Sprintf("SESVER/DA/DTI/OL/%04d/2026", n/2+1)
	tanto := "ORIGINAL"
	if n%2 == 1 {
		tanto = "COPIA"
	}
	sum := fmt.Sprintf("%064x", uint64(n)*0x9E3779B97F4A7C15)
	return legajo.TrailEvent{
		Expediente: "dti", Seq: int64(n/2 + 1), At: at, Event: legajo.EventEmitido, Folio: folio,
		Type: "oficio-liberacion", Title: "Oficio de liberación de sistema", Date: at,
		Subject: "Liberación del Sistema de Control de Incidencias de Personal (SICIP), versión 1." + strconv.Itoa(n%10),
		Area:    "Subdirección de Recursos Humanos", Tramite: "SICIP", Tanto: tanto, Status: legajo.StatusPendiente,
		Author: "capturista1", Key: "expedientes/dti/2026/01/" + at.UTC().Format("20060102T150405.000Z") + "_SESVER-DA-DTI-OL-" + strconv.Itoa(n) + "-2026_" + tanto + ".pdf",
		SHA256: sum, Size: 48213, Fojas: 2, Filed: n%2 == 1,
	}
}

// peak samples the heap while f runs and returns the highest HeapInuse
// seen, in bytes.
func peak(f func()) uint64 {
	var stop atomic.Bool
	var top uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for !stop.Load() {
			runtime.ReadMemStats(&ms)
			top = max(top, ms.HeapInuse)
			time.Sleep(5 * time.Millisecond)
		}
	})
	f()
	stop.Store(true)
	wg.Wait()
	return top
}

// BenchmarkTrailXLSX writes trails of 10,000 and 100,000 events (the
// events are generated: the exporter takes a stream) and reports, besides
// time and allocations, the peak heap in use and the process's maximum
// resident set size. Run each size alone for a meaningful maxRSS:
//
//	go test ./generators/xlsx -run '^$' -bench 'TrailXLSX/events=10000$' -benchtime 5x -benchmem
func BenchmarkTrailXLSX(b *testing.B) {
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10000, 100000} {
		b.Run("events="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			var top uint64
			for b.Loop() {
				top = max(top, peak(func() {
					var out countingWriter
					tw, err := xlsx.NewTrail(&out)
					if err != nil {
						b.Fatal(err)
					}
					for i := range n {
						if err := tw.Add(syntheticEvent(i, zone)); err != nil {
							b.Fatal(err)
						}
					}
					info := legajo.TrailInfo{ExportedBy: "auditor", ExportedAt: time.Date(2027, 1, 15, 10, 0, 0, 0, zone),
						Verifications: []legajo.Verification{{Expediente: "dti", Entries: n / 2, Objects: 2 * n, Findings: []legajo.Finding{}}}}
					if err := tw.Close(info); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(out.n)/(1<<20), "MB-file")
				}))
			}
			b.ReportMetric(float64(top)/(1<<20), "peak-heap-MB")
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "maxRSS-MB")
			}
		})
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)
