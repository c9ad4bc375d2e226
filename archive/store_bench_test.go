package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks compare the backends in one run:
//
//	source .ci/s3.sh; s3_start; go test -run '^$' -bench . ./archive/; s3_stop
//
// Each reports ops/s besides ns/op; "parallel" runs 8 goroutines per CPU.

var benchBackends = []struct {
	name string
	open func(b *testing.B) Store
}{
	{"fs", func(b *testing.B) Store { return newFSStore(b) }},
	{"s3", func(b *testing.B) Store { return newS3Store(b, S3Config{}) }},
}

// BenchmarkCreateGet files a 30 KiB object (the size of a typical issued
// PDF) and reads it back.
func BenchmarkCreateGet(b *testing.B) {
	data := make([]byte, 30<<10)
	rand.Read(data)
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			st := be.open(b)
			var seq atomic.Int64
			op := func() error {
				n := seq.Add(1)
				key := fmt.Sprintf("bench/%04d/%06d.pdf", n/1000, n)
				if err := st.Create(context.Background(), key, data, CreateOptions{ContentType: "application/pdf"}); err != nil {
					return err
				}
				got, err := st.Get(context.Background(), key)
				if err == nil && len(got) != len(data) {
					err = fmt.Errorf("Get %s: %d bytes, want %d", key, len(got), len(data))
				}
				return err
			}
			runBench(b, op)
		})
	}
}

// BenchmarkAllocateFolio allocates folios of one serie; in parallel, all
// goroutines contend for the next number.
func BenchmarkAllocateFolio(b *testing.B) {
	claim := []byte(`{"type":"oficio-liberacion","idempotency_key":"0123456789abcdef"}`)
	var series atomic.Int64
	for _, be := range benchBackends {
		b.Run(be.name, func(b *testing.B) {
			st := be.open(b)
			serie := fmt.Sprintf("S%d", series.Add(1))
			runBench(b, func() error {
				_, err := AllocateFolio(context.Background(), st, "", serie, 2026, claim, time.Time{})
				return err
			})
		})
	}
}

// runBench runs op sequentially and with 8 goroutines per CPU.
func runBench(b *testing.B, op func() error) {
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		reportOps(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportOps(b)
	})
}

func reportOps(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

// BenchmarkListAfter lists a page of 100 keys after a key in the middle of
// a directory of 20,000 objects, as a backup listing its ranges does, and
// as a folio or account listing after a known key does.
func BenchmarkListAfter(b *testing.B) {
	st := newFSStore(b)
	ctx := context.Background()
	const n = 20000
	for i := range n {
		if err := st.Create(ctx, fmt.Sprintf("documentos/%06d", i), []byte("x"), CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	after := fmt.Sprintf("documentos/%06d", n/2)
	for b.Loop() {
		got := 0
		err := st.List(ctx, "documentos/", after, func(ObjectInfo) error {
			if got++; got == 100 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			b.Fatal(err)
		}
	}
}

// BenchmarkS3Put compares the PUT of S3Store.Create (payload unsigned,
// bound to the signature by its Content-MD5, which the server checks) with
// minio-go's default over plain HTTP (payload in signed chunks, Content-MD5
// as well), for objects of the backup's average size (2,377 MB in 841,592
// objects: 2.8 KB), 16 at a time as Backup sends them.
func BenchmarkS3Put(b *testing.B) {
	data := make([]byte, 2800)
	rand.Read(data)
	for _, chunks := range []bool{false, true} {
		name := "unsigned-md5"
		if chunks {
			name = "signed-chunks"
		}
		b.Run(name, func(b *testing.B) {
			st := newS3Store(b, S3Config{})
			mustCreate(b, st, "probe-first", data)
			var seq atomic.Int64
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					po := st.putOptions(CreateOptions{ContentType: "application/pdf"})
					po.DisableContentSha256 = !chunks
					po.SetMatchETagExcept("*")
					key := fmt.Sprintf("bench/%04d/%06d.pdf", n/1000, n)
					if _, err := st.client.PutObject(context.Background(), st.bucket, key, bytes.NewReader(data), int64(len(data)), po); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportOps(b)
		})
	}
}
