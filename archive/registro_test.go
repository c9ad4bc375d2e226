package archive

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// TestRegistroAcrossProcesses files from many goroutines of two processes
// sharing the storage into one registry: every change is filed once, the
// numbers have no gaps and no repeats, and a third process replays the
// same rows. eachStore runs it on the filesystem and, with
// LEGAJO_TEST_S3, on S3.
func TestRegistroAcrossProcesses(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		var rss []*legajo.Registros
		for range 2 {
			a, err := New(st, legajo.DefaultExpedientes())
			if err != nil {
				t.Fatal(err)
			}
			rs, err := legajo.NewRegistros(a, legajo.PadronCorreo())
			if err != nil {
				t.Fatal(err)
			}
			rss = append(rss, rs)
		}
		const workers, each = 4, 3
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					c := legajo.RegistroChange{Kind: legajo.RegAlta, Fields: map[string]string{
						"cuenta": fmt.Sprintf("u%d.%d@ssaver.gob.mx", w, i), "usuario_nombre": "Persona"}}
					if _, err := rss[w%2].File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana",
						Changes: []legajo.RegistroChange{c}}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		a, _ := New(st, legajo.DefaultExpedientes())
		seqs := map[int]bool{}
		if _, err := a.RegistroEvents(ctx, 0, func(ev legajo.RegistroEvent) error {
			if seqs[ev.Seq] {
				t.Errorf("event %d filed twice", ev.Seq)
			}
			seqs[ev.Seq] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= workers*each; n++ {
			if !seqs[n] {
				t.Errorf("event %d missing", n)
			}
		}
		rs, _ := legajo.NewRegistros(a, legajo.PadronCorreo())
		if err := rs.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rs.Count(legajo.PadronCorreoID); n != workers*each {
			t.Fatalf("replayed %d rows, want %d", n, workers*each)
		}
		// The same number filed again is refused and files nothing.
		ev := legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Seq: 1, At: time.Now(), Author: "luis",
			Changes: []legajo.RegistroChange{{Row: "x@ssaver.gob.mx", Kind: legajo.RegAlta}}}
		if _, err := a.FileRegistro(ctx, ev, legajo.PadronCorreo().Folio(2026)); !errors.Is(err, legajo.ErrConflict) {
			t.Fatalf("number 1 again: %v", err)
		}
		ev.Registro = "../folios"
		if _, err := a.FileRegistro(ctx, ev, legajo.PadronCorreo().Folio(2026)); !errors.Is(err, legajo.ErrInvalid) {
			t.Fatalf("a registry id that leaves its directory: %v", err)
		}
		v, err := a.Verify(ctx, legajo.RegistroExpediente)
		if err != nil || !v.OK() {
			t.Fatalf("verify: %+v %v", v, err)
		}
	})
}
