package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo/search"
)

// runReindex rebuilds the search index from the archive alone. The old
// index keeps serving (here and in any running server) until the new one is
// complete; an interrupted reindex changes nothing.
func (m *Main) runReindex(ctx context.Context, args []string) error {
	fs := m.flags("reindex")
	asJSON := fs.Bool("json", false, "print the outcome as one JSON value")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if m.Getenv("GOGC") == "" {
		// Indexing allocates a lot of short-lived memory: collecting
		// garbage four times less often saves about a tenth of the time,
		// for a few hundred MB more at 100,000 documents.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	if m.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(search.RebuildMemoryLimit))
	}
	p := newProgress(m.Stderr, isTerminal(m.Stderr), m.Now)
	log := slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := search.Rebuild(ctx, a.cfg.Index, a.office.Catalog, a.archive, p.update, log)
	p.finish()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("reconstrucción interrumpida; el índice anterior sigue en uso")
		}
		return err
	}
	secs := st.Elapsed.Seconds()
	fmt.Fprintf(m.Stderr, "Índice reconstruido: %d documentos (%d eventos) en %.1f s, %.0f documentos/s.\n",
		st.Documents, st.Events, secs, float64(st.Documents)/max(secs, 1e-3))
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(struct {
			search.Stats
			Seconds float64 `json:"seconds"`
			Index   string  `json:"index"`
		}{st, secs, a.cfg.Index})
	}
	return nil
}

// progress reports a long job: a bar redrawn in place on a terminal (done,
// total, items/s, ETA), a plain line every few seconds otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	now   func() time.Time
	start time.Time
	// What is counted: the job's name and its items, in English for the
	// plain lines of logs and in Spanish on the bar a person watches.
	job, items, elementos string

	mu         sync.Mutex
	done       int
	total      int
	drawn      bool
	lastOutput time.Time
}

func newProgress(w io.Writer, tty bool, now func() time.Time) *progress {
	if now == nil {
		now = time.Now
	}
	t := now()
	return &progress{w: w, tty: tty, now: now, start: t, job: "reindex", items: "events", elementos: "eventos"}
}

func (p *progress) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total = done, total
	t := p.now()
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	if done > 0 && done < total && t.Sub(p.lastOutput) < every {
		return
	}
	p.lastOutput = t
	p.draw(t)
}

func (p *progress) draw(t time.Time) {
	elapsed := t.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done) / elapsed
	}
	eta := "--"
	if rate > 0 && p.total >= p.done {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 0.0
	if p.total > 0 {
		pct = float64(p.done) / float64(p.total)
	}
	if !p.tty {
		fmt.Fprintf(p.w, "%s: %d/%d %s (%.0f%%), %.0f/s, ETA %s\n", p.job, p.done, p.total, p.items, pct*100, rate, eta)
		return
	}
	const width = 30
	fill := int(pct * width)
	bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
	fmt.Fprintf(p.w, "\r%s %3.0f%%  %d/%d %s  %.0f/s  faltan %s \x1b[K", bar, pct*100, p.done, p.total, p.elementos, rate, eta)
	p.drawn = true
}

// finish ends the bar's line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		p.draw(p.now())
		fmt.Fprintln(p.w)
	}
}
