package archive

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/sesver/legajo"
)

// Inclusion proves that the chain entry under key is in the log, against
// the newest checkpoint, and checks the proof from storage (see
// Inclusions). An entry not yet sealed is an error matching
// legajo.ErrNotFound.
func (a *Archive) Inclusion(ctx context.Context, key string) (legajo.Inclusion, error) {
	incs, err := a.Inclusions(ctx, []string{key})
	if err != nil {
		return legajo.Inclusion{}, err
	}
	if incs == nil {
		return legajo.Inclusion{}, legajo.Errorf(legajo.ErrNotFound, "El archivo no tiene registro sellado: no se configuró la clave de la institución.")
	}
	if incs[0].Index < 0 {
		return incs[0], legajo.Errorf(legajo.ErrNotFound, "La entrada %s aún no está en el registro sellado.", key)
	}
	return incs[0], nil
}

// LoadProofs reads the whole log now, so that the first inclusion proof
// asked for does not: serve calls it before it listens, since at 100,000
// documents reading every lote takes a second, with the log held.
func (a *Archive) LoadProofs(ctx context.Context) error {
	if a.verifier == nil {
		return nil
	}
	l := &a.log
	l.mu.Lock()
	defer l.mu.Unlock()
	return a.loadLog(ctx, true)
}

// Inclusions proves that the chain entries under keys are in the log, all
// against the newest checkpoint, and checks each proof from storage: the
// entry's stored bytes must give its leaf, the path must lead to the
// checkpoint's root, and the checkpoint must carry the institution's
// signature. An entry not sealed yet has Index -1. Without a key to check
// with, the archive keeps no signed log: nil, nil.
func (a *Archive) Inclusions(ctx context.Context, keys []string) ([]legajo.Inclusion, error) {
	if a.verifier == nil {
		return nil, nil // no signed log to prove anything with
	}
	l := &a.log
	l.mu.Lock()
	// The log is read from storage the first time, and again only when it
	// lacks one of the entries (another process may have sealed it): a
	// document page does not wait, under the log's lock, for a read that
	// finds no new lote, nor for the sealing that holds that lock meanwhile.
	if !l.loaded || !l.tree.whole || !l.tree.holds(keys) {
		if err := a.loadLog(ctx, true); err != nil {
			l.mu.Unlock()
			return nil, err
		}
	}
	t := l.tree
	out := make([]legajo.Inclusion, len(keys))
	for i, key := range keys {
		n, ok := t.index[key]
		if !ok {
			out[i] = legajo.Inclusion{Entry: key, Index: -1, Problem: "La entrada aún no está en el registro sellado."}
			continue
		}
		inc := legajo.Inclusion{Entry: key, Leaf: t.leaves[n], Index: n, Size: t.size, SignedAt: l.point.At, Checkpoint: l.last.Checkpoint}
		proof, err := tlog.ProveRecord(t.size, n, t)
		if err != nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("archive: prove %s: %w", key, err)
		}
		for _, h := range proof {
			inc.Proof = append(inc.Proof, base64.StdEncoding.EncodeToString(h[:]))
		}
		out[i] = inc
	}
	l.mu.Unlock()
	// The entries are read at once: on S3, one round trip's wait.
	var wg sync.WaitGroup
	for i := range out {
		if out[i].Index < 0 {
			continue
		}
		wg.Go(func() {
			b, err := a.st.Get(ctx, out[i].Entry)
			if err != nil {
				out[i].Problem = "La entrada sellada ya no existe en el archivo."
				return
			}
			out[i].Stored = string(b)
			out[i].Problem = a.checkInclusion(ctx, out[i], b)
			out[i].Checked = out[i].Problem == ""
		})
	}
	wg.Wait()
	return out, nil
}

// checkInclusion checks an inclusion proof from storage; it returns what
// failed, in Spanish, or "". b is the entry as stored.
func (a *Archive) checkInclusion(ctx context.Context, inc legajo.Inclusion, b []byte) string {
	if a.verifier == nil {
		return "No se configuró la clave pública de la institución."
	}
	c, err := a.verifier.OpenCheckpoint([]byte(inc.Checkpoint))
	if err != nil {
		return "La firma del punto de control no es válida."
	}
	leaf, err := ParseLeaf(inc.Leaf)
	if err != nil {
		return "La hoja del registro no se puede leer."
	}
	if sum(b) != leaf.SHA256 {
		return "La entrada guardada no es la que se selló: fue reescrita."
	}
	if p := a.signatureProblem(ctx, inc.Entry, b); p != "" {
		return p
	}
	return checkRecordProof(inc, c)
}

// checkRecordProof checks that inc's leaf is at its index in the tree of
// checkpoint c, by its proof; it returns what failed, in Spanish, or "".
func checkRecordProof(inc legajo.Inclusion, c Checkpoint) string {
	proof := make(tlog.RecordProof, len(inc.Proof))
	for i, s := range inc.Proof {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			return "La prueba de inclusión está mal formada."
		}
		copy(proof[i][:], raw)
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, inc.Index, tlog.RecordHash([]byte(inc.Leaf))); err != nil {
		return "La prueba de inclusión no lleva a la raíz del punto de control firmado."
	}
	return ""
}

// TrailSeal returns what the log says of a trail's entries: the newest
// checkpoint and every entry's inclusion proof against it; nil when the
// archive has no key to check with.
func (a *Archive) TrailSeal(ctx context.Context, keys []string) (*legajo.TrailSeal, error) {
	if a.verifier == nil {
		return nil, nil
	}
	incs, err := a.Inclusions(ctx, keys)
	if err != nil {
		return nil, err
	}
	seal := &legajo.TrailSeal{Key: a.verifier.VerifierKey(), Proofs: incs}
	for _, inc := range incs {
		if inc.Index >= 0 {
			seal.Checkpoint, seal.Size, seal.SignedAt = inc.Checkpoint, inc.Size, inc.SignedAt
			return seal, nil
		}
	}
	if c, err := a.Checkpoint(ctx); err == nil {
		seal.Checkpoint, seal.Size, seal.SignedAt = c.Note, c.Size, c.At
	}
	return seal, nil
}
