package legajo

import (
	"strings"
	"time"
)

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
	// Stored is the chain entry as stored (a signed note whose text is the
	// entry's JSON): its SHA-256 is in Leaf.
	Stored string `json:"stored,omitempty"`
	// Checked is true when the archive checked, from storage, that the
	// entry's bytes give the leaf, the proof leads to the checkpoint's root
	// and the checkpoint's signature is the institution's. Problem says,
	// in Spanish, what failed otherwise.
	Checked bool   `json:"checked"`
	Problem string `json:"problem,omitempty"`
}

// CheckpointLines returns, from a signed checkpoint note, the root hash
// line and the signature lines, as a person compares them on paper.
func CheckpointLines(note string) (root string, signatures []string) {
	text, sigs, _ := strings.Cut(note, "\n\n")
	if lines := strings.Split(text, "\n"); len(lines) >= 3 {
		root = lines[2]
	}
	for _, l := range strings.Split(strings.TrimSpace(sigs), "\n") {
		if l != "" {
			signatures = append(signatures, l)
		}
	}
	return root, signatures
}

// SealAttachment is the name of the file a bundle PDF carries with the
// inclusion proofs of its documents (docs/REGISTRO.md describes it).
const SealAttachment = "legajo-sello.json"
