package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

func TestAllocateFolio(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	alloc := func(serie string, year int, claim string) legajo.Folio {
		t.Helper()
		f, err := AllocateFolio(ctx, st, "SESVER/DA/DTI", serie, year, []byte(claim), time.Time{})
		if err != nil {
			t.Fatalf("AllocateFolio(%s, %d): %v", serie, year, err)
		}
		return f
	}
	for want := 1; want <= 3; want++ {
		f := alloc("OL", 2026, fmt.Sprint("ol-", want))
		if f != (legajo.Folio{Prefix: "SESVER/DA/DTI", Serie: "OL", Number: want, Year: 2026}) {
			t.Fatalf("folio %+v, want OL number %d of 2026", f, want)
		}
	}
	if got := alloc("OL", 2027, "next year").Number; got != 1 {
		t.Errorf("first folio of a new year: %d, want 1", got)
	}
	if got := alloc("MIN", 2026, "other serie").Number; got != 1 {
		t.Errorf("first folio of another serie: %d, want 1", got)
	}
	if got := alloc("OL", 2026, "ol-4").String(); got != "SESVER/DA/DTI/OL/0004/2026" {
		t.Errorf("folio %s, want SESVER/DA/DTI/OL/0004/2026", got)
	}

	claims, err := ListFolios(ctx, st, "OL", 2026)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range claims {
		got = append(got, fmt.Sprintf("%d=%s", c.Number, c.Claim))
	}
	if s := strings.Join(got, " "); s != "1=ol-1 2=ol-2 3=ol-3 4=ol-4" {
		t.Errorf("ListFolios = %s", s)
	}

	for _, bad := range []struct {
		serie string
		year  int
		claim string
	}{
		{"", 2026, "x"}, {"OL/X", 2026, "x"}, {"..", 2026, "x"}, {"OL", 1899, "x"}, {"OL", 10000, "x"}, {"OL", 2026, ""},
	} {
		if _, err := AllocateFolio(ctx, st, "P", bad.serie, bad.year, []byte(bad.claim), time.Time{}); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("AllocateFolio(%q, %d, %q): %v, want ErrInvalid", bad.serie, bad.year, bad.claim, err)
		}
	}
}

// The per-process hint must never carry one Store's numbers to another.
func TestAllocateFolioHintPerStore(t *testing.T) {
	ctx := context.Background()
	a, b := newFSStore(t), newFSStore(t)
	for range 5 {
		if _, err := AllocateFolio(ctx, a, "", "OL", 2026, []byte("a"), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := AllocateFolio(ctx, b, "", "OL", 2026, []byte("b"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Number != 1 {
		t.Errorf("first folio in a fresh store after 5 in another: %d, want 1", f.Number)
	}
}

// A Create whose response was lost and which was retried reports a conflict
// with the caller's own write: AllocateFolio must take that number, not skip
// it. Simulated by claiming a number behind AllocateFolio's back with the
// same claim.
func TestAllocateFolioOwnClaim(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	if _, err := AllocateFolio(ctx, st, "", "OL", 2026, []byte("first"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, st, "folios/OL/2026/000002", []byte("retried"))
	f, err := AllocateFolio(ctx, st, "", "OL", 2026, []byte("retried"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Number != 2 {
		t.Errorf("folio %d, want 2 (the caller's own earlier write)", f.Number)
	}
}

// Environment of the child processes of TestAllocateFolioProcesses.
const (
	folioChildEnv = "LEGAJO_TEST_FOLIO_CHILD" // "fs:<dir>" or "s3:<bucket>"
	folioOutEnv   = "LEGAJO_TEST_FOLIO_OUT"   // file for the child's results
	folioChildren = 2
	folioPerChild = 50
)

// TestAllocateFolioProcesses runs 2 processes × 50 concurrent allocations
// on one serie and checks that they got exactly 1..100.
func TestAllocateFolioProcesses(t *testing.T) {
	t.Run("fs", func(t *testing.T) {
		dir := t.TempDir()
		st, err := OpenFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		testFolioProcesses(t, st, "fs:"+dir)
	})
	t.Run("s3", func(t *testing.T) {
		st := newS3Store(t, S3Config{})
		testFolioProcesses(t, st, "s3:"+st.bucket)
	})
	// Through an Archive, as Office.Emit claims (in the serie's turn).
	t.Run("archive-fs", func(t *testing.T) {
		dir := t.TempDir()
		st, err := OpenFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		testFolioProcesses(t, st, "archive-fs:"+dir)
		if left, _ := os.ReadDir(filepath.Join(dir, fsTempDir)); len(left) != 0 {
			t.Errorf("%d temporary files left behind", len(left))
		}
	})
	t.Run("archive-s3", func(t *testing.T) {
		st := newS3Store(t, S3Config{})
		testFolioProcesses(t, st, "archive-s3:"+st.bucket)
	})
}

// Archive.AllocateFolio on fs steps over numbers another process claimed,
// takes its own earlier write, refuses an empty claim and a serie that is
// not one key segment, and leaves no temporary file behind, whatever
// happened.
func TestArchiveAllocateFolio(t *testing.T) { testArchiveAllocateFolio(t) }

func testArchiveAllocateFolio(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	a, err := New(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	alloc := func(claim string) int {
		t.Helper()
		f, err := a.AllocateFolio(ctx, "P", "OL", 2026, []byte(claim))
		if err != nil {
			t.Fatalf("AllocateFolio(%q): %v", claim, err)
		}
		return f.Number
	}
	if n := alloc("a"); n != 1 {
		t.Fatalf("first folio %d, want 1", n)
	}
	// Another process claims 2 and 3 behind this one's back.
	mustCreate(t, st, "folios/OL/2026/000002", []byte("other-2"))
	mustCreate(t, st, "folios/OL/2026/000003", []byte("other-3"))
	if n := alloc("b"); n != 4 {
		t.Errorf("folio after two foreign claims %d, want 4", n)
	}
	// This caller's own earlier write of 5 (a retry) is taken, not skipped.
	mustCreate(t, st, "folios/OL/2026/000005", []byte("retried"))
	if n := alloc("retried"); n != 5 {
		t.Errorf("own earlier claim: folio %d, want 5", n)
	}
	// Claim 6's number is held by a document whose claim was lost: skipped.
	mustCreate(t, st, docRoot+legajo.Folio{Prefix: "P", Serie: "OL", Number: 6, Year: 2026}.Slug()+"/x.pdf", []byte("%PDF"))
	if n := alloc("c"); n != 7 {
		t.Errorf("folio after a number a document holds %d, want 7", n)
	}
	for _, bad := range []struct{ serie, claim string }{{"OL", ""}, {"OL/X", "x"}, {"..", "x"}, {"", "x"}} {
		if _, err := a.AllocateFolio(ctx, "P", bad.serie, 2026, []byte(bad.claim)); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("AllocateFolio(%q, %q): %v, want ErrInvalid", bad.serie, bad.claim, err)
		}
	}
	claims, err := ListFolios(ctx, st, "OL", 2026)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range claims {
		got = append(got, fmt.Sprintf("%d=%s", c.Number, c.Claim))
	}
	if s := strings.Join(got, " "); s != "1=a 2=other-2 3=other-3 4=b 5=retried 6=c 7=c" {
		t.Errorf("claims %s", s)
	}
	if left, _ := os.ReadDir(st.tmp); len(left) != 0 {
		t.Errorf("%d temporary files left behind", len(left))
	}
	// Claims are read-only files, as every object.
	info, err := os.Stat(filepath.Join(st.dir, "folios", "OL", "2026", "000004"))
	if err != nil || info.Mode().Perm()&0o222 != 0 {
		t.Errorf("claim file %v, %v: want read-only", info, err)
	}
}

func testFolioProcesses(t *testing.T, st Store, spec string) {
	ctx := context.Background()
	out := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, folioChildren)
	logs := make([][]byte, folioChildren)
	for i := range folioChildren {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFolioChild$", "-test.count=1")
			cmd.Env = append(os.Environ(),
				folioChildEnv+"="+spec,
				folioOutEnv+"="+filepath.Join(out, fmt.Sprint(i)),
				fmt.Sprintf("LEGAJO_TEST_FOLIO_PROC=p%d", i),
			)
			logs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, logs[i])
		}
	}

	// What each child says it got.
	owner := map[int]string{}
	for i := range folioChildren {
		data, err := os.ReadFile(filepath.Join(out, fmt.Sprint(i)))
		if err != nil {
			t.Fatalf("child %d left no results: %v\n%s", i, err, logs[i])
		}
		var got map[string]int // claim → number
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != folioPerChild {
			t.Errorf("child %d reports %d folios, want %d", i, len(got), folioPerChild)
		}
		for claim, n := range got {
			if prev, dup := owner[n]; dup {
				t.Errorf("folio %d given to both %s and %s", n, prev, claim)
			}
			owner[n] = claim
		}
	}

	// What the store holds: exactly 1..100, each with its claimant's claim.
	claims, err := ListFolios(ctx, st, "OL", 2026)
	if err != nil {
		t.Fatal(err)
	}
	const total = folioChildren * folioPerChild
	if len(claims) != total {
		t.Errorf("store holds %d folios, want %d", len(claims), total)
	}
	for i, c := range claims {
		if c.Number != i+1 {
			t.Fatalf("folio at position %d is number %d: gap or duplicate", i+1, c.Number)
		}
		if string(c.Claim) != owner[c.Number] {
			t.Errorf("folio %d holds claim %q, but %q reported it", c.Number, c.Claim, owner[c.Number])
		}
	}
}

// TestFolioChild is one child process of TestAllocateFolioProcesses; it
// does nothing when run otherwise.
func TestFolioChild(t *testing.T) {
	spec := os.Getenv(folioChildEnv)
	if spec == "" {
		t.Skip("runs only as a child of TestAllocateFolioProcesses")
	}
	ctx := context.Background()
	// "archive-fs:<dir>": allocate through an Archive, as Office.Emit does.
	spec, viaArchive := strings.CutPrefix(spec, "archive-")
	st := openSpec(t, spec)
	defer st.Close()
	var a *Archive
	if viaArchive {
		var err error
		if a, err = New(st, nil); err != nil {
			t.Fatal(err)
		}
	}

	proc := os.Getenv("LEGAJO_TEST_FOLIO_PROC")
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for g := range folioPerChild {
		wg.Go(func() {
			claim := fmt.Sprintf("%s-g%02d", proc, g)
			alloc := func() (legajo.Folio, error) {
				return AllocateFolio(ctx, st, "SESVER/DA/DTI", "OL", 2026, []byte(claim), time.Time{})
			}
			if a != nil {
				alloc = func() (legajo.Folio, error) { return a.AllocateFolio(ctx, "SESVER/DA/DTI", "OL", 2026, []byte(claim)) }
			}
			f, err := alloc()
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[claim] = f.Number
			mu.Unlock()
		})
	}
	wg.Wait()
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv(folioOutEnv), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// openSpec opens the store a parent process names for its children:
// "fs:<dir>" or "s3:<bucket>" on the test server.
func openSpec(t *testing.T, spec string) Store {
	t.Helper()
	switch kind, arg, _ := strings.Cut(spec, ":"); kind {
	case "fs":
		fs, err := OpenFS(arg)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	case "s3":
		cfg := s3TestConfig(t)
		cfg.Bucket, cfg.CreateBucket = arg, false
		s3, err := OpenS3(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s3
	}
	t.Fatalf("bad child store %q", spec)
	return nil
}

// A folio whose claim was deleted is not handed out again by a process
// with no memory of it (no log loaded): its alta transition says a filing
// took it. On fs its pointers say so too, with the alta gone as well.
func TestFolioTakenWithoutClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, _ := newOffice(t, st)
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "minuta", Data: sample(t, "minuta"), Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		if err != nil {
			t.Fatal(err)
		}
		var w tamperer
		switch s := st.(type) {
		case *FSStore:
			w = fsTamperer{s}
		case *S3Store:
			w = s3Tamperer{s}
		}
		dir, _ := folioDir(f.Serie, f.Year)
		// Each allocation through a Store value of its own: no number
		// remembered from an earlier one (see hintKeyFor).
		allocate := func(st Store) legajo.Folio {
			t.Helper()
			a, err := New(st, legajo.DefaultExpedientes())
			if err != nil {
				t.Fatal(err)
			}
			got, err := a.AllocateFolio(ctx, f.Prefix, f.Serie, f.Year, []byte(`{"test":"after delete"}`))
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		w.remove(t, folioKey(dir, f.Number))
		// A plainStore hides the FSStore: only the alta tells.
		if got := allocate(&plainStore{st}); got.Number == f.Number {
			t.Fatalf("after deleting the claim of %s, allocation gave it again", f)
		} else if got.Number != f.Number+1 {
			t.Errorf("after deleting the claim of %s, allocation gave %s, want the next number", f, got)
		}
		fs, ok := st.(*FSStore)
		if !ok {
			return // on S3 the pointers are not listed (see Archive.folioTaken)
		}
		// Both claims and the alta gone: the document's pointers remain.
		w.remove(t, folioKey(dir, f.Number))
		w.remove(t, folioKey(dir, f.Number+1))
		w.remove(t, stateKey(f, legajo.EventEmitido.Transition(), 1))
		again, err := OpenFS(fs.dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := allocate(again); got.Number == f.Number {
			t.Errorf("after deleting the claim and the alta of %s, allocation gave it again", f)
		}
	})
}

// Claimed tells a folio never issued from one that was, without listing
// anything.
func TestClaimed(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		c := &listCounter{Store: st}
		o, a := newOffice(t, c)
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "minuta", Data: sample(t, "minuta"), Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		issued, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		reserved, err := a.AllocateFolio(ctx, issued.Prefix, issued.Serie, issued.Year, []byte(`{"test":"reserved"}`))
		if err != nil {
			t.Fatal(err)
		}
		never := issued
		never.Number += 100
		for _, tc := range []struct {
			folio legajo.Folio
			want  bool
		}{{issued, true}, {reserved, true}, {never, false}} {
			c.calls.Store(0)
			got, err := a.Claimed(ctx, tc.folio)
			if err != nil || got != tc.want {
				t.Errorf("Claimed(%s) = %v, %v; want %v", tc.folio, got, err, tc.want)
			}
			if n := c.calls.Load(); n != 0 {
				t.Errorf("Claimed(%s) listed %d times", tc.folio, n)
			}
		}
	})
}

// A process's first allocation in a serie finds the last claim by probing
// keys, not by listing the serie (a file-backed S3 server reads the whole
// directory for each page of a listing), and gets the next number.
func TestFirstAllocationProbes(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		const claimed = 200
		for i := range claimed {
			f, err := AllocateFolio(ctx, st, "SESVER/DA/DTI", "OL", 2026, fmt.Appendf(nil, "claim %d", i), time.Time{})
			if err != nil || f.Number != i+1 {
				t.Fatalf("claim %d: %v %v", i, f, err)
			}
		}
		// A Store value of its own: no number remembered (see hintKeyFor);
		// the counter hides the FSStore, so fs probes too.
		c := &listCounter{Store: st}
		f, err := AllocateFolio(ctx, c, "SESVER/DA/DTI", "OL", 2026, []byte("first of a new process"), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if f.Number != claimed+1 {
			t.Errorf("first allocation of a new process: %d, want %d", f.Number, claimed+1)
		}
		if n := c.calls.Load(); n != 0 {
			t.Errorf("the first allocation listed %d times", n)
		}
	})
}
