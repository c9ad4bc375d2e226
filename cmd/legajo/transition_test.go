package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCancelOnce runs four `legajo cancel` of one document at once, as four
// clerks at their terminals would: one cancels it, the others exit 1 and
// say who did and when, in Mexico's time.
func TestCancelOnce(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir(), "USER": "ana"}
	code, out, errs := run(t, env, "emit", "--type", "minuta", "--data", "../../fixtures/documents/minuta.json", "--json")
	if code != 0 {
		t.Fatalf("emit: %s", errs)
	}
	var res struct{ Folio string }
	json.Unmarshal([]byte(out), &res)
	codes, stderrs := make([]int, 4), make([]string, 4)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			codes[i], _, stderrs[i] = run(t, env, "cancel", res.Folio, "--reason", "Se emitió con la fecha equivocada.", "--author", fmt.Sprint("clerk", i))
		})
	}
	wg.Wait()
	winner := -1
	for i, c := range codes {
		if c == 0 {
			if winner >= 0 {
				t.Fatalf("cancel %d and %d both succeeded", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("no cancel succeeded: %q", stderrs)
	}
	want := fmt.Sprintf("El documento %s ya fue cancelado el 26 de noviembre de 2026 a las 10:30 por clerk%d.", res.Folio, winner)
	for i, c := range codes {
		if i != winner && (c != 1 || !strings.Contains(stderrs[i], want)) {
			t.Errorf("cancel %d: exit %d, %q; want exit 1 saying %q", i, c, stderrs[i], want)
		}
	}
	code, out, _ = run(t, env, "show", res.Folio, "--json")
	var rec struct{ Events []struct{ Event string } }
	json.Unmarshal([]byte(out), &rec)
	if code != 0 || len(rec.Events) != 2 || rec.Events[1].Event != "cancelado" {
		t.Errorf("show: exit %d, events %+v; want emitido and one cancelado", code, rec.Events)
	}
}

// TestFsckDeleted deletes an issued document from the fs archive behind
// Legajo's back: fsck names it as deleted and exits 1, and annuls nothing.
func TestFsckDeleted(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "USER": "ana"}
	for range 2 {
		if code, _, errs := run(t, env, "emit", "--type", "minuta", "--data", "../../fixtures/documents/minuta.json"); code != 0 {
			t.Fatal(errs)
		}
	}
	root := filepath.Join(data, "archive")
	var gone []string
	for _, pattern := range []string{"cadenas/dti/000000000002.json", "documentos/*-0002-2026/*", "expedientes/dti/2026/11/*-0002-2026_*"} {
		m, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		gone = append(gone, m...)
	}
	if len(gone) < 4 {
		t.Fatalf("the document's files: %v", gone)
	}
	for _, p := range gone {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	// Later than the default grace.
	fsck := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] },
			Now: func() time.Time { return time.Date(2026, 11, 26, 18, 30, 0, 0, time.UTC) }}
		code := m.Run(context.Background(), append([]string{"fsck"}, args...))
		return code, out.String(), errb.String()
	}
	folio := "SESVER/DA/DTI/MI/0002/2026"
	code, out, errs := fsck()
	if code != 1 || !strings.Contains(out, "eliminado  "+folio) || !strings.Contains(errs, folio) {
		t.Errorf("fsck: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = fsck("--json")
	var rep struct{ Deleted, Annulled []string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || len(rep.Deleted) != 1 || rep.Deleted[0] != folio || len(rep.Annulled) != 0 {
		t.Errorf("fsck --json: exit %d, %+v (%v)", code, rep, err)
	}
}
