package archive

import "sync"

// dirSyncer shares directory fsyncs between concurrent creates: a create
// needs an fsync of its directory that starts after its link, and one
// fsync serves every link made before it started. Several tantos of one
// emission, and the emissions of several clerks, land in the same month's
// directory, so under load most of them ride on one fsync.
type dirSyncer struct {
	mu   sync.Mutex
	dirs map[string]*dirState
}

type dirState struct {
	cond      *sync.Cond
	requested uint64 // tickets handed out
	started   uint64 // highest ticket the running fsync covers
	completed uint64 // highest ticket a finished fsync covered
	running   bool
	err       error // of the last fsync, for the tickets it covered
	errAt     uint64
}

func newDirSyncer() *dirSyncer { return &dirSyncer{dirs: map[string]*dirState{}} }

// sync makes every entry linked into dir before the call durable.
func (d *dirSyncer) sync(dir string) error {
	d.mu.Lock()
	st := d.dirs[dir]
	if st == nil {
		st = &dirState{cond: sync.NewCond(&d.mu)}
		d.dirs[dir] = st
	}
	st.requested++
	ticket := st.requested
	for st.completed < ticket {
		if st.running {
			st.cond.Wait()
			continue
		}
		st.running = true
		st.started = st.requested
		covers := st.started
		d.mu.Unlock()
		err := syncDir(dir)
		d.mu.Lock()
		st.running = false
		st.completed = covers
		if err != nil {
			st.err, st.errAt = err, covers
		}
		st.cond.Broadcast()
	}
	var err error
	if st.err != nil && st.errAt >= ticket {
		err = st.err
	}
	if !st.running && st.completed == st.requested && st.err == nil {
		delete(d.dirs, dir) // nothing waits: keep the map small
	}
	d.mu.Unlock()
	return err
}
