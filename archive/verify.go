package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sesver/legajo"
)

// Verify walks the chain of exp from its first entry: each entry must sit at
// its sequence number and carry the hash of the one before it, and every
// object it vouches for must exist with the recorded SHA-256 and size. Then
// every object under the expediente must be vouched for by some entry. It
// needs nothing but the Store: not the index, not the application's memory.
func (a *Archive) Verify(ctx context.Context, exp string) (legajo.Verification, error) {
	v := legajo.Verification{Expediente: exp}
	if _, err := a.Expediente(exp); err != nil {
		return v, err
	}
	add := func(key, problem, format string, args ...any) {
		v.Findings = append(v.Findings, legajo.Finding{Expediente: exp, Key: key, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	vouched := map[string]bool{}
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
		e, err := a.readEntry(ctx, o.Key)
		if err != nil {
			if errors.Is(err, legajo.ErrNotFound) {
				return err
			}
			add(o.Key, "ilegible", "La entrada %d no se puede leer: %v", seq, err)
			prev = ""
			return nil
		}
		v.Entries++
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
		for _, obj := range e.Objects {
			vouched[obj.Key] = true
			v.Objects++
			b, err := a.st.Get(ctx, obj.Key)
			switch {
			case errors.Is(err, legajo.ErrNotFound):
				add(obj.Key, "faltante", "Falta el objeto registrado en la entrada %d (%s %s).", seq, e.Event, e.Folio)
			case err != nil:
				return err
			case int64(len(b)) != obj.Size || sum(b) != obj.SHA256:
				add(obj.Key, "modificado", "El contenido no coincide con el registrado en la entrada %d (SHA-256 %s…, tamaño %d; se esperaba %s…, %d).",
					seq, sum(b)[:12], len(b), obj.SHA256[:12], obj.Size)
			}
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	err = a.st.List(ctx, expRoot+exp+"/", "", func(o ObjectInfo) error {
		if !vouched[o.Key] {
			add(o.Key, "extra", "Objeto que ninguna entrada de la cadena registra (agregado por fuera de Legajo o de una emisión interrumpida; ejecute «legajo fsck»).")
		}
		return nil
	})
	return v, err
}

// pending is how to tell an object of an interrupted filing from an
// addition: its key carries the time it was written.
func keyTime(key string) (string, bool) {
	i := strings.LastIndexByte(key, '/')
	if i < 0 || len(key) < i+21 {
		return "", false
	}
	return key[i+1 : i+21], true
}
