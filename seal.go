package legajo

import "time"

// Inclusion is the proof that a chain entry is in the archive's signed log
// (see docs/REGISTRO.md): the leaf that records it, its place, the audit
// path to the root of a signed checkpoint, and that checkpoint. Anyone with
// the institution's public key can check it with the Go packages
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog alone.
type Inclusion struct {
	Entry      string    `json:"entry"`      // key of the chain entry
	Leaf       string    `json:"leaf"`       // the record hashed into the log
	Index      int64     `json:"index"`      // the leaf's place, from 0
	Size       int64     `json:"size"`       // leaves in the checkpoint
	Proof      []string  `json:"proof"`      // base64 hashes: tlog.RecordProof
	Checkpoint string    `json:"checkpoint"` // the signed note
	SignedAt   time.Time `json:"signed_at"`
	// Checked is true when the archive checked, from storage, that the
	// entry's bytes give the leaf, the proof leads to the checkpoint's root
	// and the checkpoint's signature is the institution's. Problem says,
	// in Spanish, what failed otherwise.
	Checked bool   `json:"checked"`
	Problem string `json:"problem,omitempty"`
}
