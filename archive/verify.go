package archive

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/sesver/legajo"
)

// InFlight is how long verify leaves alone what may belong to work still
// running when it started: objects of a filing whose entry is not yet
// appended, entries the sealer has not yet put in the log, folios claimed
// by an emission not yet committed.
const InFlight = 10 * time.Minute

// Verify walks the chain of exp from its first entry: each entry must sit at
// its sequence number, carry the hash of the one before it and, when the
// archive has the institution's verifier key, its signature; every object it
// vouches for must exist with the recorded SHA-256 and size. Then every
// object under the expediente must be vouched for by some entry, except
// those written so recently that their filing may still be running. It
// needs nothing but the Store: not the index, not the application's memory.
func (a *Archive) Verify(ctx context.Context, exp string) (legajo.Verification, error) {
	if _, err := a.Expediente(exp); err != nil {
		return legajo.Verification{Expediente: exp}, err
	}
	return a.verifyChain(ctx, exp, time.Now(), nil)
}

// chained is what the log and folio checks need of an entry.
type chained struct {
	hash  string
	folio string
	event legajo.EventKind
	seq   int64
	at    time.Time
}

// verifyChain is Verify, as of start, reporting every entry read to seen.
func (a *Archive) verifyChain(ctx context.Context, exp string, start time.Time, seen func(key string, c chained)) (legajo.Verification, error) {
	v := legajo.Verification{Expediente: exp}
	var mu sync.Mutex
	add := func(key, problem, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		v.Findings = append(v.Findings, legajo.Finding{Expediente: exp, Key: key, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	vouched := map[string]bool{}
	// Objects are re-hashed by a few workers: reading and hashing them is
	// nearly all of verify's time.
	// So is the signature check of the entries, done by the same workers.
	type check struct {
		obj   legajo.Object
		seq   int64
		what  string
		entry string // with raw: the entry whose signature to check
		raw   []byte
	}
	checks := make(chan check, 64)
	var wg sync.WaitGroup
	var ioErr error
	for range 4 {
		wg.Go(func() {
			for c := range checks {
				if c.raw != nil {
					if problem := a.signatureProblem(ctx, c.entry, c.raw); problem != "" {
						add(c.entry, "sin firma", "Entrada %d: %s", c.seq, problem)
					}
					continue
				}
				b, err := a.st.Get(ctx, c.obj.Key)
				switch {
				case errors.Is(err, legajo.ErrNotFound):
					add(c.obj.Key, "faltante", "Falta el objeto registrado en la entrada %d (%s).", c.seq, c.what)
				case err != nil:
					mu.Lock()
					ioErr = errors.Join(ioErr, err)
					mu.Unlock()
				case int64(len(b)) != c.obj.Size || sum(b) != c.obj.SHA256:
					add(c.obj.Key, "modificado", "El contenido no coincide con el registrado en la entrada %d (SHA-256 %s…, tamaño %d; se esperaba %.12s…, %d).",
						c.seq, sum(b)[:12], len(b), c.obj.SHA256, c.obj.Size)
				}
			}
		})
	}
	prev, want := "", int64(1)
	err := a.st.List(ctx, chainPrefix(exp), "", func(o ObjectInfo) error {
		seq, ok := seqOf(exp, o.Key)
		if !ok {
			add(o.Key, "extra", "Objeto ajeno dentro de la cadena del expediente.")
			return nil
		}
		for ; want < seq; want++ {
			add(chainKey(exp, want), "faltante", "Falta la entrada %d de la cadena.", want)
			prev = "" // the link is broken; the next entry cannot match
		}
		want = seq + 1
		raw, err := a.st.Get(ctx, o.Key)
		if err != nil {
			if errors.Is(err, legajo.ErrNotFound) {
				return nil // listed, then gone: reported by the log check
			}
			return err
		}
		e, err := decodeEntry(raw)
		if err != nil {
			add(o.Key, "ilegible", "La entrada %d no se puede leer: %v", seq, err)
			prev = ""
			if seen != nil {
				seen(o.Key, chained{hash: sum(raw), seq: seq})
			}
			return nil
		}
		e.Key, e.Hash = o.Key, sum(raw)
		v.Entries++
		if a.verifier != nil {
			select {
			case checks <- check{seq: seq, entry: o.Key, raw: raw}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		switch {
		case e.Seq != seq || e.Expediente != exp:
			add(o.Key, "desordenado", "La entrada dice ser la %d del expediente «%s», pero está en el lugar %d de «%s».", e.Seq, e.Expediente, seq, exp)
		case seq > 1 && prev != "" && e.Prev != prev:
			add(o.Key, "desordenado", "La entrada %d no encadena con la anterior: fue modificada, reordenada o se alteró la anterior.", seq)
		case seq == 1 && e.Prev != "":
			add(o.Key, "desordenado", "La primera entrada no debería tener predecesora.")
		}
		prev = e.Hash
		v.Head = e.Hash
		if seen != nil {
			seen(o.Key, chained{hash: e.Hash, folio: e.Folio, event: e.Event, seq: seq, at: e.At})
		}
		for _, obj := range e.Objects {
			vouched[obj.Key] = true
			v.Objects++
			select {
			case checks <- check{obj: obj, seq: seq, what: strings.TrimSpace(string(e.Event) + " " + e.Folio), entry: o.Key}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	close(checks)
	wg.Wait()
	if err == nil {
		err = ioErr
	}
	if err != nil {
		return v, err
	}
	recent := start.Add(-InFlight).UTC().Format("20060102T150405.000Z")
	err = a.st.List(ctx, expRoot+exp+"/", "", func(o ObjectInfo) error {
		if vouched[o.Key] {
			return nil
		}
		if ts, ok := keyTime(o.Key); ok && ts >= recent {
			return nil // a filing that may still be running
		}
		add(o.Key, "extra", "Objeto que ninguna entrada de la cadena registra (agregado por fuera de Legajo o de una emisión interrumpida; ejecute «legajo fsck»).")
		return nil
	})
	sortFindings(v.Findings)
	return v, err
}

func sortFindings(fs []legajo.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Key != fs[j].Key {
			return fs[i].Key < fs[j].Key
		}
		return fs[i].Problem < fs[j].Problem
	})
}

// keyTime returns the time written in a filed object's key, as it sorts
// (AAAAMMDDTHHMMSS.mmmZ): how to tell an object of a filing still running
// from an addition.
func keyTime(key string) (string, bool) {
	i := strings.LastIndexByte(key, '/')
	if i < 0 || len(key) < i+21 {
		return "", false
	}
	return key[i+1 : i+21], true
}

// AuditOptions says what VerifyAll checks the archive against besides
// itself.
type AuditOptions struct {
	// Checkpoint is a checkpoint an auditor kept: the log must be a
	// consistent extension of it (same root at its size).
	Checkpoint []byte
	// Expediente limits the chains walked; the log and folio checks still
	// cover the whole archive.
	Expediente string
}

// VerifyAll checks the whole archive as of now: every chain (Verify), the
// log — every lote's checkpoint signed and matching its leaves, every leaf
// naming an entry that exists with that hash, every entry older than
// InFlight in the log —, the witness's newest checkpoint and opts'
// checkpoint extended consistently, the continuity of every folio serie,
// and the folio pointers. The results are one Verification per expediente,
// then «registro» (the log), «folios» and «documentos» (pointers).
func (a *Archive) VerifyAll(ctx context.Context, opts AuditOptions) ([]legajo.Verification, error) {
	start := time.Now()
	// The log is read first: what the chains hold is then at least what it
	// names, whatever is filed meanwhile.
	lg, err := a.readLog(ctx)
	if err != nil {
		return nil, err
	}
	entries := map[string]chained{}
	var emu sync.Mutex
	seen := func(key string, c chained) { emu.Lock(); entries[key] = c; emu.Unlock() }
	ids := map[string]bool{}
	for _, e := range a.Expedientes() {
		ids[e.ID] = true
	}
	for exp := range lg.heads {
		ids[exp] = true // a chain no longer configured is still checked
	}
	var order []string
	for id := range ids {
		if opts.Expediente == "" || opts.Expediente == id {
			order = append(order, id)
		}
	}
	sort.Strings(order)
	var out []legajo.Verification
	for _, exp := range order {
		v, err := a.verifyChain(ctx, exp, start, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if opts.Expediente != "" {
		return out, nil
	}
	out = append(out, a.checkLog(ctx, lg, entries, start, opts))
	fv, err := a.checkFolios(ctx, entries, start)
	if err != nil {
		return nil, err
	}
	out = append(out, fv)
	pv, err := a.checkPointers(ctx, entries)
	if err != nil {
		return nil, err
	}
	return append(out, pv), nil
}

// readLog is the log as stored, read whole, with what is wrong with it.
type readLog struct {
	tree     *tree
	lotes    int
	heads    map[string]int64
	last     Checkpoint
	findings []legajo.Finding
}

func (a *Archive) readLog(ctx context.Context) (*readLog, error) {
	lg := &readLog{tree: newTree(true), heads: map[string]int64{}}
	add := func(key, problem, format string, args ...any) {
		lg.findings = append(lg.findings, legajo.Finding{Expediente: "registro", Key: key, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	var keys []string
	err := a.st.List(ctx, logRoot, "", func(o ObjectInfo) error {
		if _, ok := loteSeq(o.Key); !ok {
			add(o.Key, "extra", "Objeto ajeno dentro del registro sellado.")
			return nil
		}
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	t := lg.tree
	for i, key := range keys {
		seq, _ := loteSeq(key)
		if seq != int64(i+1) {
			add(loteKey(int64(i+1)), "faltante", "Falta el lote %d del registro sellado (y con él sus hojas): fue eliminado.", i+1)
			break // the tree cannot be rebuilt past a missing lote
		}
		lt, _, err := readLote(ctx, a.st, seq)
		if err != nil {
			if errors.Is(err, legajo.ErrNotFound) {
				break
			}
			add(key, "ilegible", "El lote %d no se puede leer: %v", seq, err)
			break
		}
		if lt.Seq != seq || lt.Start != t.size {
			add(key, "desordenado", "El lote %d dice ser el %d y empezar en la hoja %d; el registro tiene %d hojas.", seq, lt.Seq, lt.Start, t.size)
			break
		}
		for _, leaf := range lt.Leaves {
			if err := t.add(leaf); err != nil {
				return nil, err
			}
		}
		root, err := t.root()
		if err != nil {
			return nil, err
		}
		if a.verifier == nil {
			add(key, "sin clave", "No se configuró la clave pública de la institución: no se pueden comprobar las firmas del registro.")
			break
		}
		c, err := a.verifier.OpenCheckpoint([]byte(lt.Checkpoint))
		switch {
		case err != nil:
			add(key, "sin firma", "Lote %d: %v", seq, err)
		case c.Size != t.size || c.Root != root:
			add(key, "modificado", "Las hojas del lote %d no dan el punto de control firmado (tamaño %d, raíz %x…): el lote fue alterado.", seq, c.Size, c.Root[:6])
		default:
			lg.last = c
		}
		lg.heads = lt.Heads
		lg.lotes++
	}
	return lg, nil
}

// checkLog checks the log against the chains.
func (a *Archive) checkLog(ctx context.Context, lg *readLog, entries map[string]chained, start time.Time, opts AuditOptions) legajo.Verification {
	v := legajo.Verification{Expediente: "registro", Findings: lg.findings, Entries: int(lg.tree.size), Objects: lg.lotes}
	add := func(key, problem, format string, args ...any) {
		v.Findings = append(v.Findings, legajo.Finding{Expediente: "registro", Key: key, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	t := lg.tree
	if lg.last.Size > 0 {
		v.Head = fmt.Sprintf("%d/%x", lg.last.Size, lg.last.Root)
	}
	sealed := map[string]bool{}
	lastSeq := map[string]int64{}
	for i, text := range t.leaves {
		leaf, err := ParseLeaf(text)
		if err != nil {
			add(loteRoot, "ilegible", "Hoja %d: %v", i, err)
			continue
		}
		sealed[leaf.Entry] = true
		exp, seq, ok := splitChainKey(leaf.Entry)
		if !ok {
			add(leaf.Entry, "ilegible", "La hoja %d no nombra una entrada de cadena.", i)
			continue
		}
		if seq != lastSeq[exp]+1 {
			add(leaf.Entry, "desordenado", "La hoja %d sella la entrada %d de «%s» después de la %d.", i, seq, exp, lastSeq[exp])
		}
		lastSeq[exp] = seq
		c, ok := entries[leaf.Entry]
		switch {
		case !ok:
			what := "un evento"
			if leaf.Folio != "" {
				what = "el documento " + leaf.Folio
			}
			add(leaf.Entry, "eliminado", "La entrada %d de «%s» (%s) está en el registro sellado (hoja %d) pero ya no existe: fue eliminada.", seq, exp, what, i)
		case c.hash != leaf.SHA256:
			add(leaf.Entry, "modificado", "La entrada no es la que se selló en la hoja %d: fue reescrita.", i)
		}
	}
	recent := start.Add(-InFlight)
	var keys []string
	for key := range entries {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if c := entries[key]; !sealed[key] && c.at.Before(recent) {
			add(key, "sin sellar", "La entrada (%s %s del %s) no está en el registro sellado: se agregó sin Legajo o se eliminó el lote que la sellaba.",
				c.event, c.folio, c.at.Format("2006-01-02 15:04"))
		}
	}
	check := func(what string, msg []byte) {
		c, err := a.verifier.OpenCheckpoint(msg)
		if err != nil {
			add(what, "sin firma", "%v", err)
			return
		}
		if c.Size > t.size {
			add(what, "retroceso", "El punto de control de %s (%d hojas, %s) es mayor que el registro actual (%d hojas): se eliminó el final del registro.",
				what, c.Size, c.At.Format("2006-01-02 15:04"), t.size)
			return
		}
		root, err := t.root()
		if err != nil {
			add(what, "ilegible", "%v", err)
			return
		}
		proof, err := tlog.ProveTree(t.size, c.Size, t)
		if err == nil {
			err = tlog.CheckTree(proof, t.size, root, c.Size, c.Root)
		}
		if err != nil {
			add(what, "bifurcación", "El registro actual no extiende el punto de control de %s (%d hojas): la historia fue reescrita.", what, c.Size)
		}
	}
	if a.verifier != nil && a.witness != nil {
		var newest string
		if err := a.witness.List(ctx, witnessRoot, "", func(o ObjectInfo) error { newest = o.Key; return nil }); err != nil {
			add("testigo", "ilegible", "No se pudo leer el testigo: %v", err)
		} else if newest != "" {
			if b, err := a.witness.Get(ctx, newest); err == nil {
				check("testigo "+newest, b)
			}
		}
	}
	if a.verifier != nil && opts.Checkpoint != nil {
		check("el auditor", opts.Checkpoint)
	}
	sortFindings(v.Findings)
	return v
}

func splitChainKey(key string) (exp string, seq int64, ok bool) {
	rest, ok := strings.CutPrefix(key, chainRoot)
	if !ok {
		return "", 0, false
	}
	i := strings.IndexByte(rest, '/')
	if i <= 0 {
		return "", 0, false
	}
	exp = rest[:i]
	seq, ok = seqOf(exp, key)
	return exp, seq, ok
}
