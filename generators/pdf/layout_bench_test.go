//go:build unix

package pdf_test

import (
	"bytes"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/sesver/legajo/templates"
)

// BenchmarkRenderLong renders one tanto of each long sample (40-row tables,
// long paragraphs, long names), the documents pagination works hardest
// on, and of every fixture. Besides wall time it reports the process's CPU
// time per page, which a loaded shared machine disturbs much less:
//
//	go test -run '^$' -bench RenderLong -cpu 1 -benchtime 100x ./generators/pdf
func BenchmarkRenderLong(b *testing.B) {
	cat, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	r := newRenderer(b, false)
	for _, s := range append(longSamples(b, cat), samples(b)...) {
		tanto := s.doc.Type.Tantos[len(s.doc.Type.Tantos)-1]
		var buf bytes.Buffer
		if err := r.Render(&buf, s.doc, tanto); err != nil {
			b.Fatal(err)
		}
		pages := float64(bytes.Count(buf.Bytes(), []byte("/Type /Page\n")))
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if err := r.Render(io.Discard, s.doc, tanto); err != nil {
					b.Fatal(err)
				}
			}
			cpu = cpuTime() - cpu
			b.ReportMetric(pages, "pages")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000/pages, "ms/page")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000/pages, "cpu-ms/page")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
