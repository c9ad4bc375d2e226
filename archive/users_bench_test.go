package archive

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/sesver/legajo"
)

// BenchmarkUser reads an account that has had many versions (one per
// login and logout): cold, by a process that never read it (the listing
// walks every version), and warm, by one that knows its latest version
// (one listing that finds nothing after it) — what authenticating a
// request costs when the account cache has expired.
func BenchmarkUser(b *testing.B) {
	stores := map[string]func() Store{"fs": func() Store { return newFSStore(b) }}
	if s3Available() {
		stores["s3"] = func() Store { return newS3Store(b, S3Config{}) }
	}
	for name, open := range stores {
		for _, versions := range []int{10, 1000} {
			benchmarkUser(b, name, open(), versions)
		}
	}
}

func benchmarkUser(b *testing.B, name string, st Store, versions int) {
	a, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	u := legajo.User{Login: "ana.ruiz", Name: "Ana Ruiz", Role: legajo.RoleCapturista}
	for range versions {
		if u, err = a.SaveUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	b.Run(fmt.Sprintf("%s/cold/%d-versions", name, versions), func(b *testing.B) {
		for b.Loop() {
			fresh, _ := New(st, legajo.DefaultExpedientes())
			if _, err := fresh.User(ctx, "ana.ruiz"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(fmt.Sprintf("%s/warm/%d-versions", name, versions), func(b *testing.B) {
		for b.Loop() {
			if _, err := a.User(ctx, "ana.ruiz"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func s3Available() bool { return os.Getenv("LEGAJO_TEST_S3") != "" }
