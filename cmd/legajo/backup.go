package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

// runBackup copies the archive to a backup store: only what the backup
// lacks, checked object by object.
func (m *Main) runBackup(ctx context.Context, args []string) error {
	fs := m.flags("backup")
	to := fs.String("to", "", "the backup: fs:<dir> or s3://<host:port>/<bucket> (default LEGAJO_BACKUP_TO); "+
		"s3 credentials from LEGAJO_BACKUP_S3_ACCESS_KEY and _SECRET_KEY, else LEGAJO_S3_*")
	opts := m.copyFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	target, s3 := *to, a.cfg.Backup.S3
	if target == "" {
		target = a.cfg.Backup.To
	} else if s3, err = backupLocation("--to", target, m.Getenv); err != nil {
		return usagef("%v", err)
	}
	if target == "" {
		return usagef("--to is required (or LEGAJO_BACKUP_TO)")
	}
	p := m.copyProgress(opts, "backup")
	run, rep, err := a.backup(ctx, target, s3, opts.CopyOptions, m.author(""))
	p.finish()
	return m.reportCopy(run, rep, err, opts.json)
}

// runRestore copies a backup into the configured archive, which must be
// empty.
func (m *Main) runRestore(ctx context.Context, args []string) error {
	fs := m.flags("restore")
	from := fs.String("from", "", "the backup: fs:<dir> or s3://<host:port>/<bucket>; "+
		"s3 credentials from LEGAJO_BACKUP_S3_ACCESS_KEY and _SECRET_KEY, else LEGAJO_S3_*")
	opts := m.copyFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usagef("--from is required")
	}
	s3, err := backupLocation("--from", *from, m.Getenv)
	if err != nil {
		return usagef("%v", err)
	}
	s3.CreateBucket = false // a backup that is not there is a mistake, not an empty one
	if dir, ok := strings.CutPrefix(*from, "fs:"); ok {
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("no se encuentra el respaldo: %w", err)
		}
	}
	restoring := *m
	restoring.restoring = true
	a, err := restoring.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.sameStore(*from); err != nil {
		return err
	}
	src, err := openStore(ctx, *from, s3)
	if err != nil {
		return err
	}
	defer src.Close()
	p := m.copyProgress(opts, "restore")
	opts.RetainUntil = a.retainUntil()
	started := time.Now()
	rep, err := archive.Restore(ctx, src, a.store, opts.CopyOptions)
	p.finish()
	run := copyRun(legajo.RestoreKind, started, *from, m.author(""), rep, err)
	if rep.ObjectsCopied > 0 {
		// The restored archive says where it came from.
		err = errors.Join(err, a.archive.RecordBackup(context.WithoutCancel(ctx), run))
	}
	if err == nil {
		fmt.Fprintf(m.Stderr, "Archivo restaurado. Ponga la clave de firma de la institución en %s (o indique LEGAJO_SIGNING_KEY_FILE), reconstruya el índice de búsqueda con «legajo reindex» y compruebe el archivo con «legajo verify».\n", a.cfg.KeyFile)
	}
	return m.reportCopy(run, rep, err, opts.json)
}

// copyFlags are the flags backup and restore share.
type copyFlags struct {
	archive.CopyOptions
	json bool
}

func (m *Main) copyFlags(fs *flag.FlagSet) *copyFlags {
	f := &copyFlags{}
	fs.IntVar(&f.Workers, "workers", 16, "objects copied at once")
	fs.BoolVar(&f.Deep, "deep", false, "list both sides whole and read and compare the objects present on both, "+
		"instead of trusting sizes and the last run's record of unchanged ranges (as slow as a first copy)")
	fs.BoolVar(&f.Full, "full", false, "list the whole archive instead of following the signed log since the last run: "+
		"also copies objects no sealed entry names (serve does it on Sundays)")
	fs.BoolVar(&f.json, "json", false, "print the outcome as one JSON value")
	return f
}

// copyProgress draws a progress bar when stderr is a terminal.
func (m *Main) copyProgress(f *copyFlags, job string) *progress {
	p := newProgress(m.Stderr, isTerminal(m.Stderr), m.Now)
	p.job, p.items, p.elementos = job, "objects", "objetos"
	if p.tty {
		f.Progress = func(c archive.CopyProgress) { p.update(c.Done, c.Listed) }
	}
	return p
}

// backup copies the archive to target and records the run in the archive,
// whatever its outcome.
func (a *app) backup(ctx context.Context, target string, s3 archive.S3Config, opts archive.CopyOptions, by string) (legajo.BackupRun, archive.CopyReport, error) {
	started := time.Now()
	rep, err := func() (archive.CopyReport, error) {
		if err := a.sameStore(target); err != nil {
			return archive.CopyReport{}, err
		}
		dst, err := openStore(ctx, target, s3)
		if err != nil {
			return archive.CopyReport{}, err
		}
		defer dst.Close()
		opts.RetainUntil = a.retainUntil()
		opts.Since = a.lastState(ctx, target)
		return archive.Backup(ctx, a.store, dst, opts)
	}()
	run := copyRun(legajo.BackupKind, started, target, by, rep, err)
	if len(rep.State.Ranges) > 0 {
		run.State, _ = json.Marshal(rep.State)
	}
	// Recorded even when interrupted: the record is the point.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	return run, rep, errors.Join(err, a.archive.RecordBackup(rctx, run))
}

// lastState is the state the latest backup to target left, to skip what
// has not changed since; nil when there is none.
func (a *app) lastState(ctx context.Context, target string) *archive.CopyState {
	runs, err := a.archive.BackupRuns(ctx, 30)
	if err != nil {
		return nil // the run lists everything: slower, as correct
	}
	for _, r := range runs {
		var st archive.CopyState
		if r.Kind == legajo.BackupKind && r.Target == target && json.Unmarshal(r.State, &st) == nil && len(st.Ranges) > 0 {
			return &st
		}
	}
	return nil
}

// sameStore refuses to copy the archive onto itself, or a directory into
// one inside it, whose copies would be listed as more objects to copy.
func (a *app) sameStore(other string) error {
	if other == a.cfg.Archive {
		return legajo.Errorf(legajo.ErrInvalid, "El respaldo no puede estar en el mismo lugar que el archivo (%s).", other)
	}
	d1, ok1 := strings.CutPrefix(a.cfg.Archive, "fs:")
	d2, ok2 := strings.CutPrefix(other, "fs:")
	if !ok1 || !ok2 {
		return nil
	}
	abs1, err1 := filepath.Abs(d1)
	abs2, err2 := filepath.Abs(d2)
	if err1 != nil || err2 != nil {
		return nil
	}
	within := func(dir, parent string) bool {
		rel, err := filepath.Rel(parent, dir)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if within(abs1, abs2) || within(abs2, abs1) {
		return legajo.Errorf(legajo.ErrInvalid, "El respaldo (%s) y el archivo (%s) no pueden estar uno dentro del otro.", abs2, abs1)
	}
	return nil
}

// retainUntil is the retention given to copies in a backup with Object
// Lock when the archive cannot tell an object's own: the longest any
// configured expediente asks for, from today.
func (a *app) retainUntil() time.Time {
	years := 0
	for _, e := range a.archive.Expedientes() {
		years = max(years, e.RetentionYears())
	}
	if years == 0 {
		return time.Time{}
	}
	return time.Now().AddDate(years, 0, 0)
}

func copyRun(kind string, started time.Time, target, by string, rep archive.CopyReport, err error) legajo.BackupRun {
	run := legajo.BackupRun{Kind: kind, Started: started.UTC(), Target: target, ObjectsCopied: rep.ObjectsCopied,
		ObjectsSkipped: rep.ObjectsSkipped, Bytes: rep.Bytes, Conflicts: rep.Conflicts, Seconds: rep.Seconds, By: by}
	if run.Seconds == 0 {
		run.Seconds = time.Since(started).Seconds()
	}
	if err != nil {
		run.Error = err.Error()
	}
	return run
}

// reportCopy prints a backup's or restore's outcome: one JSON value with
// --json, a summary otherwise. Conflicts make the command fail after it.
func (m *Main) reportCopy(run legajo.BackupRun, rep archive.CopyReport, err error, asJSON bool) error {
	if rep.ConflictList == nil {
		rep.ConflictList = []archive.Conflict{}
	}
	if rep.FailedList == nil {
		rep.FailedList = []string{}
	}
	if asJSON {
		out := struct {
			Kind   string `json:"kind"`
			Target string `json:"target"`
			archive.CopyReport
			Error string `json:"error,omitempty"`
		}{run.Kind, run.Target, rep, run.Error}
		if perr := m.printJSON(out); perr != nil {
			return perr
		}
	} else if run.Error == "" || rep.ObjectsSource > 0 {
		what := "Respaldo en"
		if run.Kind == legajo.RestoreKind {
			what = "Restauración desde"
		}
		fmt.Fprintf(m.Stdout, "%s %s: %d objetos copiados (%s), %d ya presentes, %d conflictos, en %.1f s.\n",
			what, run.Target, rep.ObjectsCopied, megabytes(rep.Bytes), rep.ObjectsSkipped, rep.Conflicts, rep.Seconds)
		for _, c := range rep.ConflictList {
			fmt.Fprintf(m.Stdout, "  CONFLICTO  %s: %d bytes en el archivo, %d en el respaldo; no se sobrescribió\n", c.Key, c.SourceSize, c.TargetSize)
		}
		for _, f := range rep.FailedList {
			fmt.Fprintf(m.Stdout, "  FALLA      %s\n", f)
		}
	}
	if err != nil {
		return err
	}
	if rep.Conflicts > 0 {
		return fmt.Errorf("%s entre el archivo y el respaldo: uno de los dos fue alterado; revise con «legajo verify»",
			legajo.Plural(rep.Conflicts, "objeto difiere", "objetos difieren"))
	}
	return nil
}

// dailyBackups runs the configured backup every day at its time, in the
// configured zone, until ctx ends. Several servers sharing one archive may
// all run it: copies are conditional creates, so they only skip each
// other's work, and each run is recorded.
func (m *Main) dailyBackups(ctx context.Context, a *app, log *slog.Logger, sleep func(context.Context, time.Duration) bool) {
	for {
		next := nextBackup(m.Now().In(a.cfg.Zone), a.cfg.Backup.At)
		log.Info("backup scheduled", "at", next.Format(time.RFC3339), "to", a.cfg.Backup.To)
		if !sleep(ctx, next.Sub(m.Now())) {
			return
		}
		// On Sundays the whole archive is listed (see CopyOptions.Full).
		full := next.Weekday() == time.Sunday
		run, rep, err := a.backup(ctx, a.cfg.Backup.To, a.cfg.Backup.S3, archive.CopyOptions{Full: full}, "serve")
		attrs := []any{"to", run.Target, "copied", rep.ObjectsCopied, "skipped", rep.ObjectsSkipped,
			"bytes", rep.Bytes, "conflicts", rep.Conflicts, "seconds", rep.Seconds}
		switch {
		case err != nil:
			log.Error("backup failed", append(attrs, "err", err)...)
		case rep.Conflicts > 0:
			log.Warn("backup found conflicts", append(attrs, "first", rep.ConflictList[0].Key)...)
		default:
			log.Info("backup done", attrs...)
		}
	}
}

// sleep waits for d, or until ctx ends: then it returns false.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// nextBackup is the first time at ("HH:MM", checked by the configuration)
// after now, on now's clock: today's, or tomorrow's.
func nextBackup(now time.Time, at string) time.Time {
	hm, _ := time.Parse("15:04", at)
	t := time.Date(now.Year(), now.Month(), now.Day(), hm.Hour(), hm.Minute(), 0, 0, now.Location())
	if !t.After(now) {
		t = time.Date(now.Year(), now.Month(), now.Day()+1, hm.Hour(), hm.Minute(), 0, 0, now.Location())
	}
	return t
}

// backupPlan says when and where the daily backup runs, for the
// administration page; "" when there is none.
func (a *app) backupPlan() string {
	if a.cfg.Backup.To == "" {
		return ""
	}
	zone := a.cfg.Zone.String()
	if zone == "America/Mexico_City" {
		zone = "la Ciudad de México"
	}
	return fmt.Sprintf("todos los días a las %s (hora de %s) en %s", a.cfg.Backup.At, zone, a.cfg.Backup.To)
}

func megabytes(n int64) string {
	if n < 1e6 {
		return fmt.Sprintf("%d kB", (n+999)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
