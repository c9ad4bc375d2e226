package web

import (
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// API tokens are "<login>.<secret>" with a hexadecimal secret. Logins may
// themselves contain dots (ana.ruiz), secrets never: the login is what
// comes before the last dot. The account keeps only the token's SHA-256;
// its id (the start of that hash) names it to list and revoke it.

// NewToken makes an API token for login and what its account keeps of it.
func NewToken(login, label, by string, now time.Time) (string, legajo.Token) {
	token := login + "." + newKey() + newKey()
	h := TokenHash(token)
	return token, legajo.Token{ID: h[:12], Hash: h, Label: strings.TrimSpace(label), Created: now.UTC(), CreatedBy: by}
}

// tokenLogin is the login a token names.
func tokenLogin(token string) (string, bool) {
	i := strings.LastIndexByte(token, '.')
	if i <= 0 || i == len(token)-1 {
		return "", false
	}
	return token[:i], true
}
