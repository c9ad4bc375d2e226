package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sesver/legajo"
)

// storePairs are the (source, target) combinations a backup runs between.
var storePairs = []struct {
	name     string
	src, dst func(t *testing.T) Store
}{
	{"fs-fs", func(t *testing.T) Store { return newFSStore(t) }, func(t *testing.T) Store { return newFSStore(t) }},
	{"fs-s3", func(t *testing.T) Store { return newFSStore(t) }, func(t *testing.T) Store { return newS3Store(t, S3Config{}) }},
	{"s3-fs", func(t *testing.T) Store { return newS3Store(t, S3Config{}) }, func(t *testing.T) Store { return newFSStore(t) }},
}

// backupKeys are spread over prefixes Backup knows nothing about, at
// several depths, with leaves at the top, and enough children under one
// prefix to pass the splitting limit.
func backupKeys() map[string]string {
	m := map[string]string{
		"LEEME":                               "top-level leaf",
		"cadenas/dti/000000000001.json":       `{"seq":1}`,
		"cadenas/dti/000000000002.json":       `{"seq":2}`,
		"cadenas/rh/000000000001.json":        `{"seq":1}`,
		"estados/x/y/z/deep.json":             "deep",
		"expedientes/dti/2026/11/a_ol_o.pdf":  "%PDF-1.4 original",
		"expedientes/dti/2026/11/a_ol_o.json": "{}",
		"folios/OL/2026/000001":               "claim",
		"registro-x":                          "leaf sorting beside a prefix",
		"registro/padron/1.json":              "1",
	}
	for i := range 70 {
		m[fmt.Sprintf("documentos/SESVER-OL-%04d-2026/000000000001_dti.json", i)] = fmt.Sprintf(`{"entry":%d}`, i)
	}
	return m
}

func fill(t *testing.T, st Store, objs map[string]string) {
	t.Helper()
	for k, v := range objs {
		mustCreate(t, st, k, []byte(v))
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	defer func(n int) { rangeKeys = n }(rangeKeys)
	rangeKeys = 10
	for _, p := range storePairs {
		t.Run(p.name, func(t *testing.T) {
			src, dst := p.src(t), p.dst(t)
			objs := backupKeys()
			fill(t, src, objs)
			var calls int
			rep, err := Backup(ctx, src, dst, CopyOptions{Workers: 3, Progress: func(CopyProgress) { calls++ }})
			if err != nil {
				t.Fatalf("Backup: %v", err)
			}
			if rep.ObjectsCopied != len(objs) || rep.ObjectsSkipped != 0 || rep.Conflicts != 0 || rep.ObjectsSource != len(objs) || calls != len(objs) {
				t.Errorf("first run: %+v, %d progress calls; want %d copied", rep, calls, len(objs))
			}
			var bytes int64
			for k, v := range objs {
				mustGet(t, dst, k, []byte(v))
				bytes += int64(len(v))
			}
			if rep.Bytes != bytes || rep.Ranges != 1 || len(rep.State.Ranges) != len(objs)/10 {
				t.Errorf("bytes %d want %d; %d ranges; state %+v", rep.Bytes, bytes, rep.Ranges, rep.State)
			}
			for _, r := range rep.State.Ranges {
				if r.Count != 10 || r.Digest == "" {
					t.Errorf("range %+v", r)
				}
			}
			state := rep.State

			// Incremental: only the new objects; one tampered in the target
			// is a conflict and stays as it is.
			mustCreate(t, src, "cadenas/dti/000000000003.json", []byte(`{"seq":3}`))
			mustCreate(t, src, "respaldos/20261126T090000.000Z.json", []byte(`{}`))
			mustCreate(t, src, "zz-last", []byte(`z`))
			mustCreate(t, dst, "expedientes/dti/2026/11/b_ol_o.pdf", []byte("only here"))
			mustCreate(t, src, "expedientes/dti/2026/11/b_ol_o.pdf", []byte("a different one"))
			rep, err = Backup(ctx, src, dst, CopyOptions{Since: &state})
			if err != nil {
				t.Fatalf("second Backup: %v", err)
			}
			// The first range and the last changed; the six of documentos/
			// between them are not listed on the target.
			if rep.Ranges != 8 || rep.RangesListed != 2 {
				t.Errorf("%d ranges, %d listed on the target; want 8, 2", rep.Ranges, rep.RangesListed)
			}
			if rep.ObjectsCopied != 3 || rep.ObjectsSkipped != len(objs) || rep.Conflicts != 1 ||
				len(rep.ConflictList) != 1 || rep.ConflictList[0] != (Conflict{"expedientes/dti/2026/11/b_ol_o.pdf", 15, 9}) {
				t.Errorf("second run: %+v", rep)
			}
			mustGet(t, dst, "expedientes/dti/2026/11/b_ol_o.pdf", []byte("only here"))
			mustGet(t, dst, "zz-last", []byte("z"))

			// Deep compares content too: same size, different bytes.
			mustCreate(t, dst, "same-size", []byte("aaaa"))
			mustCreate(t, src, "same-size", []byte("bbbb"))
			// The next run lists again the range in conflict and the one
			// with same-size, and no other.
			again, err := Backup(ctx, src, dst, CopyOptions{Since: &rep.State})
			if err != nil || again.Conflicts != 1 || again.ObjectsCopied != 0 || again.RangesListed != 2 {
				t.Errorf("run after a conflict: %+v, %v", again, err)
			}
			rep, err = Backup(ctx, src, dst, CopyOptions{Deep: true, Since: &again.State})
			if err != nil || rep.Conflicts != 2 || rep.ObjectsCopied != 0 || rep.RangesListed != rep.Ranges {
				t.Errorf("deep run: %+v, %v", rep, err)
			}

			// Restore refuses a target that is not empty.
			if _, err := Restore(ctx, src, dst, CopyOptions{}); !errors.Is(err, legajo.ErrConflict) {
				t.Errorf("Restore into a non-empty store: %v, want ErrConflict", err)
			}
		})
	}
}

// TestBackupResumes: a run cancelled half-way leaves whole objects only,
// and the next run copies the rest.
func TestBackupResumes(t *testing.T) {
	defer func(n int) { rangeKeys = n }(rangeKeys)
	rangeKeys = 10
	src, dst := newFSStore(t), newFSStore(t)
	objs := backupKeys()
	fill(t, src, objs)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Backup(ctx, src, dst, CopyOptions{Workers: 2, Progress: func(p CopyProgress) {
		if p.Done == 20 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Backup: %v", err)
	}
	first := len(list(t, dst, "", ""))
	if first < 20 || first >= len(objs) {
		t.Fatalf("%d objects after the cancelled run", first)
	}
	rep, err := Backup(context.Background(), src, dst, CopyOptions{})
	if err != nil || rep.ObjectsCopied != len(objs)-first || rep.ObjectsSkipped != first {
		t.Fatalf("resumed run: %+v, %v (had %d)", rep, err, first)
	}
	if rep, err := Restore(context.Background(), dst, newFSStore(t), CopyOptions{}); err != nil || rep.ObjectsCopied != len(objs) {
		t.Errorf("Restore into an empty store: %+v, %v", rep, err)
	}

	// An object removed from the backup behind Legajo's back, in a range
	// that did not change: a run that trusts the state does not see it, a
	// run without it (or --deep) copies it again.
	lost := "documentos/SESVER-OL-0042-2026/000000000001_dti.json"
	if err := os.Remove(dst.path(lost)); err != nil {
		t.Fatal(err)
	}
	rep, err = Backup(context.Background(), src, dst, CopyOptions{Since: &rep.State})
	if err != nil || rep.ObjectsCopied != 0 || rep.RangesListed != 0 {
		t.Errorf("run with the state: %+v, %v", rep, err)
	}
	rep, err = Backup(context.Background(), src, dst, CopyOptions{})
	if err != nil || rep.ObjectsCopied != 1 {
		t.Errorf("run without the state: %+v, %v", rep, err)
	}
}

// TestBackupRetention: copies into a bucket with Object Lock keep the
// source's retention where it can be read, else the configured one.
func TestBackupRetention(t *testing.T) {
	ctx := context.Background()
	until := time.Now().Add(2 * time.Hour).Truncate(time.Second).UTC()
	fallback := time.Now().Add(3 * time.Hour).Truncate(time.Second).UTC()
	retention := func(t *testing.T, st *S3Store, key string) time.Time {
		t.Helper()
		got, err := st.RetainUntil(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("from-fs", func(t *testing.T) {
		src, dst := newFSStore(t), newS3Store(t, S3Config{ObjectLock: true})
		mustCreate(t, src, "expedientes/dti/a.pdf", []byte("pdf"))
		if _, err := Backup(ctx, src, dst, CopyOptions{RetainUntil: fallback}); err != nil {
			t.Fatal(err)
		}
		if got := retention(t, dst, "expedientes/dti/a.pdf"); !got.Equal(fallback) {
			t.Errorf("retained until %v, want %v", got, fallback)
		}
	})
	t.Run("from-locked-s3", func(t *testing.T) {
		src, dst := newS3Store(t, S3Config{ObjectLock: true, Retention: "GOVERNANCE"}), newS3Store(t, S3Config{ObjectLock: true, Retention: "GOVERNANCE"})
		if err := src.Create(ctx, "kept.pdf", []byte("pdf"), CreateOptions{RetainUntil: until}); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, src, "free.json", []byte("{}"))
		if _, err := Backup(ctx, src, dst, CopyOptions{RetainUntil: fallback}); err != nil {
			t.Fatal(err)
		}
		if got := retention(t, dst, "kept.pdf"); !got.Equal(until) {
			t.Errorf("kept.pdf retained until %v, want the source's %v", got, until)
		}
		if got := retention(t, dst, "free.json"); !got.IsZero() {
			t.Errorf("free.json retained until %v, want none as in the source", got)
		}
		info, _ := dst.client.StatObject(ctx, dst.bucket, "kept.pdf", minio.StatObjectOptions{})
		if m := info.Metadata.Get("X-Amz-Object-Lock-Mode"); m != "GOVERNANCE" {
			t.Errorf("mode %q", m)
		}
	})
}

func TestBackupRecords(t *testing.T) {
	ctx := context.Background()
	a, err := New(newFSStore(t), legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	if runs, err := a.BackupRuns(ctx, 10); err != nil || len(runs) != 0 {
		t.Fatalf("no records: %v, %v", runs, err)
	}
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	for i := range 3 {
		run := legajo.BackupRun{Kind: legajo.BackupKind, Started: t0.AddDate(0, 0, i), Target: "fs:/respaldo", ObjectsCopied: i, By: "serve"}
		if err := a.RecordBackup(ctx, run); err != nil {
			t.Fatal(err)
		}
	}
	// Two in the same millisecond both stay.
	if err := a.RecordBackup(ctx, legajo.BackupRun{Kind: legajo.BackupKind, Started: t0, Error: "sin red"}); err != nil {
		t.Fatal(err)
	}
	runs, err := a.BackupRuns(ctx, 3)
	if err != nil || len(runs) != 3 || runs[0].ObjectsCopied != 2 || runs[2].ObjectsCopied != 0 {
		t.Fatalf("BackupRuns(3) = %+v, %v", runs, err)
	}
	all, _ := a.BackupRuns(ctx, 0)
	if len(all) != 4 {
		t.Errorf("%d records, want 4", len(all))
	}
}

// TestBackupFollowsLog: a run with the state of the previous one takes
// what is new under the prefixes the log covers from the lotes sealed
// since, without listing them, and finds the rest by listing. What no
// sealed entry names waits: an entry not sealed yet for the next run, an
// orphan object for a full run.
func TestBackupFollowsLog(t *testing.T) {
	defer func(n int) { rangeKeys = n }(rangeKeys)
	rangeKeys = 4
	ctx := context.Background()
	for _, p := range storePairs[:2] {
		t.Run(p.name, func(t *testing.T) {
			src, dst := p.src(t), p.dst(t)
			s := newSealed(t, src)
			first, err := Backup(ctx, src, dst, CopyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if first.State.Lote != s.a.log.last.Seq || first.State.Lote == 0 {
				t.Fatalf("first run's state names lote %d; the log's last is %d", first.State.Lote, s.a.log.last.Seq)
			}

			// New documents, sealed; one more not sealed yet; an account
			// (outside the log); an orphan object (a filing that died).
			var folios []legajo.Folio
			for range 3 {
				res, err := s.o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
				if err != nil {
					t.Fatal(err)
				}
				f, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
				folios = append(folios, f)
			}
			if _, err := s.o.Cancel(ctx, folios[0], "Se sustituye por otro oficio con los datos corregidos.", "ana"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.a.Seal(ctx, true); err != nil {
				t.Fatal(err)
			}
			mustCreate(t, src, "usuarios/luis.json", []byte(`{"login":"luis"}`))
			// Among the first documents' objects, in a range the log covers.
			orphan := "expedientes/dti/2026/11/20261126T090002.500Z_huerfano_original.pdf"
			mustCreate(t, src, orphan, []byte("%PDF-1.4 de una emisión que murió"))
			pending, err := s.o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "ana"})
			if err != nil {
				t.Fatal(err)
			}

			counted := &countingStore{Store: dst}
			rep, err := Backup(ctx, src, counted, CopyOptions{Since: &first.State})
			if err != nil {
				t.Fatal(err)
			}
			// An object both the log and a range listed beside it name is
			// copied once.
			if counted.creates.Load() != int64(rep.ObjectsCopied) {
				t.Errorf("%d creates for %d objects copied", counted.creates.Load(), rep.ObjectsCopied)
			}
			if rep.State.Lote != s.a.log.last.Seq || rep.State.Lote <= first.State.Lote {
				t.Errorf("state after the log run names lote %d; the log's last is %d", rep.State.Lote, s.a.log.last.Seq)
			}
			inLog := 0
			for i, r := range first.State.Ranges[1 : len(first.State.Ranges)-1] {
				if covered(r.After, first.State.Ranges[i+2].After) {
					inLog++
				}
			}
			if inLog < 3 || rep.RangesListed > rep.Ranges-inLog {
				t.Errorf("%d of %d ranges listed on the target, %d of them under the log's prefixes", rep.RangesListed, rep.Ranges, inLog)
			}
			missing := func() map[string]bool {
				m := map[string]bool{}
				for _, o := range list(t, src, "", "") {
					got, err := dst.Get(ctx, o.Key)
					if err != nil {
						m[o.Key] = true
						continue
					}
					mustGet(t, src, o.Key, got)
				}
				return m
			}
			// The pending document's objects, pointer, state, claim and entry.
			pendingKeys := map[string]bool{}
			for _, o := range list(t, src, "", "") {
				if strings.Contains(o.Key, strings.ReplaceAll(pending.Folio, "/", "-")) {
					pendingKeys[o.Key] = true
				}
			}
			pf, err := legajo.ParseFolio(pending.Folio, "SESVER/DA/DTI")
			if err != nil {
				t.Fatal(err)
			}
			claim, err := claimKey(pf)
			if err != nil {
				t.Fatal(err)
			}
			pendingKeys[claim] = true
			unsealed, _, err := s.a.unsealed(ctx, true)
			if err != nil || len(unsealed) != 1 {
				t.Fatalf("unsealed entries %v, %v; want the pending one", unsealed, err)
			}
			pendingKeys[unsealed[0]] = true
			got := missing()
			if !got[orphan] || len(got) == 0 {
				t.Errorf("the orphan object was copied by a log run, or nothing is missing: %v", got)
			}
			for k := range got {
				if k != orphan && !pendingKeys[k] {
					t.Errorf("%s not copied by the log run", k)
				}
			}
			for _, k := range []string{"usuarios/luis.json", loteKey(s.a.log.last.Seq)} {
				if got[k] {
					t.Errorf("%s not copied", k)
				}
			}

			// Sealed now, the pending document comes with the next run; a
			// run without the state takes the orphan too. Then the backup
			// is the source, and verifies.
			if _, err := s.a.Seal(ctx, true); err != nil {
				t.Fatal(err)
			}
			if rep, err = Backup(ctx, src, dst, CopyOptions{Since: &rep.State}); err != nil {
				t.Fatal(err)
			}
			if got := missing(); len(got) != 1 || !got[orphan] {
				t.Errorf("after the pending document was sealed, missing %v; want only the orphan", got)
			}
			if rep, err = Backup(ctx, src, dst, CopyOptions{Since: &rep.State, Full: true}); err != nil || rep.ObjectsCopied != 1 || rep.State.Lote != s.a.log.last.Seq {
				t.Errorf("full run: %+v, %v; want the orphan copied", rep, err)
			}
			if got := missing(); len(got) != 0 {
				t.Errorf("missing after a full run: %v", got)
			}
		})
	}
}

// TestBackupChecksCopies: a copy to a target whose answer to the write
// shows what it stored (S3: Content-MD5 checked, ETag the MD5) costs one
// write and no read; elsewhere, or when the answer shows nothing, each
// copy is read back, and a copy that reads back otherwise is a failure.
func TestBackupChecksCopies(t *testing.T) {
	ctx := context.Background()
	objs := backupKeys()
	objs["vacio"] = ""
	for _, p := range storePairs[:2] {
		t.Run(p.name, func(t *testing.T) {
			src, dst := p.src(t), &countingStore{Store: p.dst(t)}
			fill(t, src, objs)
			rep, err := Backup(ctx, src, dst, CopyOptions{})
			if err != nil || rep.ObjectsCopied != len(objs) {
				t.Fatalf("Backup: %+v, %v; want %d copied", rep, err, len(objs))
			}
			_, checks := dst.Store.(checkedCreator)
			reads := int64(len(objs))
			if checks {
				reads = 0
			}
			if dst.creates.Load() != int64(len(objs)) || dst.gets.Load() != reads {
				t.Errorf("%d creates and %d reads for %d objects; want %d reads", dst.creates.Load(), dst.gets.Load(), len(objs), reads)
			}
			for k, v := range objs {
				mustGet(t, dst, k, []byte(v))
			}
		})
	}
	t.Run("answer-shows-nothing", func(t *testing.T) {
		for _, damage := range []bool{false, true} {
			src := newFSStore(t)
			fill(t, src, objs)
			dst := &countingStore{Store: newFSStore(t), unchecked: true, damage: damage}
			rep, err := Backup(ctx, src, dst, CopyOptions{})
			if dst.gets.Load() != int64(len(objs)) {
				t.Errorf("damage %v: %d reads for %d copies, want each read back", damage, dst.gets.Load(), len(objs))
			}
			switch {
			case !damage && (err != nil || rep.ObjectsCopied != len(objs)):
				t.Errorf("Backup: %+v, %v; want %d copied", rep, err, len(objs))
			case damage && (err == nil || rep.Failed != len(objs)-1 || rep.ObjectsCopied != 1 || rep.State.Ranges[0].Digest != ""):
				// The empty object has no byte to damage.
				t.Errorf("Backup to a target storing other bytes: %+v, %v; want %d failed", rep, err, len(objs)-1)
			}
		}
	})
}

// countingStore counts the creates and reads made through it, and passes
// CreateChecked on when its Store has it. unchecked makes CreateChecked
// tell nothing; damage stores other bytes than those given.
type countingStore struct {
	Store
	creates, gets     atomic.Int64
	unchecked, damage bool
}

func (s *countingStore) Create(ctx context.Context, key string, data []byte, opts CreateOptions) error {
	s.creates.Add(1)
	if s.damage && len(data) > 0 {
		data = append([]byte{data[0] ^ 1}, data[1:]...)
	}
	return s.Store.Create(ctx, key, data, opts)
}

func (s *countingStore) CreateChecked(ctx context.Context, key string, data []byte, opts CreateOptions) (bool, error) {
	cc, ok := s.Store.(checkedCreator)
	if !ok || s.unchecked || s.damage {
		return false, s.Create(ctx, key, data, opts)
	}
	s.creates.Add(1)
	return cc.CreateChecked(ctx, key, data, opts)
}

func (s *countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.gets.Add(1)
	return s.Store.Get(ctx, key)
}
