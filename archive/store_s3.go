package archive

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sesver/legajo"
)

// S3Config tells OpenS3 where the bucket is and how to reach it.
type S3Config struct {
	Endpoint  string // host:port, without scheme
	Bucket    string
	AccessKey string
	SecretKey string
	Region    string // "" lets the server say (one extra request per process)
	Secure    bool   // TLS

	// CreateBucket creates the bucket when it does not exist. Otherwise a
	// missing bucket is an error matching legajo.ErrNotFound.
	CreateBucket bool
	// ObjectLock asks for the bucket CreateBucket creates to have Object
	// Lock (and so versioning). A server that refuses gets a plain bucket
	// instead, and S3Store.LockRefused says why. An existing bucket is
	// left as it is.
	ObjectLock bool

	// Retention is the Object Lock mode given to objects created with
	// CreateOptions.RetainUntil: "COMPLIANCE" (the default when empty: no
	// one, not even the bucket's owner, can shorten it) or "GOVERNANCE"
	// (users with a special permission can).
	Retention string

	// Timeout bounds the wait for each answer of the server and each
	// Create, Get and Stat, retries included; 0 is DefaultS3Timeout. A
	// server down, frozen or too slow then gives an error matching
	// legajo.ErrUnavailable instead of a request that never ends.
	Timeout time.Duration
}

// DefaultS3Timeout is S3Config.Timeout when it is not set.
const DefaultS3Timeout = 15 * time.Second

// S3Store is a Store in a bucket of an S3-compatible server. It relies on
// standard S3 only: conditional PUT (If-None-Match: *), ListObjectsV2 and,
// where the bucket has it, Object Lock. The server must honour
// If-None-Match: * on PutObject (AWS S3 since 2024, MinIO, Versity Gateway,
// recent Ceph RGW); the first Create of each S3Store checks that it does and
// refuses to write otherwise.
type S3Store struct {
	client    *minio.Client
	transport *http.Transport
	bucket    string
	mode      minio.RetentionMode
	locking   bool
	refused   error // the server's answer to creating the bucket with Object Lock
	timeout   time.Duration

	probeMu sync.Mutex
	probed  bool
}

// probeKey is where S3Store checks that the server honours conditional
// writes. Its first segment starts with '.', so no Store key can collide
// with it and List never reports it.
const probeKey = ".legajo/conditional-create-probe"

// OpenS3 connects to the bucket described by cfg, creating it if asked,
// and finds out whether it has Object Lock. A missing bucket is an error
// matching legajo.ErrNotFound, a bad configuration one matching
// legajo.ErrInvalid.
func OpenS3(ctx context.Context, cfg S3Config) (*S3Store, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: open s3: endpoint and bucket are required")
	}
	mode := minio.Compliance
	switch cfg.Retention {
	case "", "COMPLIANCE":
	case "GOVERNANCE":
		mode = minio.Governance
	default:
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: open s3: retention mode %q is neither COMPLIANCE nor GOVERNANCE", cfg.Retention)
	}
	tr, err := minio.DefaultTransport(cfg.Secure)
	if err != nil {
		return nil, fmt.Errorf("archive: open s3 %s: %w", cfg.Endpoint, err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultS3Timeout
	}
	// A server that accepts connections and never answers holds each
	// request until the answer's headers are late.
	tr.ResponseHeaderTimeout = timeout
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.Secure,
		Region:    cfg.Region,
		Transport: tr,
		// Few retries: a server that is down is told to the clerk within
		// the timeout, not after minutes of backing off.
		MaxRetries: 2,
	})
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: open s3 %s: %v", cfg.Endpoint, err)
	}
	s := &S3Store{client: client, transport: tr, bucket: cfg.Bucket, mode: mode, timeout: timeout}
	ctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	if err := s.ensureBucket(ctx, cfg); err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	s.locking, err = s.bucketLocking(ctx)
	if err != nil {
		tr.CloseIdleConnections()
		return nil, err
	}
	return s, nil
}

// ensureBucket checks that the bucket exists, creating it if cfg says so.
func (s *S3Store) ensureBucket(ctx context.Context, cfg S3Config) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return s.error("open bucket", s.bucket, err)
	}
	if ok {
		return nil
	}
	if !cfg.CreateBucket {
		return legajo.Errorf(legajo.ErrNotFound, "archive: open s3: bucket %s does not exist", s.bucket)
	}
	err = s.makeBucket(ctx, cfg.Region, cfg.ObjectLock)
	if err != nil && cfg.ObjectLock && minioCode(err) != "" {
		// The server answered, so it may only refuse Object Lock (a
		// network failure is not taken for a refusal): a plain bucket
		// still keeps the archive, though then only the server's
		// permissions stand between it and a deletion.
		if err2 := s.makeBucket(ctx, cfg.Region, false); err2 == nil {
			s.refused = fmt.Errorf("archive: create bucket %s with object lock: %w", s.bucket, err)
			return nil
		}
	}
	if err != nil {
		return s.error("create bucket", s.bucket, err)
	}
	return nil
}

// makeBucket creates the bucket, or finds it created meanwhile by another
// process.
func (s *S3Store) makeBucket(ctx context.Context, region string, lock bool) error {
	err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region, ObjectLocking: lock})
	if err != nil {
		if ok, err2 := s.client.BucketExists(ctx, s.bucket); err2 == nil && ok {
			return nil
		}
	}
	return err
}

// bucketLocking tells whether the bucket has Object Lock enabled.
func (s *S3Store) bucketLocking(ctx context.Context) (bool, error) {
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.bucket)
	if err != nil {
		switch minioCode(err) {
		case "ObjectLockConfigurationNotFoundError", "ObjectLockConfigurationNotFound", "NotImplemented":
			return false, nil
		}
		return false, s.error("get object lock configuration", s.bucket, err)
	}
	return enabled == "Enabled", nil
}

// Create puts data with If-None-Match: *, in a single PUT of known size:
// a multipart upload (what minio-go does for an unknown size) would drop
// the condition.
func (s *S3Store) Create(ctx context.Context, key string, data []byte, opts CreateOptions) error {
	_, err := s.create(ctx, key, data, opts)
	return err
}

// CreateChecked is Create, and tells whether the server's answer shows
// that it stored data: the PUT carries Content-MD5, which the server checks
// against the body it received (refusing it otherwise), and the ETag it
// answers, its own MD5 of the object stored by a single-part PUT, equals
// that of data. False, with no error, when the ETag is not data's MD5 (a
// server that encrypts objects with KMS answers another ETag): the caller
// reads the object back to know.
func (s *S3Store) CreateChecked(ctx context.Context, key string, data []byte, opts CreateOptions) (bool, error) {
	etag, err := s.create(ctx, key, data, opts)
	if err != nil {
		return false, err
	}
	sum := md5.Sum(data)
	return strings.EqualFold(etag, hex.EncodeToString(sum[:])), nil
}

// create is Create, returning the ETag the server answered.
func (s *S3Store) create(ctx context.Context, key string, data []byte, opts CreateOptions) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	if s.locking && !opts.RetainUntil.IsZero() && !opts.RetainUntil.After(time.Now()) {
		return "", legajo.Errorf(legajo.ErrInvalid, "archive: create %s: retain-until date %s is in the past", key, opts.RetainUntil.Format(time.RFC3339))
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.probe(ctx); err != nil {
		return "", fmt.Errorf("archive: create %s: %w", key, err)
	}
	etag, err := s.put(ctx, key, data, s.putOptions(opts))
	if err != nil {
		err = s.error("create", key, err)
		// A server refusing a large body because the object exists may
		// answer 412 and close the connection while the body is still
		// going up: the client sees the reset, not the answer. If the
		// object is there, this is the conflict (as the Store contract
		// allows for a retried request, the caller compares contents when
		// it must know).
		if errors.Is(err, legajo.ErrUnavailable) && ctx.Err() == nil {
			if _, serr := s.Stat(ctx, key); serr == nil {
				return "", fmt.Errorf("archive: create %s: %w: object exists (the server closed the connection)", key, legajo.ErrConflict)
			}
		}
		return "", err
	}
	return etag, nil
}

// putOptions are the options of the PUT that creates an object.
func (s *S3Store) putOptions(opts CreateOptions) minio.PutObjectOptions {
	po := minio.PutObjectOptions{
		ContentType:      opts.ContentType,
		DisableMultipart: true,
		// Content-MD5 lets the server reject a body damaged in transit, and
		// AWS requires it (or a checksum) on PUTs that set a retention.
		SendContentMd5: true,
		// The body is in memory and its MD5 is signed with the headers, so
		// the server's check of Content-MD5 binds it to the signature: the
		// payload is sent unsigned (as minio-go does over TLS) instead of
		// in signed chunks, a SHA-256 and a signature more per PUT on both
		// sides. On the Versity Gateway of the tests this doubles the PUTs
		// a second (BENCHMARKS.md, backup).
		DisableContentSha256: true,
	}
	if s.locking && !opts.RetainUntil.IsZero() {
		po.Mode = s.mode
		po.RetainUntilDate = opts.RetainUntil.UTC()
	}
	return po
}

// put writes data under key on condition that no object has that key, and
// returns the ETag the server answered.
func (s *S3Store) put(ctx context.Context, key string, data []byte, po minio.PutObjectOptions) (string, error) {
	po.SetMatchETagExcept("*") // If-None-Match: *
	info, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), po)
	return info.ETag, err
}

// probe checks once per S3Store that the server refuses to overwrite an
// object when asked with If-None-Match: *. A server that ignores the header
// would silently break folio allocation and chain appends, so nothing is
// written to it. Read-only users of the Store never reach this.
func (s *S3Store) probe(ctx context.Context) error {
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	if s.probed {
		return nil
	}
	data := []byte("Legajo checks here that the server honours If-None-Match: * on PutObject.\n")
	po := s.putOptions(CreateOptions{ContentType: "text/plain"})
	// The first put creates the probe object, or finds it there already.
	if _, err := s.put(ctx, probeKey, data, po); err != nil && !isConflict(err) {
		return s.error("check conditional create on", probeKey, err)
	}
	_, err := s.put(ctx, probeKey, data, po)
	if err == nil {
		return fmt.Errorf("archive: s3 server overwrote %s despite If-None-Match: *; it cannot keep folios gap-free, refusing to write", probeKey)
	}
	if !isConflict(err) {
		return s.error("check conditional create on", probeKey, err)
	}
	s.probed = true
	return nil
}

// Get reads the whole object under key.
func (s *S3Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.error("get", key, err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		return nil, s.error("get", key, err)
	}
	return data, nil
}

// Stat describes the object under key.
func (s *S3Store) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, s.error("stat", key, err)
	}
	return ObjectInfo{Key: key, Size: info.Size}, nil
}

// List pages through ListObjectsV2, whose order is the byte order of keys.
// Keys that no Store could have written (such as the probe object) are
// skipped, so that every Store lists the same objects.
func (s *S3Store) List(ctx context.Context, prefix, startAfter string, fn func(ObjectInfo) error) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the listing if fn stops it
	noOwner := false
	objects := s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:     prefix,
		StartAfter: startAfter,
		Recursive:  true,
		FetchOwner: &noOwner,
	})
	for obj := range objects {
		if obj.Err != nil {
			return s.error("list", prefix, obj.Err)
		}
		if checkKey(obj.Key) != nil {
			continue
		}
		if err := fn(ObjectInfo{Key: obj.Key, Size: obj.Size}); err != nil {
			return err
		}
	}
	return nil
}

// Locking tells whether the bucket has Object Lock enabled, as its Object
// Lock configuration said when the Store was opened.
func (s *S3Store) Locking() bool { return s.locking }

// LockRefused returns the server's refusal when OpenS3, asked to create the
// bucket with Object Lock, had to create it without; nil otherwise.
func (s *S3Store) LockRefused() error { return s.refused }

// Close closes idle connections to the server.
func (s *S3Store) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// error translates a minio-go error into Legajo's error kinds, keeping the
// server's message.
func (s *S3Store) error(op, key string, err error) error {
	switch code := minioCode(err); code {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return fmt.Errorf("archive: %s %s: %w: object exists (%s)", op, key, legajo.ErrConflict, code)
	case "NoSuchKey":
		return fmt.Errorf("archive: %s %s: %w: no such object", op, key, legajo.ErrNotFound)
	case "NoSuchBucket":
		return fmt.Errorf("archive: %s %s: %w: no bucket %s", op, key, legajo.ErrNotFound, s.bucket)
	case "ServiceUnavailable", "SlowDown", "InternalError", "RequestTimeout", "XMinioServerNotInitialized":
		return fmt.Errorf("archive: %s %s: %w: s3 %s: %s", op, key, legajo.ErrUnavailable, code, err)
	case "":
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("archive: %s %s: %w", op, key, err)
		}
		// No answer of the server: it is down, frozen or unreachable.
		return fmt.Errorf("archive: %s %s: %w: %w", op, key, legajo.ErrUnavailable, err)
	default:
		return fmt.Errorf("archive: %s %s: s3 %s: %s", op, key, code, err)
	}
}

// isConflict tells whether a minio-go error says that the object exists.
func isConflict(err error) bool {
	switch minioCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return false
}

// minioCode returns the S3 error code of err, or "" if the server did not
// answer with one.
func minioCode(err error) string {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return resp.Code
	}
	return ""
}

var _ Store = (*S3Store)(nil)
