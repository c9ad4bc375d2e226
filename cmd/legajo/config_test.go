package main

import (
	"testing"
	"time"
)

func TestS3Timeout(t *testing.T) {
	for _, c := range []struct {
		name, value string
		want        time.Duration
		err         bool
	}{
		{"unset", "", 0, false},
		{"seconds", "10s", 10 * time.Second, false},
		{"not a duration", "10", 0, true},
		{"negative", "-1s", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"LEGAJO_S3_ACCESS_KEY": "a", "LEGAJO_S3_SECRET_KEY": "b", "LEGAJO_S3_TIMEOUT": c.value}
			cfg, err := parseLocation("LEGAJO_ARCHIVE", "s3://localhost:9000/legajo", func(k string) string { return env[k] }, "LEGAJO_S3_")
			if (err != nil) != c.err {
				t.Fatalf("err = %v", err)
			}
			if err == nil && cfg.Timeout != c.want {
				t.Errorf("timeout = %v, want %v", cfg.Timeout, c.want)
			}
		})
	}
}
