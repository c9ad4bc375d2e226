package main

import (
	"os"
	"strings"
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

// TestSignatoryGender: a signatory's gender is read from the file, and a
// value other than F or M stops the start-up naming the file.
func TestSignatoryGender(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/legajo.yaml"
	write := func(g string) {
		t.Helper()
		b := "signatories:\n  - {role: jefe-dti, name: Lic. Ana Ruiz, position: Titular del Departamento, gender: " + g + ", from: 2024-12-01}\n"
		if err := os.WriteFile(path, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("F")
	var c Config
	if err := c.readFile(path); err != nil {
		t.Fatal(err)
	}
	if len(c.Directory) != 1 || c.Directory[0].Gender != "F" || !c.Directory[0].Feminine() {
		t.Errorf("gender not read: %+v", c.Directory)
	}
	write("femenino")
	if err := (&Config{}).readFile(path); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "gender must be F or M") {
		t.Errorf("bad gender: %v", err)
	}
}
