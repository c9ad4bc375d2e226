package legajo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Fingerprint identifies what an emission asks for, so that a retry under
// the same idempotency key is told from a different request. It is stored
// beside the key, so nothing in it may give away a secret field: a digest
// of a password is found again by hashing candidate passwords, so secrets
// are left out of Public, and compared only through Secrets, a MAC under a
// key the server holds and never stores (Office.RequestKey).
//
// A retry that differs only in a secret is a different request and is
// refused: the first emission handed the person an exemplar with the first
// password, and answering the second with the first result would let the
// clerk believe the new password is on record. Only a server that holds
// the key that made the stored MAC can tell; one without it, or with
// another key, takes such a retry as the same request (the archived
// document is the same either way: its secrets are masked).
type Fingerprint struct {
	// Public is the hex SHA-256 of the type, expediente, trámite and
	// values in canonical form without secret fields: nothing that is not
	// already in clear in the manifest.
	Public string `json:"fingerprint"`
	// Key names the key Secrets was made with; Secrets is the hex
	// HMAC-SHA256 of the secret fields under it. Both are empty for a type
	// without secrets or a server without a key.
	Key     string `json:"secrets_key,omitempty"`
	Secrets string `json:"secrets_mac,omitempty"`
}

// Same tells whether a retry with fingerprint g asks for what f asked for.
func (f Fingerprint) Same(g Fingerprint) bool {
	if f.Public != g.Public {
		return false
	}
	if f.Secrets == "" || g.Secrets == "" || f.Key != g.Key {
		return true // cannot tell: see Fingerprint
	}
	return hmac.Equal([]byte(f.Secrets), []byte(g.Secrets))
}

// fingerprint is the Fingerprint of issuing vals, validated, as a t into
// expediente exp within tramite.
func (o *Office) fingerprint(t *DocType, exp, tramite string, vals Values) Fingerprint {
	pub, _ := json.Marshal([]any{t.ID, exp, tramite, t.Public(vals)})
	sum := sha256.Sum256(pub)
	fp := Fingerprint{Public: hex.EncodeToString(sum[:])}
	secrets := t.Secrets(vals)
	if len(o.RequestKey) == 0 || len(secrets) == 0 {
		return fp
	}
	b, _ := json.Marshal([]any{t.ID, secrets})
	fp.Key = KeyID(o.RequestKey)
	fp.Secrets = mac(o.RequestKey, "legajo/solicitud/secretos\x00", b)
	return fp
}

// KeyID names a server key without giving it away, so that a MAC made
// with one key is never compared with one made with another.
func KeyID(key []byte) string { return mac(key, "legajo/solicitud/id", nil)[:16] }

func mac(key []byte, purpose string, b []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil))
}
