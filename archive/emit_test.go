package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// eachStore runs test against the fs store and the real S3 server.
func eachStore(t *testing.T, test func(t *testing.T, st Store)) {
	t.Run("fs", func(t *testing.T) { test(t, newFSStore(t)) })
	t.Run("s3", func(t *testing.T) { test(t, newS3Store(t, S3Config{})) })
}

// clock is a test clock that moves one second per reading.
type clock struct{ n atomic.Int64 }

func (c *clock) now() time.Time {
	return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC).Add(time.Duration(c.n.Add(1)) * time.Second)
}

func newOffice(t testing.TB, st Store) (*legajo.Office, *Archive) {
	t.Helper()
	a, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.New(pdf.Options{Uncompressed: true})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	return &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(),
		Directory: fixtures.Directory(), Now: c.now}, a
}

// newFSOffice is newOffice on an fs store in a directory of its own, for
// tests that change the files by hand.
func newFSOffice(t testing.TB) (string, *legajo.Office, *Archive) {
	t.Helper()
	dir := t.TempDir()
	st, err := OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	o, a := newOffice(t, st)
	return dir, o, a
}

func sample(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := fixtures.SampleData(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var keyPattern = regexp.MustCompile(`^expedientes/dti/2026/11/20261126T\d{6}\.\d{3}Z_SESVER-DA-DTI-OL-0001-2026_(original|copia)\.pdf$`)

func TestEmit(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"),
			Tramite: "SICIP", Author: "capturista1"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Folio != "SESVER/DA/DTI/OL/0001/2026" || res.Expediente != "dti" || len(res.Tantos) != 2 {
			t.Fatalf("result %+v", res)
		}
		for _, tr := range res.Tantos {
			if !keyPattern.MatchString(tr.Key) {
				t.Errorf("key %s does not follow the chronological layout", tr.Key)
			}
			b, err := st.Get(ctx, tr.Key)
			if err != nil || sum(b) != tr.SHA256 || int64(len(b)) != tr.Size || !bytes.HasPrefix(b, []byte("%PDF")) {
				t.Errorf("%s: stored object does not match the result (%v)", tr.Key, err)
			}
			if _, err := st.Stat(ctx, strings.TrimSuffix(tr.Key, ".pdf")+".json"); err != nil {
				t.Errorf("no manifest beside %s: %v", tr.Key, err)
			}
		}
		folio, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
		rec, err := a.Record(ctx, folio)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != legajo.StatusPendiente || len(rec.Manifests) != 2 || rec.Expediente != "dti" {
			t.Errorf("record: status %q, %d manifests, expediente %s", rec.Status, len(rec.Manifests), rec.Expediente)
		}
		m := rec.Manifests[0]
		ty, _ := o.Catalog.Type("oficio-liberacion")
		if m.Type != "oficio-liberacion" || m.TypeVersion != ty.Version || ty.Version < 1 || m.Area != "Subdirección de Recursos Humanos" ||
			m.Tramite != "SICIP" || m.Author != "capturista1" || m.File == nil || m.File.SHA256 == "" || m.Fields["sistema"].Text == "" {
			t.Errorf("manifest %+v", m)
		}
		if e := rec.Entries[0]; e.Seq != 1 || e.Prev != "" || e.Event != legajo.EventEmitido {
			t.Errorf("first entry %+v", e)
		}
		// The next document of the serie gets the next folio and links to the first.
		res2, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "capturista1"})
		if err != nil || res2.Folio != "SESVER/DA/DTI/OL/0002/2026" {
			t.Fatalf("second: %v %+v", err, res2)
		}
		folio2, _ := legajo.ParseFolio(res2.Folio, "SESVER/DA/DTI")
		rec2, _ := a.Record(ctx, folio2)
		if rec2.Entries[0].Seq != 2 || rec2.Entries[0].Prev != rec.Entries[0].Hash {
			t.Errorf("second entry does not chain to the first")
		}
		v, err := a.Verify(ctx, "dti")
		if err != nil || !v.OK() || v.Entries != 2 || v.Objects != 8 {
			t.Errorf("verify: %v %+v", err, v)
		}
	})
}

func TestEmitRefusesBadDataWithoutAFolio(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	o, _ := newOffice(t, st)
	data := sample(t, "oficio-liberacion")
	data["fecha_capacitacion"] = "ayer"
	_, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: data})
	var ve *legajo.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	if n := countObjects(t, st, ""); n != 0 {
		t.Errorf("bad data wrote %d objects", n)
	}
	_, err = o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Expediente: "no-existe"})
	if !errors.Is(err, legajo.ErrNotFound) {
		t.Errorf("unknown expediente: %v", err)
	}
}

func countObjects(t testing.TB, st Store, prefix string) int {
	t.Helper()
	n := 0
	if err := st.List(context.Background(), prefix, "", func(ObjectInfo) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEmitIdempotent(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, _ := newOffice(t, st)
		req := legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), IdempotencyKey: "web-7f3a"}
		var wg sync.WaitGroup
		folios := make([]string, 6)
		for i := range folios {
			wg.Go(func() {
				res, err := o.Emit(ctx, req)
				if err != nil {
					t.Error(err)
					return
				}
				folios[i] = res.Folio
			})
		}
		wg.Wait()
		for _, f := range folios {
			if f != "SESVER/DA/DTI/OL/0001/2026" {
				t.Errorf("retries got folios %v, want all the first", folios)
				break
			}
		}
		claims, _ := ListFolios(ctx, st, "OL", 2026)
		if len(claims) != 1 {
			t.Errorf("%d folios claimed, want 1", len(claims))
		}
		other := sample(t, "oficio-liberacion")
		other["version"] = "2.0"
		req.Data = other
		if _, err := o.Emit(ctx, req); !errors.Is(err, legajo.ErrConflict) {
			t.Errorf("same key, other data: err = %v, want ErrConflict", err)
		}
	})
}

func pdfScan(t testing.TB) []byte {
	t.Helper()
	return []byte("%PDF-1.4\n% acuse escaneado\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}

func TestLaterEvents(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		folio := emitOne(t, o)
		if _, err := o.Acuse(ctx, folio, []byte("esto no es un PDF"), "acuse.pdf", "ana"); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("text named .pdf accepted as acuse: %v", err)
		}
		if _, err := o.Acuse(ctx, folio, bytes.Repeat([]byte("%PDF-"), legajo.MaxUploadBytes/5+1), "grande.pdf", "ana"); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("oversized acuse accepted: %v", err)
		}
		if _, err := o.Acuse(ctx, folio, pdfScan(t), "acuse.pdf", "ana"); err != nil {
			t.Fatal(err)
		}
		rec, _ := a.Record(ctx, folio)
		if rec.Status != legajo.StatusAcusado {
			t.Errorf("after acuse: %s", rec.Status)
		}
		if _, err := o.Acuse(ctx, folio, pdfScan(t), "acuse.pdf", "ana"); !errors.Is(err, legajo.ErrConflict) {
			t.Errorf("second acuse: %v", err)
		}
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
		if _, err := o.Attach(ctx, folio, png, "manual.png", "Manual del usuario del SICIP", "ana"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.Cancel(ctx, folio, "corto", "ana"); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("short reason accepted: %v", err)
		}
		if _, err := o.Cancel(ctx, folio, "Se emitió con el nombre del sistema equivocado.", "ana"); err != nil {
			t.Fatal(err)
		}
		rec, _ = a.Record(ctx, folio)
		if rec.Status != legajo.StatusCancelado || len(rec.Entries) != 4 {
			t.Errorf("after cancel: %s with %d entries", rec.Status, len(rec.Entries))
		}
		if _, err := o.Cancel(ctx, folio, "Se emitió con el nombre del sistema equivocado.", "ana"); !errors.Is(err, legajo.ErrConflict) {
			t.Errorf("second cancel: %v", err)
		}
		// The cancelled folio stays used: the next one is 2.
		res2, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion")})
		if err != nil || !strings.Contains(res2.Folio, "/0002/") {
			t.Errorf("after cancel: %v %v", err, res2)
		}

		recv, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
			"tipo": "Oficio", "referencia": "SESVER/DAM/0456/2026", "fecha_documento": "2026-11-24", "fecha_recepcion": "2026-11-25",
			"hora_recepcion": "12:40", "remitente": "Dr. Ramón Hidalgo Cuevas", "cargo": "Director de Atención Médica",
			"area": "Dirección de Atención Médica", "asunto": "Solicitud de desarrollo de un sistema de referencia de pacientes",
			"anexos": "2"}, Scan: pdfScan(t), ScanName: "oficio.pdf", Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		if recv.Folio != "SESVER/DA/DTI/RE/0001/2026" || recv.Expediente != "oficios-recibidos" {
			t.Errorf("received: %+v", recv)
		}
		_, err = o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{"tipo": "Oficio"}, Scan: []byte("hola")})
		var ve *legajo.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) < 6 {
			t.Errorf("bad reception: %v", err)
		}
		for _, exp := range []string{"dti", "oficios-recibidos"} {
			if v, err := a.Verify(ctx, exp); err != nil || !v.OK() {
				t.Errorf("verify %s: %v %+v", exp, err, v.Findings)
			}
		}
	})
}

// TestVerifyDetects tampers with a filed archive behind Legajo's back.
func TestVerifyDetects(t *testing.T) {
	ctx := context.Background()
	dir, o, a := newFSOffice(t)
	var keys []string
	for range 3 {
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion")})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, res.Tantos[1].Key)
	}
	if v, _ := a.Verify(ctx, "dti"); !v.OK() {
		t.Fatalf("untouched archive: %+v", v.Findings)
	}
	path := func(key string) string { return filepath.Join(dir, filepath.FromSlash(key)) }
	write := func(key string, b []byte) {
		os.Chmod(path(key), 0o644)
		if err := os.WriteFile(path(key), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(key string) []byte { b, _ := os.ReadFile(path(key)); return b }

	// modified PDF
	b := read(keys[0])
	write(keys[0], bytes.Replace(b, []byte("SICIP"), []byte("SICIX"), 1))
	// deleted PDF
	os.Remove(path(keys[1]))
	// added object
	os.WriteFile(path("expedientes/dti/2026/11/20261126T090000.000Z_falso_original.pdf"), []byte("%PDF-falso"), 0o644)
	// swapped chain entries 2 and 3
	e2, e3 := read(chainKey("dti", 2)), read(chainKey("dti", 3))
	write(chainKey("dti", 2), e3)
	write(chainKey("dti", 3), e2)

	v, err := a.Verify(ctx, "dti")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		keys[0]: "modificado", keys[1]: "faltante",
		"expedientes/dti/2026/11/20261126T090000.000Z_falso_original.pdf": "extra",
		chainKey("dti", 2): "desordenado",
	}
	got := map[string]string{}
	for _, f := range v.Findings {
		got[f.Key] = f.Problem
	}
	for k, p := range want {
		if got[k] != p {
			t.Errorf("%s: got %q, want %q (findings %+v)", k, got[k], p, v.Findings)
		}
	}
}

// failingStore fails the nth Create it is asked for, as if the process died
// there: nothing after it happens.
type failingStore struct {
	Store
	n, count atomic.Int64
}

var errInjected = errors.New("injected failure")

func (f *failingStore) Create(ctx context.Context, key string, data []byte, o CreateOptions) error {
	if f.count.Add(1) == f.n.Load() {
		return errInjected
	}
	return f.Store.Create(ctx, key, data, o)
}

// TestCrashSafety interrupts an emission at every write in turn: nothing
// half-filed is visible, verify explains the leftovers only as extras, and
// fsck records them so that the archive verifies and the folio series stays
// explainable.
func TestCrashSafety(t *testing.T) {
	ctx := context.Background()
	// How many writes a whole emission makes (with its idempotency key).
	probe := &failingStore{Store: newFSStore(t)}
	o, _ := newOffice(t, probe)
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), IdempotencyKey: "k"}); err != nil {
		t.Fatal(err)
	}
	writes := int(probe.count.Load())
	if writes < 8 {
		t.Fatalf("an emission made only %d writes", writes)
	}
	for n := 1; n <= writes; n++ {
		t.Run(fmt.Sprint("write", n), func(t *testing.T) {
			fs := &failingStore{Store: newFSStore(t)}
			fs.n.Store(int64(n))
			o, a := newOffice(t, fs)
			_, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), IdempotencyKey: "k"})
			committed := false
			a.Entries(ctx, "dti", time.Time{}, time.Time{}, func(e legajo.Entry) error { committed = true; return nil })
			if err != nil && committed {
				t.Fatalf("emission failed (%v) but its entry is in the chain", err)
			}
			if err == nil && !committed {
				t.Fatal("emission succeeded without a chain entry")
			}
			if v, _ := a.Verify(ctx, "dti"); !onlyExtras(v) {
				t.Errorf("before fsck: %+v", v.Findings)
			}
			rep, err := a.Fsck(ctx, 0, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "fsck")
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := a.Verify(ctx, "dti"); !v.OK() {
				t.Errorf("after fsck: %+v (fsck: %+v)", v.Findings, rep)
			}
			// Every claimed folio is explained: a document or an annulment.
			claims, _ := ListFolios(ctx, fs, "OL", 2026)
			for _, c := range claims {
				rec, err := a.Record(ctx, legajo.Folio{Prefix: "SESVER/DA/DTI", Serie: "OL", Number: c.Number, Year: 2026})
				if err != nil {
					t.Errorf("folio %d is claimed but unexplained: %v", c.Number, err)
					continue
				}
				if !committed && rec.Status != legajo.StatusAnulado {
					t.Errorf("folio %d of an interrupted emission: status %q", c.Number, rec.Status)
				}
			}
			// A second fsck finds nothing new.
			rep2, _ := a.Fsck(ctx, 0, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "fsck")
			if len(rep2.Discarded)+len(rep2.Annulled)+rep2.Idempotency != 0 {
				t.Errorf("second fsck: %+v", rep2)
			}
			// Work goes on: the next emission gets the next folio.
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion")})
			if err != nil || !strings.HasSuffix(res.Folio, fmt.Sprintf("/%04d/2026", len(claims)+1)) {
				t.Errorf("next emission: %v %+v (after %d claims)", err, res, len(claims))
			}
		})
	}
}

func onlyExtras(v legajo.Verification) bool {
	for _, f := range v.Findings {
		if f.Problem != "extra" {
			return false
		}
	}
	return true
}

// TestSecretsNeverStored scans every object written for the passwords of
// the e-mail account forms.
func TestSecretsNeverStored(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, _ := newOffice(t, st)
		var secrets []string
		for _, name := range []string{"acuse-cuenta-correo", "restablecimiento-contrasena"} {
			data := sample(t, name)
			ty, _ := o.Catalog.Type(name)
			for _, f := range ty.Fields {
				if f.Type == legajo.FieldSecret {
					secrets = append(secrets, data[f.Name].(string))
				}
			}
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: name, Data: data, IdempotencyKey: "k-" + name})
			if err != nil {
				t.Fatal(err)
			}
			printed := false
			for _, tr := range res.Tantos {
				if tr.Print != nil && bytes.Contains(tr.Print, []byte(secrets[len(secrets)-1])) {
					printed = true
				}
			}
			if !printed {
				t.Errorf("%s: the exemplar to hand to the person must show the password", name)
			}
		}
		if len(secrets) < 2 {
			t.Fatal("the samples have no secrets")
		}
		n := 0
		err := st.List(ctx, "", "", func(oi ObjectInfo) error {
			b, err := st.Get(ctx, oi.Key)
			if err != nil {
				return err
			}
			n++
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("secret found in stored object %s", oi.Key)
				}
				if esc, _ := json.Marshal(s); bytes.Contains(b, esc[1:len(esc)-1]) {
					t.Errorf("secret (JSON-escaped) found in stored object %s", oi.Key)
				}
			}
			return nil
		})
		if err != nil || n < 10 {
			t.Fatalf("scanned %d objects: %v", n, err)
		}
	})
}

func mustRenderer(tb testing.TB) *pdf.Renderer {
	tb.Helper()
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// RecordWithObjects reads every object of a record with its manifests and
// gives their hashes; what it read is what CheckRecord judges, so a file
// changed or removed in the storage is found without reading it again.
// Record gives the hashes of the manifests only.
func TestRecordWithObjects(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, a := newOffice(t, st)
		folio := emitOne(t, o)
		if _, err := o.Acuse(ctx, folio, pdfScan(t), "acuse.pdf", "ana"); err != nil {
			t.Fatal(err)
		}
		full, err := o.RecordChecked(ctx, folio)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := a.Record(ctx, folio)
		if err != nil {
			t.Fatal(err)
		}
		var all, manifests int
		for _, e := range full.Entries {
			for _, obj := range e.Objects {
				all++
				got, ok := full.Read[obj.Key]
				if !ok || got.Missing || got.SHA256 != obj.SHA256 || got.Size != obj.Size {
					t.Errorf("RecordWithObjects, %s: %+v, ok %v; the entry records %s, %d bytes", obj.Key, got, ok, obj.SHA256, obj.Size)
				}
				_, inPlain := plain.Read[obj.Key]
				if e.Event == legajo.EventEmitido && obj.Kind == "manifest" {
					manifests++
					if !inPlain {
						t.Errorf("Record did not give the hash of manifest %s", obj.Key)
					}
				} else if inPlain {
					t.Errorf("Record read %s, which is not a manifest", obj.Key)
				}
			}
		}
		if len(full.Read) != all || all < 5 || manifests != 2 {
			t.Errorf("%d objects read of %d (%d manifests)", len(full.Read), all, manifests)
		}
		if problems, err := o.CheckRecord(ctx, full); err != nil || len(problems) != 0 {
			t.Fatalf("an intact record: %v %v", problems, err)
		}

		// Someone with write access changes the copy's PDF and removes the
		// acuse's scan.
		emitted, _ := full.Emitted()
		var copia, scan string
		for _, obj := range emitted.Objects {
			if obj.Kind == "pdf" && obj.Tanto == "COPIA" {
				copia = obj.Key
			}
		}
		for _, e := range full.Entries {
			for _, obj := range e.Objects {
				if e.Event == legajo.EventAcuse && obj.Kind == "acuse" {
					scan = obj.Key
				}
			}
		}
		if copia == "" || scan == "" {
			t.Fatalf("no copy (%q) or scan (%q) in %+v", copia, scan, full.Entries)
		}
		tm := tampererOf(t, unwrap(st))
		tm.put(t, copia, []byte("%PDF-1.4 otro documento"))
		tm.remove(t, scan)
		full, err = o.RecordChecked(ctx, folio)
		if err != nil {
			t.Fatal(err)
		}
		if got := full.Read[scan]; !got.Missing {
			t.Errorf("the removed scan read as %+v", got)
		}
		problems, err := o.CheckRecord(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, p := range problems {
			found[p.Key] = p.Problem
		}
		if found[copia] != "modificado" || found[scan] != "faltante" || len(problems) != 2 {
			t.Errorf("findings: %+v", problems)
		}
	})
}
