package legajo

import (
	"context"
	"encoding/json"
	"time"
)

// BackupRun is one run of a backup (the archive copied to another store) or
// of a restore (a backup copied into an empty archive), as recorded in the
// archive: the manual's «Respaldo» procedure leaves its own trail.
type BackupRun struct {
	Kind    string    `json:"kind"` // BackupKind or RestoreKind
	Started time.Time `json:"started"`
	// Target is where the archive was copied to (a backup) or from (a
	// restore): fs:<dir> or s3://<host:port>/<bucket>, never credentials.
	Target         string  `json:"target"`
	ObjectsCopied  int     `json:"objects_copied"`
	ObjectsSkipped int     `json:"objects_skipped"` // present already
	Bytes          int64   `json:"bytes"`           // copied
	Conflicts      int     `json:"conflicts"`       // same key, different size: not overwritten
	Seconds        float64 `json:"seconds"`
	Error          string  `json:"error,omitempty"` // "" when the run succeeded
	By             string  `json:"by"`              // who started it: a login, or "serve" for the daily run
	// State is what the next run to the same target needs to skip what
	// has not changed (archive.CopyState).
	State json.RawMessage `json:"state,omitempty"`
}

// Kinds of BackupRun.
const (
	BackupKind  = "respaldo"
	RestoreKind = "restauracion"
)

// OK tells whether the run copied everything it had to, without conflicts.
func (r BackupRun) OK() bool { return r.Error == "" && r.Conflicts == 0 }

// Result is the run's outcome in words for a clerk.
func (r BackupRun) Result() string {
	switch {
	case r.Error != "":
		return "Error: " + r.Error
	case r.Conflicts > 0:
		return "Con conflictos"
	}
	return "Correcto"
}

// BackupLog keeps the record of backup and restore runs.
type BackupLog interface {
	// RecordBackup stores run as a new record; records are never changed.
	RecordBackup(ctx context.Context, run BackupRun) error
	// BackupRuns returns the latest records, newest first, at most limit
	// of them (limit <= 0: all).
	BackupRuns(ctx context.Context, limit int) ([]BackupRun, error)
}
