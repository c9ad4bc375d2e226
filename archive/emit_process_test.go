package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/sesver/legajo"
)

const emitChildEnv = "LEGAJO_TEST_EMIT_CHILD" // "fs:<dir>" or "s3:<bucket>"

// TestEmitProcesses runs 2 OS processes × 50 concurrent emissions of one
// serie on one store: exactly folios 1–100, no duplicate, no gap, and one
// unbroken chain.
func TestEmitProcesses(t *testing.T) {
	t.Run("fs", func(t *testing.T) {
		dir := t.TempDir()
		st, err := OpenFS(dir)
		if err != nil {
			t.Fatal(err)
		}
		testEmitProcesses(t, st, "fs:"+dir)
	})
	t.Run("s3", func(t *testing.T) {
		st := newS3Store(t, S3Config{})
		testEmitProcesses(t, st, "s3:"+st.bucket)
	})
}

func testEmitProcesses(t *testing.T, st Store, spec string) {
	ctx := context.Background()
	out := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	logs := make([][]byte, 2)
	for i := range 2 {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestEmitChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), emitChildEnv+"="+spec, folioOutEnv+"="+filepath.Join(out, fmt.Sprint(i)))
			logs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	var folios []string
	for i := range 2 {
		if errs[i] != nil {
			t.Fatalf("child %d: %v\n%s", i, errs[i], logs[i])
		}
		b, err := os.ReadFile(filepath.Join(out, fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		json.Unmarshal(b, &got)
		folios = append(folios, got...)
	}
	sort.Strings(folios)
	if len(folios) != 100 {
		t.Fatalf("%d emissions reported, want 100", len(folios))
	}
	for i, f := range folios {
		if want := fmt.Sprintf("SESVER/DA/DTI/OL/%04d/2026", i+1); f != want {
			t.Fatalf("folio %d is %s, want %s: gap or duplicate", i+1, f, want)
		}
	}
	_, a := newOffice(t, st)
	v, err := a.Verify(ctx, "dti")
	if err != nil || !v.OK() || v.Entries != 100 {
		t.Errorf("verify after concurrent emission: %v, %d entries, %+v", err, v.Entries, v.Findings)
	}
}

// TestEmitChild is one process of TestEmitProcesses.
func TestEmitChild(t *testing.T) {
	spec := os.Getenv(emitChildEnv)
	if spec == "" {
		t.Skip("runs only as a child of TestEmitProcesses")
	}
	ctx := context.Background()
	st := openSpec(t, spec)
	defer st.Close()
	o, _ := newOffice(t, st)
	data := sample(t, "oficio-liberacion")
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "proceso"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, res.Folio)
			mu.Unlock()
		})
	}
	wg.Wait()
	b, _ := json.Marshal(got)
	if err := os.WriteFile(os.Getenv(folioOutEnv), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
