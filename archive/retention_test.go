package archive

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sesver/legajo"
)

// A bucket Legajo creates has Object Lock, and so versioning, where the
// server has them.
func TestS3BucketCreatedWithObjectLock(t *testing.T) {
	ctx := context.Background()
	st := newS3Store(t, S3Config{ObjectLock: true})
	if err := st.LockRefused(); err != nil {
		t.Fatalf("the server refused Object Lock: %v", err)
	}
	enabled, _, _, _, err := st.client.GetObjectLockConfig(ctx, st.bucket)
	if err != nil || enabled != "Enabled" {
		t.Errorf("object lock configuration: %q, %v; want Enabled", enabled, err)
	}
	if !st.Locking() {
		t.Error("Locking() = false on a bucket with Object Lock")
	}
	v, err := st.client.GetBucketVersioning(ctx, st.bucket)
	if err != nil || !v.Enabled() {
		t.Errorf("versioning: %+v, %v; want Enabled", v, err)
	}
}

// A server that refuses Object Lock still gets a bucket, a plain one, and
// the Store says so and why. The refusal is played by a proxy in front of
// the real server, which has Object Lock.
func TestS3ObjectLockRefused(t *testing.T) {
	ctx := context.Background()
	cfg := s3TestConfig(t)
	server, err := url.Parse("http://" + cfg.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(server)
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled") != "" {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotImplemented)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>Object Lock is not available.</Message></Error>`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(refuse.Close)
	cfg.Endpoint, cfg.ObjectLock = strings.TrimPrefix(refuse.URL, "http://"), true
	st, err := OpenS3(ctx, cfg)
	if err != nil {
		t.Fatalf("OpenS3 on a server that refuses Object Lock: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.LockRefused(); err == nil || !strings.Contains(err.Error(), "Object Lock is not available") {
		t.Errorf("LockRefused() = %v, want the server's refusal", err)
	}
	if st.Locking() {
		t.Error("Locking() = true on the plain bucket")
	}
	// Retention is not asked of a bucket that cannot keep it.
	if err := st.Create(ctx, "k", []byte("v"), CreateOptions{RetainUntil: time.Now().Add(time.Hour)}); err != nil {
		t.Errorf("Create on the plain bucket: %v", err)
	}
}

// Everything an emission writes on a locked bucket is retained: the files,
// their manifests and the chain entry for the expediente's CADIDO
// retention from the filing date, the folio claim for the longest of all.
// The server then refuses to delete them.
func TestS3FiledObjectsRetained(t *testing.T) {
	ctx := context.Background()
	st := newS3Store(t, S3Config{ObjectLock: true})
	o, a := newOffice(t, st)
	before := time.Now()
	res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: sample(t, "oficio-liberacion"), Author: "capturista1"})
	if err != nil {
		t.Fatal(err)
	}
	folio, _ := legajo.ParseFolio(res.Folio, "SESVER/DA/DTI")
	rec, err := a.Record(ctx, folio)
	if err != nil {
		t.Fatal(err)
	}
	e := rec.Entries[0]
	exp, _ := a.Expediente(e.Expediente)
	want := e.At.AddDate(exp.RetentionYears(), 0, 0).Truncate(time.Second)
	keys := []string{e.Key}
	for _, obj := range e.Objects {
		keys = append(keys, obj.Key)
	}
	for _, key := range keys {
		mode, until := retention(t, st, key)
		if mode != minio.Compliance || !until.Equal(want) {
			t.Errorf("%s: retained %q until %v, want COMPLIANCE until %v (%d years)", key, mode, until, want, exp.RetentionYears())
		}
	}

	longest := 0
	for _, x := range a.Expedientes() {
		longest = max(longest, x.RetentionYears())
	}
	// The folio claim, the document's transition objects and the signed
	// log's lote serve every expediente: kept for the longest retention.
	a.UseKey(testSigner())
	if _, err := o.Cancel(ctx, folio, "Se sustituye por el oficio con la fecha correcta.", "capturista1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Seal(ctx, true); err != nil {
		t.Fatal(err)
	}
	shared := []string{folioKey(folioRoot+folio.Serie+"/2026/", folio.Number), loteKey(1)}
	st.List(ctx, stateRoot+folio.Slug()+"/", "", func(o ObjectInfo) error { shared = append(shared, o.Key); return nil })
	if len(shared) < 4 {
		t.Fatalf("expected a claim, a lote and the alta and cancelado transitions: %v", shared)
	}
	for _, key := range shared {
		mode, until := retention(t, st, key)
		// Counted from when they were written: transitions by the
		// Office's clock (the test's fixed one), the others by this one.
		lo := before
		if strings.HasPrefix(key, stateRoot) {
			lo = e.At
		}
		if lo, hi := lo.AddDate(longest, 0, 0).Truncate(time.Second), time.Now().AddDate(longest, 0, 0); mode != minio.Compliance || until.Before(lo) || until.After(hi) {
			t.Errorf("%s: retained %q until %v, want COMPLIANCE for the longest retention, %d years", key, mode, until, longest)
		}
	}

	// A delete without a version only hides the object behind a delete
	// marker (the version stays); deleting the version itself is refused.
	tanto := e.Objects[0].Key
	info, err := st.client.StatObject(ctx, st.bucket, tanto, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.VersionID == "" {
		t.Fatalf("%s has no version id on a bucket with Object Lock", tanto)
	}
	err = st.client.RemoveObject(ctx, st.bucket, tanto, minio.RemoveObjectOptions{VersionID: info.VersionID})
	if err == nil {
		t.Fatalf("the server deleted version %s of %s, retained until %v", info.VersionID, tanto, want)
	}
	t.Logf("delete of a retained version refused: %v", err)
	if _, err := st.Get(ctx, tanto); err != nil {
		t.Errorf("%s after the refused delete: %v", tanto, err)
	}
	// Not even the bypass of GOVERNANCE mode deletes a COMPLIANCE version.
	err = st.client.RemoveObject(ctx, st.bucket, tanto, minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true})
	if err == nil {
		t.Errorf("the server deleted version %s of %s with the governance bypass", info.VersionID, tanto)
	}
}

// An archive on a Store without locking asks for no retention, and one
// whose retention would already be over asks for none either.
func TestRetainFor(t *testing.T) {
	a, err := New(newFSStore(t), legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	if o := a.longestOptions(time.Now(), "x"); !o.RetainUntil.IsZero() || o.ContentType != "x" {
		t.Errorf("fs: %+v, want no retention", o)
	}
	lock := newS3Store(t, S3Config{ObjectLock: true})
	a, err = New(lock, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name string
		got  CreateOptions
		want time.Time
	}{
		{"longest", a.longestOptions(now, ""), now.AddDate(10, 0, 0)}, // baja-equipo: 3 + 7
		{"expediente", a.createOptions(legajo.DefaultExpedientes()[1], now, ""), now.AddDate(7, 0, 0)},
		{"over", a.createOptions(legajo.DefaultExpedientes()[1], now.AddDate(-8, 0, 0), ""), time.Time{}},
	}
	for _, tt := range tests {
		if !tt.got.RetainUntil.Equal(tt.want) {
			t.Errorf("%s: retain until %v, want %v", tt.name, tt.got.RetainUntil, tt.want)
		}
	}
}

// retention reads an object's Object Lock retention with GetObjectRetention.
// Versity Gateway v1.8.0 answers it with <ObjectLockRetention> where S3 says
// <Retention>, which minio-go refuses to decode; the same retention is then
// read from the object's headers.
func retention(t *testing.T, st *S3Store, key string) (minio.RetentionMode, time.Time) {
	t.Helper()
	ctx := context.Background()
	mode, until, err := st.client.GetObjectRetention(ctx, st.bucket, key, "")
	if err == nil {
		if mode == nil || until == nil {
			t.Fatalf("%s: no retention", key)
		}
		return *mode, until.UTC()
	}
	if !strings.Contains(err.Error(), "ObjectLockRetention") {
		t.Fatalf("GetObjectRetention(%s): %v", key, err)
	}
	t.Logf("GetObjectRetention(%s): %v; reading the headers", key, err)
	info, err := st.client.StatObject(ctx, st.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("StatObject(%s): %v", key, err)
	}
	date, err := time.Parse(time.RFC3339, info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"))
	if err != nil {
		t.Fatalf("%s: retain-until date: %v", key, err)
	}
	return minio.RetentionMode(info.Metadata.Get("X-Amz-Object-Lock-Mode")), date.UTC()
}
