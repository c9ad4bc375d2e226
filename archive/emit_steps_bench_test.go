package archive

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// BenchmarkFileTanto files a 40 kB tanto and its manifest on fs by 1 and
// by 8 concurrent clients, two ways in one run: one durable create after
// the other (creates: file fsync, link, directory fsync, then the same for
// the manifest) and as fileOne does on fs now (staged: both written and
// synced at once, linked, their directory synced once):
//
//	go test -run '^$' -bench FileTanto -benchtime 400x -count 3 ./archive
func BenchmarkFileTanto(b *testing.B) {
	data := bytes.Repeat([]byte("%PDF-1.7 tanto "), 40000/15)
	for _, clients := range []int{1, 8} {
		for _, mode := range []string{"creates", "staged"} {
			b.Run(mode+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
				ctx := context.Background()
				st := newFSStore(b)
				a, err := New(st, legajo.DefaultExpedientes())
				if err != nil {
					b.Fatal(err)
				}
				exp, err := a.Expediente("dti")
				if err != nil {
					b.Fatal(err)
				}
				at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
				var seq atomic.Int64
				runClients(b, clients, "tantos/s", func() {
					stem := fmt.Sprintf("expedientes/dti/2026/11/%06d_original", seq.Add(1))
					file := legajo.File{Data: data, Kind: "pdf", Tanto: "ORIGINAL", Manifest: legajo.Manifest{Folio: stem, Tanto: "ORIGINAL"}}
					var err error
					if mode == "staged" {
						_, err = a.fileOne(ctx, exp, at, stem, file)
					} else {
						_, err = a.fileOneCreates(ctx, exp, at, stem, "pdf", file)
					}
					if err != nil {
						b.Error(err)
					}
				})
			})
		}
	}
}
