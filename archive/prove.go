package archive

import (
	"context"
	"encoding/base64"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/sesver/legajo"
)

// Inclusion proves that the chain entry under key is in the log, against
// the newest checkpoint, and checks the proof from storage: the entry's
// stored bytes must give the leaf, the path must lead to the checkpoint's
// root, and the checkpoint must carry the institution's signature. An entry
// not yet sealed is an error matching legajo.ErrNotFound.
func (a *Archive) Inclusion(ctx context.Context, key string) (legajo.Inclusion, error) {
	l := &a.log
	l.mu.Lock()
	if err := a.loadLog(ctx, true); err != nil {
		l.mu.Unlock()
		return legajo.Inclusion{}, err
	}
	t := l.tree
	n, ok := t.index[key]
	if !ok {
		l.mu.Unlock()
		return legajo.Inclusion{}, legajo.Errorf(legajo.ErrNotFound, "La entrada %s aún no está en el registro sellado.", key)
	}
	inc := legajo.Inclusion{Entry: key, Leaf: t.leaves[n], Index: n, Size: t.size, SignedAt: l.point.At}
	if l.last != nil {
		inc.Checkpoint = l.last.Checkpoint
	}
	proof, err := tlog.ProveRecord(t.size, n, t)
	l.mu.Unlock()
	if err != nil {
		return inc, fmt.Errorf("archive: prove %s: %w", key, err)
	}
	for _, h := range proof {
		inc.Proof = append(inc.Proof, base64.StdEncoding.EncodeToString(h[:]))
	}
	inc.Problem = a.checkInclusion(ctx, inc)
	inc.Checked = inc.Problem == ""
	return inc, nil
}

// checkInclusion checks an inclusion proof from storage; it returns what
// failed, in Spanish, or "".
func (a *Archive) checkInclusion(ctx context.Context, inc legajo.Inclusion) string {
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
	b, err := a.st.Get(ctx, inc.Entry)
	if err != nil {
		return "La entrada sellada ya no existe en el archivo."
	}
	if sum(b) != leaf.SHA256 {
		return "La entrada guardada no es la que se selló: fue reescrita."
	}
	if p := checkEntrySignature(a.verifier, b); p != "" {
		return p
	}
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
