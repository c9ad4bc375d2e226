package archive

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sesver/legajo"
)

// s3TestConfig returns the configuration of a new, unique bucket on the
// server named by LEGAJO_TEST_S3 (http://ACCESS:SECRET@HOST:PORT/PREFIX, as
// exported by .ci/s3.sh). Without it the test is skipped, except in CI
// where the s3 tests must run.
func s3TestConfig(tb testing.TB) S3Config {
	tb.Helper()
	env := os.Getenv("LEGAJO_TEST_S3")
	if env == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("LEGAJO_TEST_S3 is not set: CI must run the s3 tests against a real server (source .ci/s3.sh; s3_start)")
		}
		tb.Skip("LEGAJO_TEST_S3 is not set (source .ci/s3.sh; s3_start)")
	}
	u, err := url.Parse(env)
	if err != nil || u.User == nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		tb.Fatalf("LEGAJO_TEST_S3=%q is not http(s)://ACCESS:SECRET@HOST:PORT/BUCKET-PREFIX", env)
	}
	secret, _ := u.User.Password()
	prefix := strings.Trim(u.Path, "/")
	if prefix == "" {
		prefix = "legajo-test"
	}
	region := u.Query().Get("region")
	if region == "" {
		region = "us-east-1"
	}
	return S3Config{
		Endpoint:     u.Host,
		Bucket:       prefix + "-" + strings.ToLower(rand.Text()[:12]),
		AccessKey:    u.User.Username(),
		SecretKey:    secret,
		Region:       region,
		Secure:       u.Scheme == "https",
		CreateBucket: true,
	}
}

// newS3Store opens a Store on a new bucket; fields set in extra (ObjectLock,
// Retention) are added to the test configuration.
func newS3Store(tb testing.TB, extra S3Config) *S3Store {
	tb.Helper()
	cfg := s3TestConfig(tb)
	cfg.ObjectLock = extra.ObjectLock
	cfg.Retention = extra.Retention
	st, err := OpenS3(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("OpenS3(%s/%s): %v", cfg.Endpoint, cfg.Bucket, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// A 5 MiB object goes up in one PUT: its ETag is the MD5 of its content,
// where a multipart upload's would end in -<parts>.
func TestS3LargeObjectSinglePart(t *testing.T) {
	ctx := context.Background()
	st := newS3Store(t, S3Config{})
	data := make([]byte, 5<<20)
	rand.Read(data)
	mustCreate(t, st, "large/one-part", data)
	info, err := st.client.StatObject(ctx, st.bucket, "large/one-part", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(data)
	if want := hex.EncodeToString(sum[:]); info.ETag != want {
		t.Errorf("ETag %q, want %q (single-part MD5)", info.ETag, want)
	}
}

func TestS3ObjectLock(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		retention string
		want      minio.RetentionMode
	}{
		{"default", "", minio.Compliance},
		{"governance", "GOVERNANCE", minio.Governance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newS3Store(t, S3Config{ObjectLock: true, Retention: tt.retention})
			if !st.Locking() {
				t.Fatal("Locking() = false on a bucket created with Object Lock")
			}
			until := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
			key := "expedientes/E-01/2026/03/kept.pdf"
			if err := st.Create(ctx, key, []byte("pdf"), CreateOptions{ContentType: "application/pdf", RetainUntil: until}); err != nil {
				t.Fatalf("Create with RetainUntil: %v", err)
			}
			// Read back from HEAD's headers: versitygw v1.8.0 answers
			// GetObjectRetention with <ObjectLockRetention> instead of
			// S3's <Retention>, which minio-go rejects.
			info, err := st.client.StatObject(ctx, st.bucket, key, minio.StatObjectOptions{})
			if err != nil {
				t.Fatalf("StatObject: %v", err)
			}
			mode := info.Metadata.Get("X-Amz-Object-Lock-Mode")
			date, err := time.Parse(time.RFC3339, info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"))
			if mode != string(tt.want) || err != nil || !date.Equal(until) {
				t.Errorf("retention = %q until %v (%v), want %v until %v", mode, date, err, tt.want, until)
			}
			// Retention does not weaken the condition.
			if err := st.Create(ctx, key, []byte("other"), CreateOptions{RetainUntil: until}); !errors.Is(err, legajo.ErrConflict) {
				t.Errorf("second Create: %v, want ErrConflict", err)
			}
			past := CreateOptions{RetainUntil: time.Now().Add(-time.Minute)}
			if err := st.Create(ctx, "past", []byte("x"), past); !errors.Is(err, legajo.ErrInvalid) {
				t.Errorf("Create retained until the past: %v, want ErrInvalid", err)
			}
		})
	}
	t.Run("without", func(t *testing.T) {
		if st := newS3Store(t, S3Config{}); st.Locking() {
			t.Error("Locking() = true on a bucket without Object Lock")
		}
	})
}

func TestOpenS3(t *testing.T) {
	ctx := context.Background()
	cfg := s3TestConfig(t)
	cfg.CreateBucket = false
	if _, err := OpenS3(ctx, cfg); !errors.Is(err, legajo.ErrNotFound) {
		t.Errorf("OpenS3 of a missing bucket: %v, want ErrNotFound", err)
	}
	cfg.Retention = "FOREVER"
	if _, err := OpenS3(ctx, cfg); !errors.Is(err, legajo.ErrInvalid) {
		t.Errorf("OpenS3 with a bad retention mode: %v, want ErrInvalid", err)
	}
	// Two Stores may open (and create) one bucket at once.
	cfg = s3TestConfig(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			st, err := OpenS3(ctx, cfg)
			if err == nil {
				st.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent OpenS3 with CreateBucket: %v", err)
		}
	}
}

// The object written to check conditional writes is not a Store object.
func TestS3ProbeHidden(t *testing.T) {
	st := newS3Store(t, S3Config{})
	mustCreate(t, st, "k", []byte("v"))
	if _, err := st.client.StatObject(context.Background(), st.bucket, probeKey, minio.StatObjectOptions{}); err != nil {
		t.Fatalf("probe object missing after the first Create: %v", err)
	}
	if got := list(t, st, "", ""); len(got) != 1 || got[0].Key != "k" {
		t.Errorf("List = %v, want only k", got)
	}
}

// A PUT whose body is not the one its Content-MD5 was computed on is
// refused by the server, and nothing is stored under its key. That, and
// the ETag the server answers, let a copy to S3 go without reading each
// object back (CreateChecked).
func TestS3CreateRefusesDamagedBody(t *testing.T) {
	ctx := context.Background()
	st := newS3Store(t, S3Config{})
	mustCreate(t, st, "otro", []byte("the probe is done before the damaged PUT"))
	const key = "expedientes/dti/2026/11/danado_original.pdf"
	data := []byte("%PDF-1.4 el original de un oficio, con acentos: «Atención»")
	po := st.putOptions(CreateOptions{ContentType: "application/pdf"})
	po.SetMatchETagExcept("*")
	body := &damagingReader{data: data}
	_, err := st.client.PutObject(ctx, st.bucket, key, body, int64(len(data)), po)
	if body.passes < 2 {
		t.Fatalf("the body was read %d time(s): its MD5 and the bytes sent came from one pass, nothing was damaged", body.passes)
	}
	if code := minioCode(err); code != "BadDigest" {
		t.Fatalf("PUT of a body other than its Content-MD5's: %v (code %q), want BadDigest", err, code)
	}
	if _, err := st.Stat(ctx, key); !errors.Is(err, legajo.ErrNotFound) {
		t.Fatalf("after the refused PUT, Stat = %v, want ErrNotFound", err)
	}

	// The same bytes undamaged go in, and the answer shows it; the empty
	// object too.
	for k, d := range map[string][]byte{key: data, "vacio": {}} {
		checked, err := st.CreateChecked(ctx, k, d, CreateOptions{ContentType: "application/pdf"})
		if err != nil || !checked {
			t.Fatalf("CreateChecked(%q) = %v, %v; want true, nil", k, checked, err)
		}
		mustGet(t, st, k, d)
	}
	// Never an overwrite: another content under the key is a conflict.
	if checked, err := st.CreateChecked(ctx, key, []byte("otro contenido"), CreateOptions{}); !errors.Is(err, legajo.ErrConflict) || checked {
		t.Fatalf("CreateChecked over an existing key = %v, %v; want false, ErrConflict", checked, err)
	}
	mustGet(t, st, key, data)
}

// damagingReader gives data on its first pass (minio-go's, computing the
// Content-MD5) and data with its first byte changed on the next (the body
// sent).
type damagingReader struct {
	data   []byte
	off    int64
	passes int
}

func (r *damagingReader) ReadAt(p []byte, off int64) (int, error) {
	if off == 0 {
		r.passes++
	}
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	if r.passes > 1 && off == 0 && n > 0 {
		p[0] ^= 1
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (r *damagingReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	return n, err
}

func (r *damagingReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += r.off
	case io.SeekEnd:
		off += int64(len(r.data))
	}
	r.off = off
	return off, nil
}
