package metrics

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sesver/legajo"
)

// The gauges are read when Prometheus scrapes, from what the process
// already holds or from a few cheap storage calls, rather than kept up to
// date by every code path that could move them.

// Chains is what the archive tells of its chains' ends
// (archive.Archive implements it).
type Chains interface {
	Expedientes() []legajo.Expediente
	// Behind is how many entries exp's chain holds after seq, and when
	// the first of them was filed.
	Behind(ctx context.Context, exp string, seq int64) (int64, time.Time, error)
	// SealedHeads is the last sealed entry of each chain; ErrNotFound
	// when this process does not seal (no signing key).
	SealedHeads(ctx context.Context) (map[string]int64, error)
}

// Positions is the search index's place in each chain
// (search.Index implements it).
type Positions interface {
	Positions() map[string]int64
}

// Sources are what the gauges are read from; a nil field leaves its
// gauges out.
type Sources struct {
	Chains Chains
	Index  Positions
	// Pending counts the documents waiting for their acuse: the index,
	// unwrapped, so that counting is not a user's search.
	Pending legajo.Searcher
	Cases   *legajo.Cases
	Backups legajo.BackupLog
	Now     func() time.Time // nil: time.Now
	Logger  *slog.Logger     // nil: slog.Default
	// Timeout bounds one scrape's reads; 0 is 10 s.
	Timeout time.Duration
}

// Watch registers the gauges read from src at every scrape.
func (r *Registry) Watch(src Sources) {
	if src.Now == nil {
		src.Now = time.Now
	}
	if src.Logger == nil {
		src.Logger = slog.Default()
	}
	if src.Timeout <= 0 {
		src.Timeout = 10 * time.Second
	}
	r.reg.MustRegister(&state{src: src, errs: r.collectErrors})
}

var (
	descIndexEntries = prometheus.NewDesc("legajo_index_lag_entries",
		"Chain entries filed (by any node) that this node's search index has not indexed yet.", nil, nil)
	descIndexSeconds = prometheus.NewDesc("legajo_index_lag_seconds",
		"Age of the oldest entry this node's search index has not indexed yet; 0 when caught up.", nil, nil)
	descSealEntries = prometheus.NewDesc("legajo_seal_unsealed_entries",
		"Chain entries (of every node) not yet in the signed log.", nil, nil)
	descSealSeconds = prometheus.NewDesc("legajo_seal_oldest_unsealed_age_seconds",
		"Age of the oldest chain entry not yet in the signed log; 0 when everything is sealed.", nil, nil)
	descCasesOpen = prometheus.NewDesc("legajo_cases_open",
		"Open trámites (not closed or cancelled).", nil, nil)
	descCasesOverdue = prometheus.NewDesc("legajo_cases_overdue",
		"Open trámites with a plazo passed.", nil, nil)
	descCasesDueSoon = prometheus.NewDesc("legajo_cases_due_soon",
		"Open trámites with a plazo passing within two días hábiles.", nil, nil)
	descPendingAcuse = prometheus.NewDesc("legajo_documents_pending_acuse",
		"Issued documents waiting for their acuse, as this node's index holds them.", nil, nil)
	descBackupSuccess = prometheus.NewDesc("legajo_backup_last_success_timestamp_seconds",
		"When the last backup that copied everything ended (Unix time); absent before the first.", nil, nil)
	descBackupRun = prometheus.NewDesc("legajo_backup_last_run_timestamp_seconds",
		"When the last backup run, successful or not, started (Unix time).", nil, nil)
	descBackupDuration = prometheus.NewDesc("legajo_backup_last_duration_seconds",
		"How long the last backup run took.", nil, nil)
	descBackupObjects = prometheus.NewDesc("legajo_backup_last_objects_copied",
		"Objects the last backup run copied (those already in the copy are skipped).", nil, nil)
	descBackupBytes = prometheus.NewDesc("legajo_backup_last_bytes_copied",
		"Bytes the last backup run copied.", nil, nil)
	descBackupFailures = prometheus.NewDesc("legajo_backup_failures_since_success",
		"Backup runs that failed (or found conflicts) since the last successful one, among the last 30 recorded.", nil, nil)
)

// state is the scrape-time collector.
type state struct {
	src  Sources
	errs *prometheus.CounterVec
}

func (s *state) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descIndexEntries, descIndexSeconds, descSealEntries, descSealSeconds,
		descCasesOpen, descCasesOverdue, descCasesDueSoon, descPendingAcuse, descBackupSuccess, descBackupRun,
		descBackupDuration, descBackupObjects, descBackupBytes, descBackupFailures} {
		ch <- d
	}
}

func (s *state) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), s.src.Timeout)
	defer cancel()
	now := s.src.Now()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	fail := func(source string, err error) {
		s.errs.WithLabelValues(source).Inc()
		s.src.Logger.Warn("metrics: reading a gauge", "source", source, "err", err)
	}
	if s.src.Chains != nil && s.src.Index != nil {
		if n, age, err := s.behind(ctx, s.src.Index.Positions(), now); err != nil {
			fail("index", err)
		} else {
			gauge(descIndexEntries, float64(n))
			gauge(descIndexSeconds, age.Seconds())
		}
	}
	if s.src.Chains != nil {
		heads, err := s.src.Chains.SealedHeads(ctx)
		switch {
		case errors.Is(err, legajo.ErrNotFound):
			// This process does not seal: another node's gauges say.
		case err != nil:
			fail("seal", err)
		default:
			if n, age, err := s.behind(ctx, heads, now); err != nil {
				fail("seal", err)
			} else {
				gauge(descSealEntries, float64(n))
				gauge(descSealSeconds, age.Seconds())
			}
		}
	}
	if cs := s.src.Cases; cs != nil {
		q := cs.Bandeja(legajo.CaseFilter{}, now)
		gauge(descCasesOpen, float64(q.Total()))
		gauge(descCasesOverdue, float64(len(q.Overdue)))
		gauge(descCasesDueSoon, float64(len(q.DueSoon)))
	}
	if p := s.src.Pending; p != nil {
		res, err := p.Search(ctx, legajo.SearchQuery{Statuses: []string{string(legajo.StatusPendiente)}, PerPage: 1})
		if err != nil {
			fail("acuses", err)
		} else {
			gauge(descPendingAcuse, float64(res.Total))
		}
	}
	if b := s.src.Backups; b != nil {
		if err := s.backups(ctx, b, gauge); err != nil {
			fail("backups", err)
		}
	}
}

// behind adds up what every chain holds past pos, and the age of the
// oldest such entry.
func (s *state) behind(ctx context.Context, pos map[string]int64, now time.Time) (int64, time.Duration, error) {
	var total int64
	var oldest time.Time
	for _, e := range s.src.Chains.Expedientes() {
		n, first, err := s.src.Chains.Behind(ctx, e.ID, pos[e.ID])
		if err != nil {
			return 0, 0, err
		}
		total += n
		if n > 0 && (oldest.IsZero() || first.Before(oldest)) {
			oldest = first
		}
	}
	if oldest.IsZero() {
		return total, 0, nil
	}
	return total, max(now.Sub(oldest), 0), nil
}

// backups reads the record of backup runs (restores are left out).
func (s *state) backups(ctx context.Context, log legajo.BackupLog, gauge func(*prometheus.Desc, float64)) error {
	runs, err := log.BackupRuns(ctx, 30)
	if err != nil {
		return err
	}
	failures, lastSeen := 0, false
	for _, run := range runs { // newest first
		if run.Kind != legajo.BackupKind {
			continue
		}
		if !lastSeen {
			lastSeen = true
			gauge(descBackupRun, float64(run.Started.Unix()))
			gauge(descBackupDuration, run.Seconds)
			gauge(descBackupObjects, float64(run.ObjectsCopied))
			gauge(descBackupBytes, float64(run.Bytes))
		}
		if run.OK() {
			gauge(descBackupSuccess, float64(run.Started.Unix())+run.Seconds)
			break
		}
		failures++
	}
	if lastSeen {
		gauge(descBackupFailures, float64(failures))
	}
	return nil
}
