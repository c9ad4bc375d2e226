package archive

import (
	"fmt"

	"github.com/sesver/legajo"
)

// AuditedProof is the result of checking one inclusion proof carried by a
// bundle.
type AuditedProof struct {
	Entry   string `json:"entry"`
	Folio   string `json:"folio,omitempty"`
	Index   int64  `json:"index"`
	OK      bool   `json:"ok"`
	Problem string `json:"problem,omitempty"` // Spanish
}

// AuditSeal checks, with nothing but the institution's public key v, the
// seal a bundle carries: the checkpoint's signature, and for each document
// that its stored entry is signed by the institution (or older than the
// key), that the entry's bytes give its leaf, and that the leaf's proof
// leads to the checkpoint's root. It returns the checkpoint and one result
// per proof; an error when the checkpoint itself does not verify.
func AuditSeal(seal *legajo.TrailSeal, v *Verifier) (Checkpoint, []AuditedProof, error) {
	if seal.Key != "" && seal.Key != v.VerifierKey() {
		return Checkpoint{}, nil, fmt.Errorf("el legajo dice estar firmado con la clave %s, no con %s", seal.Key, v.VerifierKey())
	}
	c, err := v.OpenCheckpoint([]byte(seal.Checkpoint))
	if err != nil {
		return Checkpoint{}, nil, err
	}
	out := make([]AuditedProof, len(seal.Proofs))
	for i, p := range seal.Proofs {
		r := AuditedProof{Entry: p.Entry, Index: p.Index}
		r.Problem = auditProof(p, c, v)
		if leaf, err := ParseLeaf(p.Leaf); err == nil {
			r.Folio = leaf.Folio
		}
		r.OK = r.Problem == ""
		out[i] = r
	}
	return c, out, nil
}

func auditProof(p legajo.Inclusion, c Checkpoint, v *Verifier) string {
	if p.Index < 0 {
		return "La entrada no estaba sellada cuando se exportó el legajo."
	}
	if p.Checkpoint != c.Note || p.Size != c.Size {
		return "La prueba es de otro punto de control."
	}
	leaf, err := ParseLeaf(p.Leaf)
	if err != nil || leaf.Entry != p.Entry {
		return "La hoja del registro no corresponde a la entrada."
	}
	if sum([]byte(p.Stored)) != leaf.SHA256 {
		return "La entrada que acompaña la prueba no es la que se selló."
	}
	if _, signed := entryText([]byte(p.Stored)); signed {
		if _, err := v.open([]byte(p.Stored)); err != nil {
			return "La firma de la entrada no es de la institución."
		}
	}
	return checkRecordProof(p, c)
}
