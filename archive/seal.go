package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/sesver/legajo"
)

// Sealing integrates new chain entries into the log in batches (lotes).
// Entries appended by this process are offered to the sealer as they are
// committed; entries appended by other processes are found by reading each
// chain past the last entry the log holds. Any process holding the key may
// seal: a lote is a conditional create, so of several sealers exactly one
// wins each lote number, and the others catch up and seal what is left.
// Followers scan for other processes' entries only when the last lote is
// older than takeover, so a live sealer is left alone and a crashed one is
// taken over within that time.

const takeover = 5 * time.Second

// logState is what this process knows of the log.
type logState struct {
	mu     sync.Mutex // held while sealing or loading
	loaded bool
	tree   *tree
	lote   int64 // last lote applied
	heads  map[string]int64
	last   *lote // the last lote applied, without its leaves
	point  Checkpoint

	adoptOnce   sync.Once
	adoptedKeys map[string]bool

	pmu     sync.Mutex
	pending map[string]map[int64]offered // expediente → seq → entry, offered by appendEntry
	wake    chan struct{}
	// sealedLag, when set (benchmarks), gets how long each offered entry
	// waited to be sealed.
	sealedLag func(time.Duration)
}

// offered is an entry committed by this process, waiting to be sealed.
type offered struct {
	leaf string
	at   time.Time
}

// offer hands a committed entry of this process to the sealer.
func (l *logState) offer(e *legajo.Entry) {
	l.pmu.Lock()
	if l.pending == nil {
		l.pending = map[string]map[int64]offered{}
	}
	m := l.pending[e.Expediente]
	if m == nil {
		m = map[int64]offered{}
		l.pending[e.Expediente] = m
	}
	m[e.Seq] = offered{leaf: leafText(e.Key, e.Hash, e.Folio), at: time.Now()}
	wake := l.wake
	l.pmu.Unlock()
	if wake != nil {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

// sealedFolio tells whether the log, as this process holds it whole,
// sealed an entry of folio. An emission never waits for a sealing in
// progress: then it answers false, and only the folio pointers tell (see
// Archive.folioTaken).
func (l *logState) sealedFolio(folio string) bool {
	if !l.mu.TryLock() {
		return false
	}
	defer l.mu.Unlock()
	return l.tree != nil && l.tree.folios[folio] > 0
}

// sealedHead is the sequence number of the last entry of exp's chain that
// the log, as this process holds it, sealed; 0 when none, or when the log
// is not loaded or busy (an emission never waits for a sealing).
func (l *logState) sealedHead(exp string) int64 {
	if !l.mu.TryLock() {
		return 0
	}
	defer l.mu.Unlock()
	if !l.loaded {
		return 0
	}
	return l.heads[exp]
}

// HasLog tells whether st holds a log, that is, an archive already
// signed with some key.
func HasLog(ctx context.Context, st Store) (bool, error) {
	_, err := st.Stat(ctx, loteKey(1))
	if errors.Is(err, legajo.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Checkpoint returns the newest checkpoint of the log, for an auditor to
// keep; ErrNotFound when nothing is sealed yet.
func (a *Archive) Checkpoint(ctx context.Context) (Checkpoint, error) {
	l := &a.log
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := a.loadLog(ctx, false); err != nil {
		return Checkpoint{}, err
	}
	if l.last == nil {
		return Checkpoint{}, legajo.Errorf(legajo.ErrNotFound, "El registro sellado aún está vacío.")
	}
	if a.verifier == nil {
		return parseCheckpointText(l.last.Checkpoint)
	}
	return a.verifier.OpenCheckpoint([]byte(l.last.Checkpoint))
}

// adopted tells whether the unsigned entry under key was adopted by the
// first lote (an archive older than its key).
func (a *Archive) adopted(ctx context.Context, key string) bool {
	a.log.adoptOnce.Do(func() {
		a.log.adoptedKeys = map[string]bool{}
		lt, _, err := readLote(ctx, a.st, 1)
		if err != nil {
			return
		}
		for _, leaf := range lt.Leaves {
			a.log.adoptedKeys[leafEntry(leaf)] = true
		}
	})
	return a.log.adoptedKeys[key]
}

// UseKey makes the archive sign every entry it appends and every
// checkpoint it seals with s, and check what it reads with s's verifier.
func (a *Archive) UseKey(s *Signer) {
	a.signer = s
	a.verifier = &s.Verifier
}

// SetClock sets where the archive reads the time it signs checkpoints
// with (time.Now by default): the command line's tests fix it.
func (a *Archive) SetClock(now func() time.Time) { a.clock = now }

func (a *Archive) now() time.Time {
	if a.clock != nil {
		return a.clock()
	}
	return time.Now()
}

// Trust makes the archive check entries and checkpoints against v, without
// being able to sign (an auditor's copy).
func (a *Archive) Trust(v *Verifier) { a.verifier = v }

// Verifier returns the key the archive checks signatures with, or nil.
func (a *Archive) Verifier() *Verifier { return a.verifier }

// UseWitness makes the archive also write every checkpoint it seals to w
// (another bucket or folder, kept apart from the archive), and verify
// against the newest checkpoint found there.
func (a *Archive) UseWitness(w Store) { a.witness = w }

// sealerName identifies this process in the lotes it writes.
var sealerName = func() string {
	h, _ := os.Hostname()
	return h + "-" + strconv.Itoa(os.Getpid())
}()

// loadLog makes the log state current: from the last lote's frontier
// (light), or from every lote (whole, needed to prove inclusion).
func (a *Archive) loadLog(ctx context.Context, whole bool) error {
	l := &a.log
	if l.loaded && (l.tree.whole || !whole) {
		return a.catchUp(ctx)
	}
	l.tree, l.lote, l.heads, l.last, l.point = newTree(whole), 0, map[string]int64{}, nil, Checkpoint{}
	if !whole {
		n, err := lastLote(ctx, a.st)
		if err != nil {
			return err
		}
		if n > 0 {
			lt, _, err := readLote(ctx, a.st, n)
			if err != nil {
				return err
			}
			if err := l.tree.restart(lt.Start+int64(len(lt.Leaves)), lt.Frontier); err != nil {
				return err
			}
			if err := a.applied(lt); err != nil {
				return err
			}
		}
	}
	l.loaded = true
	return a.catchUp(ctx)
}

// catchUp applies the lotes written since the last one applied. On a
// first load they are read a few at a time (a server starting on a large
// archive reads thousands), then applied in order.
func (a *Archive) catchUp(ctx context.Context) error {
	l := &a.log
	var last int64
	if l.lote == 0 {
		// A first load: the lotes are probed for, not read one by one.
		var err error
		if last, err = lastLote(ctx, a.st); err != nil {
			return err
		}
	}
	if last > l.lote {
		lotes, err := readLotes(ctx, a.st, l.lote+1, last)
		if err != nil {
			return err
		}
		for _, lt := range lotes {
			if err := a.apply(lt); err != nil {
				return err
			}
		}
	}
	for {
		lt, _, err := readLote(ctx, a.st, l.lote+1)
		if errors.Is(err, legajo.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := a.apply(lt); err != nil {
			return err
		}
	}
}

// apply adds lote lt, the next one, to the tree.
func (a *Archive) apply(lt *lote) error {
	l := &a.log
	if lt.Seq != l.lote+1 || lt.Start != l.tree.size {
		return fmt.Errorf("archive: log: lote %d starts at leaf %d, the log has %d; run legajo verify", l.lote+1, lt.Start, l.tree.size)
	}
	for _, leaf := range lt.Leaves {
		if err := l.tree.add(leaf); err != nil {
			return err
		}
	}
	if err := l.tree.prune(); err != nil {
		return err
	}
	return a.applied(lt)
}

// readLotes reads lotes from to last, eight at a time, in order.
func readLotes(ctx context.Context, st Store, from, last int64) ([]*lote, error) {
	out := make([]*lote, last-from+1)
	errs := make([]error, 8)
	var next atomic.Int64
	next.Store(from)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for {
				n := next.Add(1) - 1
				if n > last || ctx.Err() != nil {
					return
				}
				lt, _, err := readLote(ctx, st, n)
				if err != nil {
					errs[w] = err
					return
				}
				out[n-from] = lt
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, ctx.Err()
}

// applied records lt as the last lote, checking its checkpoint against the
// tree when the archive has a verifier.
func (a *Archive) applied(lt *lote) error {
	l := &a.log
	if a.verifier != nil {
		c, err := a.verifier.OpenCheckpoint([]byte(lt.Checkpoint))
		if err != nil {
			return fmt.Errorf("archive: log: lote %d: %w", lt.Seq, err)
		}
		root, err := l.tree.root()
		if err != nil {
			return err
		}
		if c.Size != l.tree.size || c.Root != root {
			return fmt.Errorf("archive: log: lote %d: its checkpoint does not match its leaves; run legajo verify", lt.Seq)
		}
		l.point = c
	}
	l.lote, l.heads = lt.Seq, lt.Heads
	if l.heads == nil {
		l.heads = map[string]int64{}
	}
	meta := *lt
	meta.Leaves = nil
	l.last = &meta
	return nil
}

// Seal integrates the entries not yet in the log into a new lote and
// returns how many it sealed. With scan, it also reads every chain for
// entries appended by other processes (otherwise only this process's own
// are sealed). Without a signing key it does nothing.
func (a *Archive) Seal(ctx context.Context, scan bool) (int, error) {
	if a.signer == nil {
		return 0, nil
	}
	l := &a.log
	if !scan {
		l.pmu.Lock()
		none := len(l.pending) == 0
		l.pmu.Unlock()
		if none {
			return 0, nil
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if err := a.loadLog(ctx, false); err != nil {
			return 0, err
		}
		leaves, heads, err := a.unsealed(ctx, scan)
		if err != nil || len(leaves) == 0 {
			return 0, err
		}
		witnessErr, err := a.writeLote(ctx, leaves, heads)
		if err == nil {
			a.dropPending(heads)
			return len(leaves), witnessErr
		}
		if !errors.Is(err, legajo.ErrConflict) {
			return 0, err
		}
		if attempt == 5 {
			// Other sealers kept taking the next number (several nodes
			// sealing their own entries at once). Nothing is lost: the
			// entries stay offered, and the next round seals them.
			return 0, nil
		}
		// Another sealer took the number: catch up and try again.
	}
}

// unsealed returns, in chain order, the leaves of the entries past each
// chain's last sealed entry, and the heads after them.
func (a *Archive) unsealed(ctx context.Context, scan bool) ([]string, map[string]int64, error) {
	l := &a.log
	heads := map[string]int64{}
	for k, v := range l.heads {
		heads[k] = v
	}
	l.pmu.Lock()
	pending := map[string]map[int64]offered{}
	for exp, m := range l.pending {
		pending[exp] = m
	}
	l.pmu.Unlock()
	exps := map[string]bool{}
	for exp := range pending {
		exps[exp] = true
	}
	if scan {
		for _, e := range a.Expedientes() {
			exps[e.ID] = true
		}
		for exp := range l.heads {
			exps[exp] = true
		}
	}
	ids := make([]string, 0, len(exps))
	for exp := range exps {
		ids = append(ids, exp)
	}
	sort.Strings(ids)
	// Each chain is read on its own, several at once: a scan probes every
	// expediente's chain for entries of other processes, and the lock it
	// holds meanwhile keeps document pages waiting (see Inclusions). In
	// chain order once read.
	found := make([][]string, len(ids))
	last := make([]int64, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, exp := range ids {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			found[i], last[i], errs[i] = a.unsealedOf(ctx, exp, heads[exp], pending[exp], scan)
		})
	}
	wg.Wait()
	var leaves []string
	for i, exp := range ids {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		leaves = append(leaves, found[i]...)
		heads[exp] = last[i]
	}
	return leaves, heads, nil
}

// unsealedOf returns the leaves of the entries of exp's chain after head,
// from this process's offered entries and, with scan, from storage; and
// the new head.
func (a *Archive) unsealedOf(ctx context.Context, exp string, head int64, pending map[int64]offered, scan bool) ([]string, int64, error) {
	l := &a.log
	var leaves []string
	for seq := head + 1; ; seq++ {
		l.pmu.Lock()
		o, ok := pending[seq]
		l.pmu.Unlock()
		leaf := o.leaf
		if !ok {
			if !scan {
				break
			}
			b, err := a.st.Get(ctx, chainKey(exp, seq))
			if errors.Is(err, legajo.ErrNotFound) {
				break
			}
			if err != nil {
				return nil, 0, err
			}
			if a.verifier != nil && checkEntrySignature(a.verifier, b) != "" {
				// Not Legajo's: never sealed; verify names it. Except
				// the unsigned entries of an archive older than its key,
				// which the first lote adopts.
				if _, signed := entryText(b); signed || l.lote > 0 {
					break
				}
			}
			e, err := decodeEntry(b)
			if err != nil {
				break
			}
			leaf = leafText(chainKey(exp, seq), sum(b), e.Folio)
		}
		leaves = append(leaves, leaf)
		head = seq
	}
	return leaves, head, nil
}

// dropPending forgets offered entries now in the log.
func (a *Archive) dropPending(heads map[string]int64) {
	l := &a.log
	l.pmu.Lock()
	defer l.pmu.Unlock()
	now := time.Now()
	for exp, m := range l.pending {
		for seq, o := range m {
			if seq <= heads[exp] {
				if l.sealedLag != nil {
					l.sealedLag(now.Sub(o.at))
				}
				delete(m, seq)
			}
		}
		if len(m) == 0 {
			delete(l.pending, exp)
		}
	}
}

// writeLote extends the tree with leaves, signs its checkpoint and creates
// the next lote. On any failure the tree is as it was. A checkpoint the
// witness did not take is witnessErr: the lote stands, and the witness
// gets the next checkpoint.
func (a *Archive) writeLote(ctx context.Context, leaves []string, heads map[string]int64) (witnessErr, err error) {
	l := &a.log
	t := l.tree
	mark := t.mark()
	fail := func(err error) (error, error) { t.reset(mark); return nil, err }
	start := t.size
	for _, leaf := range leaves {
		if err := t.add(leaf); err != nil {
			return fail(err)
		}
	}
	root, err := t.root()
	if err != nil {
		return fail(err)
	}
	frontier, err := t.frontierHashes()
	if err != nil {
		return fail(err)
	}
	now := a.now().UTC().Truncate(time.Second)
	note, err := a.signer.sign(checkpointText(a.signer.Name(), t.size, root, now))
	if err != nil {
		return fail(err)
	}
	lt := &lote{Seq: l.lote + 1, Start: start, Leaves: leaves, Heads: heads, Frontier: frontier,
		Checkpoint: string(note), Sealer: sealerName, At: now}
	b, err := json.MarshalIndent(lt, "", " ")
	if err != nil {
		return fail(err)
	}
	if err := a.st.Create(ctx, loteKey(lt.Seq), b, a.longestOptions(now, "application/json")); err != nil {
		return fail(err)
	}
	if err := t.prune(); err != nil {
		return nil, err
	}
	if err := a.applied(lt); err != nil {
		return nil, err
	}
	if a.witness != nil {
		if err := a.witness.Create(ctx, witnessKey(t.size), note, CreateOptions{ContentType: "text/plain"}); err != nil && !errors.Is(err, legajo.ErrConflict) {
			return fmt.Errorf("archive: witness: %w", err), nil
		}
	}
	return nil, nil
}

// Witness keys: puntos/<size, 12 digits>, one signed checkpoint each.
const witnessRoot = "puntos/"

func witnessKey(size int64) string { return fmt.Sprintf("%s%0*d", witnessRoot, loteDigits, size) }

// treeMark is a tree's state, to go back to.
type treeMark struct {
	size, base int64
	nhashes    int
	frontier   map[int64]tlog.Hash
}

func (t *tree) mark() treeMark {
	f := make(map[int64]tlog.Hash, len(t.frontier))
	for k, v := range t.frontier {
		f[k] = v
	}
	return treeMark{size: t.size, base: t.base, nhashes: len(t.hashes), frontier: f}
}

func (t *tree) reset(m treeMark) {
	if t.whole {
		for _, leaf := range t.leaves[m.size:] {
			delete(t.index, leafEntry(leaf))
			if f := leafFolio(leaf); f != "" {
				t.folios[f]--
			}
		}
		t.leaves = t.leaves[:m.size]
	}
	t.size, t.base, t.hashes, t.frontier = m.size, m.base, t.hashes[:m.nhashes], m.frontier
}

func leafEntry(leaf string) string {
	for i := 0; i < len(leaf); i++ {
		if leaf[i] == ' ' {
			return leaf[:i]
		}
	}
	return leaf
}

// RunSealer seals this process's entries as they are committed (within
// about a tenth of a second, in batches) and, when the last lote is older
// than takeover, other processes' entries too, until ctx ends. It loads
// the whole log first, so that Inclusion can prove any entry. report gets
// every failure; sealing goes on.
func (a *Archive) RunSealer(ctx context.Context, report func(error)) {
	if a.signer == nil {
		return
	}
	wake := make(chan struct{}, 1)
	a.log.pmu.Lock()
	a.log.wake = wake
	a.log.pmu.Unlock()
	a.log.mu.Lock()
	err := a.loadLog(ctx, true)
	a.log.mu.Unlock()
	if err != nil {
		report(err)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		scan := false
		select {
		case <-ctx.Done():
			return
		case <-wake:
			// Let the entries committed at the same moment join the lote.
			select {
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return
			}
		case <-tick.C:
			scan = a.sealerIdle()
		}
		if _, err := a.Seal(ctx, scan); err != nil && ctx.Err() == nil {
			report(err)
		}
	}
}

// sealerIdle tells whether the last lote is this process's or older than
// takeover: then this process also seals what others appended.
func (a *Archive) sealerIdle() bool {
	a.log.mu.Lock()
	defer a.log.mu.Unlock()
	last := a.log.last
	return last == nil || last.Sealer == sealerName || time.Since(last.At) > takeover
}

// CheckKey makes sure the archive's signing key is the one that signed its
// log: the first lote's checkpoint must verify with it.
func (a *Archive) CheckKey(ctx context.Context) error {
	lt, _, err := readLote(ctx, a.st, 1)
	if errors.Is(err, legajo.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := a.verifier.OpenCheckpoint([]byte(lt.Checkpoint)); err != nil {
		_, sigs := legajo.CheckpointLines(lt.Checkpoint)
		by := "otra clave"
		if len(sigs) > 0 {
			if f := strings.Fields(sigs[0]); len(f) >= 2 {
				by = "la clave «" + f[1] + "»"
			}
		}
		return legajo.Errorf(legajo.ErrInvalid, "El archivo está firmado con %s, no con la clave configurada (%s): use la clave de firma de la institución.", by, a.verifier.VerifierKey())
	}
	return nil
}
