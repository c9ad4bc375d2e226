package archive

import (
	"context"
	"time"

	"github.com/minio/minio-go/v7"
)

// RetainUntil returns the date until which Object Lock retains the object
// under key, or the zero time when it has no retention. It reads HEAD's
// headers rather than GetObjectRetention, which some servers (versitygw
// v1.8.0) answer in a form minio-go rejects.
func (s *S3Store) RetainUntil(ctx context.Context, key string) (time.Time, error) {
	if err := checkKey(key); err != nil {
		return time.Time{}, err
	}
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return time.Time{}, s.error("stat", key, err)
	}
	v := info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, s.error("read retention of", key, err)
	}
	return t, nil
}

var _ RetentionReader = (*S3Store)(nil)
