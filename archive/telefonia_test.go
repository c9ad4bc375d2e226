package archive

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// TestBillImportedOnceAcrossProcesses imports the same bill at once from
// two processes sharing the storage (two Archive instances, two
// goroutines each): exactly one files it; the others are refused with the
// first import named, and use no folio; the chain holds one bill.
func TestBillImportedOnceAcrossProcesses(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		zone, err := time.LoadLocation("America/Mexico_City")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 10, 9, 15, 0, 0, zone)
		var tels []*legajo.Telephony
		for range 2 {
			a, err := New(st, legajo.DefaultExpedientes())
			if err != nil {
				t.Fatal(err)
			}
			o := &legajo.Office{Archive: a, Institution: fixtures.Institution(), Zone: zone, Now: func() time.Time { return at }}
			tels = append(tels, &legajo.Telephony{Office: o})
		}
		authors := []string{"ana", "luis", "marta", "pedro"}
		errs := make([]error, len(authors))
		folios := make([]string, len(authors))
		var wg sync.WaitGroup
		for i, who := range authors {
			wg.Go(func() {
				im, _, err := tels[i%2].Import(ctx, legajo.ImportRequest{Data: fixtures.SampleBill(), Name: "siana.csv",
					Period: fixtures.SampleBillPeriod, Author: who})
				errs[i] = err
				if im != nil {
					folios[i] = im.Folio
				}
			})
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			var dup *legajo.DuplicateBillError
			switch {
			case err == nil && won == -1:
				won = i
			case err == nil:
				t.Errorf("%s and %s both imported the bill (%s, %s)", authors[won], authors[i], folios[won], folios[i])
			case !errors.As(err, &dup) || !errors.Is(err, legajo.ErrConflict):
				t.Errorf("%s: %v", authors[i], err)
			}
		}
		if won == -1 {
			t.Fatalf("nobody imported the bill: %v", errs)
		}
		for i, err := range errs {
			if err == nil {
				continue
			}
			msg := err.Error()
			for _, want := range []string{"Telmex", "de octubre de 2026", "ya se importó el 10 de noviembre de 2026 a las 09:15",
				"por " + authors[won], fixtures.SampleBillAccount} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s's refusal %q lacks %q", authors[i], msg, want)
				}
			}
		}
		// Nothing of the refused imports was filed: one folio of serie FT,
		// one bill in the chain.
		claims, err := ListFolios(ctx, st, legajo.BillSerie, 2026)
		if err != nil || len(claims) != 1 {
			t.Fatalf("folios of serie %s: %d, %v", legajo.BillSerie, len(claims), err)
		}
		a, _ := New(st, legajo.DefaultExpedientes())
		var bills int
		if err := a.Entries(ctx, legajo.BillExpediente, time.Time{}, time.Time{}, func(e legajo.Entry) error {
			if e.Type == legajo.BillType {
				bills++
			}
			return nil
		}); err != nil || bills != 1 {
			t.Fatalf("bills in the chain: %d, %v", bills, err)
		}
		// Later, from a third process, the refusal names the folio.
		o := &legajo.Office{Archive: a, Institution: fixtures.Institution(), Zone: zone, Now: func() time.Time { return at.Add(time.Hour) }}
		_, _, err = (&legajo.Telephony{Office: o}).Import(ctx, legajo.ImportRequest{Data: fixtures.SampleBill(),
			Period: fixtures.SampleBillPeriod, Author: "rosa"})
		if err == nil || !strings.Contains(err.Error(), "con el folio "+folios[won]) {
			t.Fatalf("third import: %v", err)
		}
		// Its hold, long past staleAfter, still refuses: the bill is filed.
		var dup *legajo.DuplicateBillError
		if _, err := a.ClaimBill(ctx, legajo.BillClaim{Account: fixtures.SampleBillAccount, Period: fixtures.SampleBillPeriod,
			Author: "rosa", At: at.Add(time.Hour)}); !errors.As(err, &dup) || dup.Author != authors[won] {
			t.Fatalf("hold after the bill was filed: %v", err)
		}
		v, err := a.Verify(ctx, legajo.BillExpediente)
		if err != nil || !v.OK() {
			t.Fatalf("verify: %+v %v", v, err)
		}
	})
}

// TestBillHold: a hold given up (its import failed) or abandoned (older
// than staleAfter) lets the month be imported again; one whose bill is in
// the chain never does.
func TestBillHold(t *testing.T) {
	ctx := context.Background()
	a, err := New(newFSStore(t), legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC)
	c := legajo.BillClaim{Account: "2281004573", Period: "2026-10", Provider: "Telmex", Author: "ana", At: at}
	release, err := a.ClaimBill(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Author = "luis"
	var dup *legajo.DuplicateBillError
	if _, err := a.ClaimBill(ctx, c); !errors.As(err, &dup) || dup.Author != "ana" || !dup.FiledAt.Equal(at) {
		t.Fatalf("held month: %v", err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ClaimBill(ctx, c); err != nil {
		t.Fatalf("after the hold was given up: %v", err)
	}
	c.Author, c.At = "marta", at.Add(staleAfter-time.Second)
	if _, err := a.ClaimBill(ctx, c); !errors.As(err, &dup) || dup.Author != "luis" {
		t.Fatalf("luis's fresh hold: %v", err)
	}
	c.At = at.Add(staleAfter + time.Second)
	if _, err := a.ClaimBill(ctx, c); err != nil {
		t.Fatalf("after luis's hold lapsed: %v", err)
	}
	// Another month, an account with odd characters: their own holds.
	for _, other := range []legajo.BillClaim{{Account: "2281004573", Period: "2026-09"}, {Account: "../cuenta 1/ñ", Period: "2026-10"}} {
		other.At, other.Author = at, "ana"
		if _, err := a.ClaimBill(ctx, other); err != nil {
			t.Errorf("%+v: %v", other, err)
		}
	}
	for _, bad := range []legajo.BillClaim{{Account: "1", Period: "2026-13", At: at}, {Account: "", Period: "2026-10", At: at}} {
		if _, err := a.ClaimBill(ctx, bad); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

// failingFiles is an archive whose filings fail while fail is set, as a
// storage that stops answering between the folio and the chain entry.
type failingFiles struct {
	*Archive
	fail atomic.Bool
}

func (f *failingFiles) File(ctx context.Context, fl legajo.Filing) (legajo.Entry, error) {
	if f.fail.Load() {
		return legajo.Entry{}, legajo.Errorf(legajo.ErrUnavailable, "storage down")
	}
	return f.Archive.File(ctx, fl)
}

// TestBillImportFailedGivesUp: an import that fails after holding its
// month gives the hold up, so the bill is imported at once when storage
// answers again, not refused as «se está archivando».
func TestBillImportFailedGivesUp(t *testing.T) {
	ctx := context.Background()
	a, err := New(newFSStore(t), legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC)
	arch := &failingFiles{Archive: a}
	tel := &legajo.Telephony{Office: &legajo.Office{Archive: arch, Institution: fixtures.Institution(), Now: func() time.Time { return at }}}
	req := legajo.ImportRequest{Data: fixtures.SampleBill(), Period: fixtures.SampleBillPeriod, Author: "ana"}
	arch.fail.Store(true)
	if _, _, err := tel.Import(ctx, req); !errors.Is(err, legajo.ErrUnavailable) {
		t.Fatalf("import while storage fails: %v", err)
	}
	arch.fail.Store(false)
	im, _, err := tel.Import(ctx, req)
	if err != nil {
		t.Fatalf("import once storage answers: %v", err)
	}
	if _, _, err := tel.Import(ctx, req); err == nil || !strings.Contains(err.Error(), "con el folio "+im.Folio) {
		t.Fatalf("third import: %v", err)
	}
}
