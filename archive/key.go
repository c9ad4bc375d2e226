package archive

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/sesver/legajo"
)

// Signer is the institution's signing key: an Ed25519 key in the Go
// signed-note format (golang.org/x/mod/sumdb/note). It signs every chain
// entry when it is written and every checkpoint of the archive's log. It
// never lives in the archive's storage: whoever can write the bucket but
// does not hold it cannot add an entry or a checkpoint that verifies.
type Signer struct {
	signer note.Signer
	Verifier
}

// Verifier checks what a Signer signed. Its text form (VerifierKey) is
// public: it is printed by `legajo key`, shown on the Verificar page and
// given to auditors.
type Verifier struct {
	verifier note.Verifier
	vkey     string
}

// GenerateKey makes a new signing key named name (the log's origin, e.g.
// "legajo.ssaver.gob.mx") and returns its private and public text forms.
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// ParseSigner reads a private key in the signed-note text form
// ("PRIVATE+KEY+<name>+<hash>+<key>").
func ParseSigner(skey string) (*Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: signing key: %v", err)
	}
	// The verifier key is derived from the private key, so that the two
	// cannot disagree.
	vkey, err := verifierKeyOf(strings.TrimSpace(skey))
	if err != nil {
		return nil, err
	}
	v, err := ParseVerifier(vkey)
	if err != nil {
		return nil, err
	}
	return &Signer{signer: s, Verifier: *v}, nil
}

// ParseVerifier reads a public key in the signed-note text form
// ("<name>+<hash>+<key>").
func ParseVerifier(vkey string) (*Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrInvalid, "La clave pública «%s» no es válida: %v", vkey, err)
	}
	return &Verifier{verifier: v, vkey: vkey}, nil
}

// Name is the key's name, which is also the log's origin line.
func (v *Verifier) Name() string { return v.verifier.Name() }

// VerifierKey is the public key in text form.
func (v *Verifier) VerifierKey() string { return v.vkey }

// sign signs text (which must end in a newline) as a note.
func (s *Signer) sign(text string) ([]byte, error) {
	return note.Sign(&note.Note{Text: text}, s.signer)
}

// open checks a signed note and returns its text.
func (v *Verifier) open(msg []byte) (string, error) {
	n, err := note.Open(msg, note.VerifierList(v.verifier))
	if err != nil {
		return "", err
	}
	return n.Text, nil
}

// verifierKeyOf derives "<name>+<hash>+<public key>" from a private
// signed-note key "PRIVATE+KEY+<name>+<hash>+<base64 of 0x01 and seed>".
func verifierKeyOf(skey string) (string, error) {
	priv, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return "", legajo.Errorf(legajo.ErrInvalid, "archive: signing key: not a private note key")
	}
	parts := strings.SplitN(priv, "+", 3)
	if len(parts) != 3 {
		return "", legajo.Errorf(legajo.ErrInvalid, "archive: signing key: malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", legajo.Errorf(legajo.ErrInvalid, "archive: signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[0], pub)
}
