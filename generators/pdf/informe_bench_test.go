//go:build unix

package pdf_test

import "testing"

// BenchmarkInforme measures the monthly Informe: drawing its six charts as
// PNG and laying it out (the figures themselves are counted by the
// statistics benchmark).
func BenchmarkInforme(b *testing.B) {
	r := newRenderer(b, false)
	informe(b, r) // warm up
	cpu0 := cpuTime()
	for b.Loop() {
		informe(b, r)
	}
	// The machine is shared: CPU per Informe says more than wall time.
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
