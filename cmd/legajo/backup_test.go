package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// copyResult is what backup and restore print with --json.
type copyResult struct {
	Kind           string
	Target         string
	ObjectsCopied  int     `json:"objects_copied"`
	ObjectsSkipped int     `json:"objects_skipped"`
	Bytes          int64   `json:"bytes"`
	Conflicts      int     `json:"conflicts"`
	Seconds        float64 `json:"seconds"`
	ObjectsSource  int     `json:"objects_source"`
}

func runCopy(t *testing.T, env map[string]string, args ...string) copyResult {
	t.Helper()
	code, out, errs := run(t, env, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s%s", args, code, out, errs)
	}
	var r copyResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v --json: %v\n%s", args, err, out)
	}
	return r
}

// searches are the queries whose results must survive a backup and a
// restore, with the document types they exercise.
var searches = [][]string{
	{"sistema"},
	{"contrasena"},
	{"", "--status", "cancelado"},
	{"", "--status", "acusado"},
	{"", "--sort", "folio", "--per-page", "50"},
}

// searchResults runs the searches on env's archive, reindexed first.
func searchResults(t *testing.T, env map[string]string) []string {
	t.Helper()
	if code, _, errs := run(t, env, "reindex"); code != 0 {
		t.Fatalf("reindex: %s", errs)
	}
	var out []string
	for _, q := range searches {
		code, res, errs := run(t, env, append([]string{"search"}, append(q, "--json")...)...)
		if code != 0 {
			t.Fatalf("search %v: %s", q, errs)
		}
		var r struct {
			Total int
			Hits  []struct{ Folio, Type, Expediente, Date, Status string }
		}
		if err := json.Unmarshal([]byte(res), &r); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	return out
}

// TestBackupRestore is the manual's «Respaldo» end to end: documents
// issued, cancelled and acknowledged through the real Main; backed up to a
// directory and to a bucket; each backup restored into a new, empty
// archive of the same kind, which verifies and finds the same documents.
func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	src := map[string]string{"LEGAJO_DATA": filepath.Join(dir, "origen"), "USER": "ana"}
	var folios []string
	for _, doc := range []struct{ typ, data string }{
		{"oficio-liberacion", "oficio-liberacion.json"},
		{"minuta", "minuta.json"},
		{"acuse-cuenta-correo", "acuse-cuenta-correo.json"},
		{"dictamen-tecnico", "dictamen-tecnico.json"},
	} {
		code, out, errs := run(t, src, "emit", "--type", doc.typ, "--data", "../../fixtures/documents/"+doc.data, "--json")
		if code != 0 {
			t.Fatalf("emit %s: %s", doc.typ, errs)
		}
		var res struct{ Folio string }
		json.Unmarshal([]byte(out), &res)
		folios = append(folios, res.Folio)
	}
	scan := filepath.Join(dir, "acuse.pdf")
	os.WriteFile(scan, []byte("%PDF-1.4\n% acuse firmado\n%%EOF\n"), 0o644)
	if code, _, errs := run(t, src, "acuse", folios[0], scan); code != 0 {
		t.Fatalf("acuse: %s", errs)
	}
	if code, _, errs := run(t, src, "cancel", folios[1], "--reason", "Se sustituye por la minuta corregida."); code != 0 {
		t.Fatalf("cancel: %s", errs)
	}
	want := searchResults(t, src)
	if !strings.Contains(want[2], folios[1]) || !strings.Contains(want[3], folios[0]) {
		t.Fatalf("the original archive does not find its own documents: %v", want)
	}

	type target struct {
		name    string
		backup  string            // --to / --from
		restore map[string]string // the new, empty archive
	}
	targets := []target{{name: "fs", backup: "fs:" + filepath.Join(dir, "respaldo"),
		restore: map[string]string{"LEGAJO_DATA": filepath.Join(dir, "restaurado-fs")}}}
	if os.Getenv("LEGAJO_TEST_S3") != "" || os.Getenv("CI") == "true" {
		s3 := s3Env(t, "legajo-respaldo")
		restore := s3Env(t, "legajo-restaurado")
		restore["LEGAJO_DATA"] = filepath.Join(dir, "restaurado-s3")
		targets = append(targets, target{name: "s3", backup: s3["LEGAJO_ARCHIVE"], restore: restore})
		src["LEGAJO_BACKUP_S3_ACCESS_KEY"] = s3["LEGAJO_S3_ACCESS_KEY"]
		src["LEGAJO_BACKUP_S3_SECRET_KEY"] = s3["LEGAJO_S3_SECRET_KEY"]
		src["LEGAJO_S3_INSECURE"] = "1"
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			first := runCopy(t, src, "backup", "--to", tg.backup)
			if first.ObjectsCopied == 0 || first.ObjectsCopied != first.ObjectsSource || first.Conflicts != 0 || first.Target != tg.backup {
				t.Fatalf("first backup: %+v", first)
			}
			// Again: nothing to copy but the record of the run before.
			again := runCopy(t, src, "backup", "--to", tg.backup)
			if again.ObjectsCopied != 1 || again.ObjectsSkipped != first.ObjectsSource {
				t.Errorf("second backup: %+v after %+v", again, first)
			}

			env := maps.Clone(tg.restore)
			env["LEGAJO_BACKUP_S3_ACCESS_KEY"], env["LEGAJO_BACKUP_S3_SECRET_KEY"] = src["LEGAJO_BACKUP_S3_ACCESS_KEY"], src["LEGAJO_BACKUP_S3_SECRET_KEY"]
			rest := runCopy(t, env, "restore", "--from", tg.backup)
			if rest.ObjectsCopied != again.ObjectsSource || rest.Conflicts != 0 {
				t.Errorf("restore: %+v", rest)
			}
			if code, out, errs := run(t, env, "verify"); code != 0 {
				t.Fatalf("verify after restore: exit %d\n%s%s", code, out, errs)
			}
			if got := searchResults(t, env); !reflect.DeepEqual(got, want) {
				t.Errorf("searches after restore:\n%v\nwant\n%v", got, want)
			}
			// A second restore finds the archive in use and refuses.
			code, _, errs := run(t, env, "restore", "--from", tg.backup)
			if code != 1 || !strings.Contains(errs, "no está vacío") {
				t.Errorf("restore into a used archive: exit %d, %s", code, errs)
			}
		})
	}

	code, out, errs := run(t, src, "backup", "--to", "fs:"+filepath.Join(src["LEGAJO_DATA"], "archive", "copia"))
	if code != 1 || !strings.Contains(errs, "uno dentro del otro") {
		t.Errorf("backup into the archive itself: exit %d %s%s", code, out, errs)
	}
	if code, _, _ := run(t, src, "backup"); code != 2 {
		t.Errorf("backup without a target: exit %d, want 2", code)
	}
}
