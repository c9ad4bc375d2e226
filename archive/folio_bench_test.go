package archive

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkFolioTurn claims folios of one serie on fs by 1 and by 8
// concurrent clients, two ways in one run: as before issue 10's emission
// work (in-turn: the whole create, file fsync and directory fsync, inside
// the serie's turn) and as Archive.AllocateFolio does now (staged: the
// claim written and synced before the turn, the directory synced after it,
// the turn only a link):
//
//	go test -run '^$' -bench FolioTurn -benchtime 400x -count 3 ./archive
func BenchmarkFolioTurn(b *testing.B) {
	for _, clients := range []int{1, 8} {
		for _, mode := range []string{"in-turn", "staged"} {
			b.Run(mode+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
				ctx := context.Background()
				st := newFSStore(b)
				a, err := New(st, nil)
				if err != nil {
					b.Fatal(err)
				}
				var turn sync.Mutex
				alloc := func(claim []byte) error {
					if mode == "staged" {
						_, err := a.AllocateFolio(ctx, "P", "OL", 2026, claim)
						return err
					}
					turn.Lock()
					defer turn.Unlock()
					_, err := AllocateFolio(ctx, st, "P", "OL", 2026, claim, time.Time{})
					return err
				}
				var mu sync.Mutex
				lat := make([]time.Duration, 0, b.N)
				var n int
				one := func() {
					mu.Lock()
					n++
					claim := []byte("bench-" + strconv.Itoa(n))
					mu.Unlock()
					t0 := time.Now()
					if err := alloc(claim); err != nil {
						b.Error(err)
					}
					d := time.Since(t0)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
				cpu0 := cpuTime()
				b.ResetTimer()
				if clients == 1 {
					for b.Loop() {
						one()
					}
				} else {
					b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							one()
						}
					})
				}
				b.StopTimer()
				b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N), "cpu-ms/op")
				slices.Sort(lat)
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "folios/s")
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
				claims, err := ListFolios(ctx, st, "OL", 2026)
				if err != nil || len(claims) != b.N || claims[len(claims)-1].Number != b.N {
					b.Errorf("%d folios claimed for %d allocations (%v)", len(claims), b.N, err)
				}
			})
		}
	}
}
