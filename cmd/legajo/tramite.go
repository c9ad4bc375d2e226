package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/templates"
)

// Cases (trámites) are wired when the expediente that records their
// movements is configured: their procedures are checked at start-up (a
// broken definition stops the program, naming its file), and every process
// replays the cases from the archive and follows what others file.

// caseFollowEvery is how often a process reads the movements other
// processes filed.
const caseFollowEvery = 2 * time.Second

// openCases returns the cases of archive a, or nil when the configuration
// has no expediente for them.
func (m *Main) openCases(cat *legajo.Catalog, a *archive.Archive, closed []string, zone *time.Location) (*legajo.Cases, error) {
	procs, err := templates.LoadProcedures(cat)
	if err != nil {
		return nil, err
	}
	if _, err := a.Expediente(legajo.CaseExpediente); err != nil {
		return nil, nil // serve says so
	}
	cal, err := legajo.NewCalendar(closed)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &legajo.Cases{Log: a, Procedures: procs, Calendar: cal, Notifier: legajo.NoNotifier{}, Zone: zone, Now: m.Now}, nil
}

// followCases replays the cases now, then follows new movements until ctx
// ends.
func (a *app) followCases(ctx context.Context, logger *slog.Logger) error {
	cs := a.office.Cases
	if cs == nil {
		logger.Warn("cases are off: configure the expediente " + legajo.CaseExpediente)
		return nil
	}
	start := time.Now()
	if err := cs.Sync(ctx); err != nil {
		return fmt.Errorf("cases: replay: %w", err)
	}
	logger.Info("cases replayed", "cases", cs.Count(), "took", time.Since(start).String())
	cs.Logf = func(format string, args ...any) { logger.Error(fmt.Sprintf(format, args...)) }
	go follow(ctx, logger, "cases: follow", cs.Sync)
	return nil
}

// follow calls sync every caseFollowEvery until ctx ends: what other
// processes filed (cases, registry changes) reaches this one's memory.
func follow(ctx context.Context, logger *slog.Logger, what string, sync func(context.Context) error) {
	t := time.NewTicker(caseFollowEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := sync(ctx); err != nil && ctx.Err() == nil {
				logger.Error(what, "err", err)
			}
		}
	}
}

// caseJSON is a line of `legajo tramites --json`.
type caseJSON struct {
	Number    string            `json:"number"`
	Procedure string            `json:"procedure"`
	Status    legajo.CaseStatus `json:"status"`
	Step      string            `json:"step,omitempty"`
	Section   string            `json:"section"`
	Assignee  string            `json:"assignee,omitempty"`
	Subject   string            `json:"subject"`
	Overdue   bool              `json:"overdue"`
	Due       *legajo.Plazo     `json:"due,omitempty"`
}

func (m *Main) runCases(ctx context.Context, args []string) error {
	fs := m.flags("tramites")
	overdue := fs.Bool("vencidos", false, "only the open cases with a plazo passed (the deadline sweep)")
	all := fs.Bool("todos", false, "closed and cancelled cases too")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	cs := a.office.Cases
	if cs == nil {
		return fmt.Errorf("cases are not configured (no expediente %q)", legajo.CaseExpediente)
	}
	if err := cs.Sync(ctx); err != nil {
		return err
	}
	now := m.Now()
	var list []*legajo.Case
	if *overdue {
		for _, it := range cs.Sweep(now) {
			list = append(list, it.Case)
		}
	} else {
		list = cs.List(legajo.CaseFilter{Open: !*all})
	}
	enc := json.NewEncoder(m.Stdout)
	for _, c := range list {
		p, _ := cs.Procedures.Get(c.Procedure)
		row := caseJSON{Number: c.Number, Procedure: c.Procedure, Status: c.Status, Step: c.Step, Section: c.Section,
			Assignee: c.Assignee, Subject: c.Subject, Overdue: c.Overdue(p, cs.Cal(), now)}
		if d, ok := c.NextDue(p, cs.Cal(), now); ok {
			row.Due = &d
		}
		if *asJSON {
			if err := enc.Encode(row); err != nil {
				return err
			}
			continue
		}
		due := ""
		if row.Due != nil {
			due = row.Due.Due.In(a.cfg.Zone).Format("2006-01-02 15:04")
			if row.Overdue {
				due += " VENCIDO"
			}
		}
		fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Number, c.Procedure, c.Label(), c.Step, c.Section, due, c.Subject)
	}
	return nil
}

// digestAt is when serve sends each person the summary of their cases
// overdue and due soon, in the configured zone: the start of the working
// day.
const digestAt = "08:00"

// dailyDigests sends the cases' daily summaries until ctx ends. Several
// servers sharing one archive each try; a claim in the archive per person
// and day lets one send it (CaseMail.Digests).
func (m *Main) dailyDigests(ctx context.Context, a *app, cm legajo.CaseMail, log *slog.Logger, sleep func(context.Context, time.Duration) bool) {
	for {
		next := nextBackup(m.Now().In(a.cfg.Zone), digestAt)
		if !sleep(ctx, next.Sub(m.Now())) {
			return
		}
		n, err := cm.Digests(ctx, a.office.Cases, m.Now())
		if err != nil {
			log.Error("case digests", "people", n, "err", err)
			continue
		}
		log.Info("case digests sent", "people", n)
	}
}

// caseSweepEvery is how often serve looks for plazos that passed: the
// fallas' 24 hours are counted in hours, a minute late is on time.
const caseSweepEvery = time.Minute

// sweepCases files an aviso for every plazo that passed and tells the
// person each case is turned to, until ctx ends (Cases.Escalate: one
// message per plazo, across restarts and servers).
func (m *Main) sweepCases(ctx context.Context, cs *legajo.Cases, log *slog.Logger) {
	every := caseSweepEvery
	if m.sweepEvery > 0 {
		every = m.sweepEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := cs.Escalate(ctx, m.Now())
		if err != nil && ctx.Err() == nil {
			log.Error("cases: sweep", "avisos", n, "err", err)
		} else if n > 0 {
			log.Info("cases: avisos de vencimiento", "avisos", n)
		}
	}
}
