package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/sesver/legajo"
)

// testSigner is one institution key for every test of the package.
var testSigner = sync.OnceValue(func() *Signer {
	skey, _, err := GenerateKey("legajo.test")
	if err != nil {
		panic(err)
	}
	s, err := ParseSigner(skey)
	if err != nil {
		panic(err)
	}
	return s
})

// tamperer is someone with write access to the storage but not the key:
// they can overwrite and delete any object.
type tamperer interface {
	put(t *testing.T, key string, b []byte)
	remove(t *testing.T, key string)
}

type fsTamperer struct{ st *FSStore }

func (f fsTamperer) put(t *testing.T, key string, b []byte) {
	t.Helper()
	p := f.st.path(key)
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f fsTamperer) remove(t *testing.T, key string) {
	t.Helper()
	if err := os.Remove(f.st.path(key)); err != nil {
		t.Fatal(err)
	}
}

type s3Tamperer struct{ st *S3Store }

func (s s3Tamperer) put(t *testing.T, key string, b []byte) {
	t.Helper()
	_, err := s.st.client.PutObject(context.Background(), s.st.bucket, key, bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

func (s s3Tamperer) remove(t *testing.T, key string) {
	t.Helper()
	if err := s.st.client.RemoveObject(context.Background(), s.st.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
}

func tampererOf(t *testing.T, st Store) tamperer {
	switch s := st.(type) {
	case *FSStore:
		return fsTamperer{s}
	case *S3Store:
		return s3Tamperer{s}
	}
	t.Fatalf("no tamperer for %T", st)
	return nil
}

// sealed is an archive with a few documents of two expedientes, a
// cancellation and an acuse, every entry signed and sealed, and a witness.
type sealed struct {
	st      Store
	a       *Archive
	o       *legajo.Office
	witness Store
	docs    []*legajo.EmitResult // oficio, oficio, oficio (dti), acuse de cuenta (correos)
	point   []byte               // the checkpoint after the last sealing
}

func newSealed(t *testing.T, st Store) *sealed {
	t.Helper()
	ctx := context.Background()
	o, a := newOffice(t, st)
	a.UseKey(testSigner())
	s := &sealed{st: st, a: a, o: o, witness: newFSStore(t)}
	a.UseWitness(s.witness)
	for _, typ := range []string{"oficio-liberacion", "oficio-liberacion", "oficio-liberacion", "acuse-cuenta-correo"} {
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: typ, Data: sample(t, typ), Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		s.docs = append(s.docs, res)
		if _, err := a.Seal(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.Cancel(ctx, s.folio(t, 0), "Se sustituye por un oficio con la fecha correcta.", "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Acuse(ctx, s.folio(t, 1), pdfScan(t), "acuse.pdf", "ana"); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Seal(ctx, true); err != nil || n != 2 {
		t.Fatalf("Seal = %d, %v; want the cancellation and the acuse", n, err)
	}
	s.point = []byte(a.log.last.Checkpoint)
	return s
}

func (s *sealed) folio(t *testing.T, i int) legajo.Folio {
	t.Helper()
	f, err := legajo.ParseFolio(s.docs[i].Folio, "SESVER/DA/DTI")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (s *sealed) entryOf(t *testing.T, i int) legajo.Entry {
	t.Helper()
	rec, err := s.a.Record(context.Background(), s.folio(t, i))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := rec.Emitted()
	return e
}

func (s *sealed) get(t *testing.T, key string) []byte {
	t.Helper()
	b, err := s.st.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// findings verifies the whole archive as a fresh process with only the
// public key would, and returns problem by key.
func (s *sealed) findings(t *testing.T, opts AuditOptions) map[string][]string {
	t.Helper()
	a, err := New(s.st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	a.Trust(&testSigner().Verifier)
	a.UseWitness(s.witness)
	vs, err := a.VerifyAll(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, v := range vs {
		for _, f := range v.Findings {
			got[f.Key] = append(got[f.Key], f.Problem)
		}
	}
	return got
}

func TestSealedArchiveVerifies(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		s := newSealed(t, st)
		if got := s.findings(t, AuditOptions{Checkpoint: s.point}); len(got) != 0 {
			t.Fatalf("untouched archive: %v", got)
		}
		// Every entry is in the log, and its proof checks.
		for i := range s.docs {
			e := s.entryOf(t, i)
			inc, err := s.a.Inclusion(context.Background(), e.Key)
			if err != nil {
				t.Fatal(err)
			}
			if !inc.Checked || inc.Problem != "" {
				t.Errorf("%s: inclusion not checked: %s", e.Key, inc.Problem)
			}
		}
	})
}

// The tamper catalogue: each kind of change someone with write access to
// the storage (but not the key) could make, and the finding verify must
// give, naming the object. Keep it growing.
func TestTamperCatalogue(t *testing.T) {
	ctx := context.Background()
	type want struct{ key, problem string }
	cases := []struct {
		name   string
		tamper func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want)
	}{
		{"modified bytes", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			key := s.docs[2].Tantos[0].Key
			b := s.get(t, key)
			b[len(b)/2] ^= 1
			w.put(t, key, b)
			return AuditOptions{}, []want{{key, "modificado"}}
		}},
		{"deleted object", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			key := s.docs[2].Tantos[1].Key
			w.remove(t, key)
			return AuditOptions{}, []want{{key, "faltante"}}
		}},
		{"added object", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			key := "expedientes/dti/2026/11/20261126T090000.000Z_SESVER-DA-DTI-OL-0009-2026_original.pdf"
			w.put(t, key, []byte("%PDF-1.7 falso"))
			return AuditOptions{}, []want{{key, "extra"}}
		}},
		{"swapped objects", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			k1, k2 := s.docs[1].Tantos[0].Key, s.docs[2].Tantos[0].Key
			b1, b2 := s.get(t, k1), s.get(t, k2)
			w.put(t, k1, b2)
			w.put(t, k2, b1)
			return AuditOptions{}, []want{{k1, "modificado"}, {k2, "modificado"}}
		}},
		{"replaced manifest", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			key := strings.TrimSuffix(s.docs[2].Tantos[0].Key, ".pdf") + ".json"
			b := s.get(t, key)
			w.put(t, key, bytes.Replace(b, []byte(`"author": "ana"`), []byte(`"author": "eva"`), 1))
			return AuditOptions{}, []want{{key, "modificado"}}
		}},
		{"truncated entry", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			key := s.entryOf(t, 1).Key
			b := s.get(t, key)
			w.put(t, key, b[:len(b)/2])
			return AuditOptions{}, []want{{key, "ilegible"}, {key, "modificado"}}
		}},
		{"entry rewritten and re-linked", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			// The author of an entry changed, its JSON re-encoded without
			// signature: the chain link after it breaks, and the log and the
			// signature both tell.
			e := s.entryOf(t, 2)
			e.Author = "eva"
			b, _ := json.MarshalIndent(e, "", "  ")
			w.put(t, e.Key, b)
			return AuditOptions{}, []want{{e.Key, "sin firma"}, {e.Key, "modificado"}}
		}},
		{"newest document deleted with entry, objects and pointer", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			// The newest entry of correos is the acuse de cuenta's emission.
			e := s.entryOf(t, 3)
			for _, o := range e.Objects {
				w.remove(t, o.Key)
			}
			w.remove(t, e.Key)
			w.remove(t, pointerKey(e))
			return AuditOptions{}, []want{{e.Key, "eliminado"}}
		}},
		{"whole expediente deleted", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			var keys []string
			for _, p := range []string{chainPrefix("correos"), expRoot + "correos/"} {
				s.st.List(ctx, p, "", func(o ObjectInfo) error { keys = append(keys, o.Key); return nil })
			}
			for _, k := range keys {
				w.remove(t, k)
			}
			return AuditOptions{}, []want{{chainKey("correos", 1), "eliminado"}}
		}},
		{"forged append with a correct link", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			last := s.entryOf(t, 2) // dti's entries: 3 emissions, cancel, acuse
			var head legajo.Entry
			s.a.Entries(ctx, "dti", legajo.Entry{}.At, legajo.Entry{}.At, func(e legajo.Entry) error { head = e; return nil })
			forged := legajo.Entry{Expediente: "dti", Seq: head.Seq + 1, Prev: head.Hash, At: last.At, Event: legajo.EventCancelado,
				Folio: last.Folio, Type: last.Type, Author: "ana", Reason: "Cancelación falsificada por alguien sin la clave.", Objects: []legajo.Object{}}
			// Signed, but with a key that is not the institution's.
			skey, _, _ := GenerateKey("legajo.test")
			other, _ := ParseSigner(skey)
			b, _ := json.MarshalIndent(forged, "", "  ")
			signed, _ := other.sign(string(b) + "\n")
			key := chainKey("dti", forged.Seq)
			w.put(t, key, signed)
			return AuditOptions{}, []want{{key, "sin firma"}, {key, "sin sellar"}}
		}},
		{"redirected pointer", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			victim, other := s.entryOf(t, 1), s.entryOf(t, 2)
			key := pointerKey(victim)
			w.put(t, key, pointerBody(other))
			// The document's page is not fooled either.
			rec, err := s.a.Record(ctx, s.folio(t, 1))
			if err == nil {
				if problems, err := s.o.CheckRecord(ctx, rec); err != nil || len(problems) == 0 {
					t.Errorf("CheckRecord(%s) found nothing wrong with a redirected pointer (%v)", victim.Folio, err)
				}
			}
			return AuditOptions{}, []want{{key, "redirigido"}}
		}},
		{"deleted folio claim", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			f := s.folio(t, 2)
			dir, _ := folioDir(f.Serie, f.Year)
			key := folioKey(dir, f.Number)
			w.remove(t, key)
			// The number is not issued again, even by a process with no
			// memory of it.
			a2, err := New(s.st, legajo.DefaultExpedientes())
			if err != nil {
				t.Fatal(err)
			}
			a2.UseKey(testSigner())
			got, err := a2.AllocateFolio(ctx, "SESVER/DA/DTI", f.Serie, f.Year, []byte(`{"test":"after delete"}`))
			if err != nil {
				t.Fatal(err)
			}
			if got.Number <= f.Number {
				t.Errorf("after deleting claim %d, allocation gave %d again", f.Number, got.Number)
			}
			return AuditOptions{}, []want{{key, "faltante"}}
		}},
		{"deleted checkpoint", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			w.remove(t, loteKey(s.a.log.lote))
			return AuditOptions{}, []want{{"testigo " + witnessKey(s.a.log.tree.size), "retroceso"}}
		}},
		{"rolled-back checkpoint, witness lost", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			for n := s.a.log.lote; n > 1; n-- {
				w.remove(t, loteKey(n))
			}
			s.witness = newFSStore(t) // the attacker reached the witness too
			return AuditOptions{Checkpoint: s.point}, []want{{"el auditor", "retroceso"}}
		}},
		{"log tile modified", func(t *testing.T, s *sealed, w tamperer) (AuditOptions, []want) {
			key := loteKey(2)
			var lt lote
			json.Unmarshal(s.get(t, key), &lt)
			changed := strings.Replace(lt.Leaves[0], "OL/0002", "OL/0007", 1)
			if changed == lt.Leaves[0] {
				t.Fatalf("leaf %q has no OL/0002", changed)
			}
			lt.Leaves[0] = changed
			b, _ := json.MarshalIndent(lt, "", " ")
			w.put(t, key, b)
			return AuditOptions{}, []want{{key, "modificado"}}
		}},
	}
	eachStore(t, func(t *testing.T, st0 Store) {
		for _, tc := range cases {
			t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
				st := st0
				if _, ok := st0.(*S3Store); ok {
					st = newS3Store(t, S3Config{})
				} else {
					st = newFSStore(t)
				}
				s := newSealed(t, st)
				opts, wants := tc.tamper(t, s, tampererOf(t, st))
				got := s.findings(t, opts)
				t.Logf("findings: %v", got)
				for _, w := range wants {
					if !contains(got[w.key], w.problem) {
						t.Errorf("%s: want %q, got %v\nall findings: %v", w.key, w.problem, got[w.key], got)
					}
				}
			})
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
