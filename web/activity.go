package web

import (
	"context"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// The activity log is written behind the requests it records. Each entry
// used to be its own object, synced before the handler returned: a search
// page waited for a disk sync shared with every emission in progress, and
// so did the next request on the same connection, which HTTP/1.1 reads only
// after the handler returns. Under the 20 clerks + 20 staff load that was
// most of the searches' p99. Now a handler hands its entry to one writer,
// which writes what has gathered meanwhile as one object (one sync for
// many), in order. What a crash can lose is the entries of the write in
// progress: a fraction of a second of the log, never a document (the
// archive's own records are written before any answer). Shutdown (Close)
// and every reading of the log through the server (flush) wait for the
// entries handed in before.

// activityBatch bounds one write: a burst larger than this is written in
// several objects.
const activityBatch = 512

type activityItem struct {
	act   legajo.Activity
	flush chan struct{} // set: not an entry; closed once everything before it is written
}

type activityWriter struct {
	log    legajo.ActivityLog
	logger interface {
		Error(msg string, args ...any)
	}
	in     chan activityItem
	done   chan struct{}
	mu     sync.RWMutex // held to send; closing takes it whole
	closed bool
}

func newActivityWriter(log legajo.ActivityLog, logger interface{ Error(string, ...any) }) *activityWriter {
	w := &activityWriter{log: log, logger: logger, in: make(chan activityItem, 4*activityBatch), done: make(chan struct{})}
	go w.run()
	return w
}

// add hands a to the writer. It waits only when the writer is far behind
// (the queue full), so the log is never dropped.
func (w *activityWriter) add(a legajo.Activity) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		// A request that outlived the shutdown: written at once.
		w.write([]legajo.Activity{a})
		return
	}
	w.in <- activityItem{act: a}
}

// flush waits until every entry added before it is written, or ctx ends.
func (w *activityWriter) flush(ctx context.Context) {
	ch := make(chan struct{})
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return // everything was written
	}
	select {
	case w.in <- activityItem{flush: ch}:
	case <-ctx.Done():
		w.mu.RUnlock()
		return
	}
	w.mu.RUnlock()
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// close writes what is queued and stops the writer.
func (w *activityWriter) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	<-w.done
}

func (w *activityWriter) run() {
	defer close(w.done)
	var batch []legajo.Activity
	var flushes []chan struct{}
	for it := range w.in {
		batch, flushes = batch[:0], flushes[:0]
		take := func(it activityItem) {
			if it.flush != nil {
				flushes = append(flushes, it.flush)
			} else {
				batch = append(batch, it.act)
			}
		}
		take(it)
	gather:
		for len(batch) < activityBatch {
			select {
			case it, ok := <-w.in:
				if !ok {
					break gather
				}
				take(it)
			default:
				break gather
			}
		}
		if len(batch) > 0 {
			w.write(batch)
		}
		for _, ch := range flushes {
			close(ch)
		}
	}
}

// activityRetry bounds how long a failed write is tried again.
var activityRetry = 3 * time.Second

// write stores batch, trying again for a while if the store fails; what
// cannot be stored goes to the server's log, entry by entry, so that it is
// not lost without a trace.
func (w *activityWriter) write(batch []legajo.Activity) {
	err := w.log.LogAll(context.Background(), batch)
	for wait := 100 * time.Millisecond; err != nil && wait <= activityRetry; wait *= 2 {
		time.Sleep(wait)
		err = w.log.LogAll(context.Background(), batch)
	}
	if err == nil {
		return
	}
	for _, a := range batch {
		w.logger.Error("activity log", "err", err, "at", a.At, "user", a.User, "action", a.Action, "object", a.Object, "detail", a.Detail)
	}
}
