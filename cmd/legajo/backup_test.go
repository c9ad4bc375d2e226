package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
	kept := filepath.Join(dir, "punto.txt")
	if code, _, errs := run(t, src, "checkpoint", "--out", kept); code != 0 {
		t.Fatalf("checkpoint: %s", errs)
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
			if _, err := os.Stat(filepath.Join(env["LEGAJO_DATA"], "secrets", "firma.key")); err == nil {
				t.Error("restore made a signing key of its own for an archive signed with the institution's")
			}
			// Another key is refused by name; the institution's verifies.
			other := maps.Clone(env)
			other["LEGAJO_SIGNING_KEY_FILE"] = testKeyFile
			if code, _, errs := run(t, other, "verify"); code != 1 || !strings.Contains(errs, "firmado con la clave «legajo.sesver»") {
				t.Errorf("verify with another key: exit %d %s", code, errs)
			}
			env["LEGAJO_SIGNING_KEY_FILE"] = filepath.Join(src["LEGAJO_DATA"], "secrets", "firma.key")
			if code, out, errs := run(t, env, "verify", "--checkpoint", kept); code != 0 || !strings.Contains(out, "registro") {
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

func TestNextBackup(t *testing.T) {
	mx, _ := time.LoadLocation("America/Mexico_City")
	tests := []struct {
		name string
		now  time.Time
		at   string
		want time.Time
	}{
		{"later today", time.Date(2026, 11, 26, 1, 0, 0, 0, mx), "02:00", time.Date(2026, 11, 26, 2, 0, 0, 0, mx)},
		{"at the time: tomorrow", time.Date(2026, 11, 26, 2, 0, 0, 0, mx), "02:00", time.Date(2026, 11, 27, 2, 0, 0, 0, mx)},
		{"past: tomorrow", time.Date(2026, 11, 26, 16, 30, 0, 0, mx), "02:00", time.Date(2026, 11, 27, 2, 0, 0, 0, mx)},
		{"month's end", time.Date(2026, 11, 30, 23, 59, 0, 0, mx), "00:15", time.Date(2026, 12, 1, 0, 15, 0, 0, mx)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nextBackup(tt.now, tt.at); !got.Equal(tt.want) {
				t.Errorf("nextBackup(%v, %s) = %v, want %v", tt.now, tt.at, got, tt.want)
			}
		})
	}
}

// TestDailyBackup: the server's daily run copies and is recorded, as a run
// by "serve", and a bad LEGAJO_BACKUP_AT stops the start.
func TestDailyBackup(t *testing.T) {
	data, backup := t.TempDir(), t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "LEGAJO_BACKUP_TO": "fs:" + backup}
	if code, _, errs := run(t, env, "emit", "--type", "minuta", "--data", "../../fixtures/documents/minuta.json"); code != 0 {
		t.Fatal(errs)
	}
	var out bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return env[k] },
		Now: func() time.Time { return time.Date(2026, 11, 26, 16, 30, 0, 0, time.UTC) }}
	a, err := m.openApp(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.cfg.Backup.At != "02:00" || !strings.Contains(a.backupPlan(), "a las 02:00") {
		t.Errorf("default time %q, plan %q", a.cfg.Backup.At, a.backupPlan())
	}
	var waits []time.Duration
	m.dailyBackups(context.Background(), a, slog.New(slog.NewTextHandler(&out, nil)), func(_ context.Context, d time.Duration) bool {
		waits = append(waits, d)
		return len(waits) < 2
	})
	// 10:30 in Mexico; the next 02:00 is 15 h 30 min away.
	if len(waits) != 2 || waits[0] != 15*time.Hour+30*time.Minute {
		t.Errorf("waited %v", waits)
	}
	runs, err := a.archive.BackupRuns(context.Background(), 0)
	if err != nil || len(runs) != 1 || runs[0].By != "serve" || runs[0].ObjectsCopied == 0 || !runs[0].OK() || runs[0].Target != "fs:"+backup {
		t.Fatalf("records: %+v, %v\n%s", runs, err, out.String())
	}
	if code, _, errs := run(t, map[string]string{"LEGAJO_DATA": data, "LEGAJO_BACKUP_TO": "fs:" + backup, "LEGAJO_BACKUP_AT": "2am"}, "verify"); code != 1 || !strings.Contains(errs, "LEGAJO_BACKUP_AT") {
		t.Errorf("bad LEGAJO_BACKUP_AT: exit %d %s", code, errs)
	}
	s3 := map[string]string{"LEGAJO_DATA": data, "LEGAJO_BACKUP_TO": "s3://127.0.0.1:1/respaldo"}
	if code, _, errs := run(t, s3, "verify"); code != 1 || !strings.Contains(errs, "LEGAJO_BACKUP_S3_ACCESS_KEY") {
		t.Errorf("s3 backup without credentials: exit %d %s", code, errs)
	}
}

// TestBrowserBackups: the administrator sees the backups, newest first, on
// the administration page.
func TestBrowserBackups(t *testing.T) {
	ctx := browser(t)
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "LEGAJO_BACKUP_TO": "fs:" + filepath.Join(t.TempDir(), "respaldo"), "LEGAJO_BACKUP_AT": "03:30"}
	if code, _, errs := run(t, env, "emit", "--type", "minuta", "--data", "../../fixtures/documents/minuta.json"); code != 0 {
		t.Fatal(errs)
	}
	runCopy(t, env, "backup")
	runCopy(t, env, "backup")
	base, pw := startServer(t, env)
	firstLogin(t, ctx, base, pw)
	step(t, ctx, "respaldos",
		chromedp.Click(`//nav//a[text()="Administración"]`),
		chromedp.WaitVisible(`//h2[text()="Respaldos"]`),
	)
	text := value(t, ctx, "respaldos-text", chromedp.Text(chromedp.CSS("#respaldos")))
	for _, want := range []string{"Respaldo diario todos los días a las 03:30", "Último respaldo:", "Objetos copiados", "Ya presentes", "Resultado", "Correcto"} {
		if !strings.Contains(text, want) {
			t.Errorf("the section lacks %q:\n%s", want, text)
		}
	}
	rows := value(t, ctx, "rows", chromedp.Evaluate[[]string](`[...document.querySelectorAll("#respaldos tbody tr td:nth-child(4)")].map(td => td.textContent)`))
	// newest first: the second run copied only the record of the first
	if len(rows) != 2 || rows[0] != "1" || rows[1] == "1" {
		t.Errorf("objects copied per run, newest first: %v", rows)
	}
	if dir := os.Getenv("LEGAJO_SCREENSHOTS"); dir != "" {
		png := value(t, ctx, "screenshot", chromedp.FullScreenshot(90))
		os.WriteFile(filepath.Join(dir, "respaldos.jpg"), png, 0o644)
	}
}
