package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

// TestIdempotencyWithSecrets: on both stores, a retry of the e-mail
// account form with the same password returns the first result; with
// another password it is refused where the server holds the request key,
// and taken as the same request where it does not (it cannot tell). The
// stored claim holds nothing computed from the password without the key.
func TestIdempotencyWithSecrets(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		ctx := context.Background()
		o, _ := newOffice(t, st)
		o.RequestKey = bytes.Repeat([]byte{0x5a}, 32)
		data := sample(t, "acuse-cuenta-correo")
		secret := data["contrasena"].(string)
		req := legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: data, IdempotencyKey: "alta-61582"}
		first, err := o.Emit(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := o.Emit(ctx, req); err != nil || again.Folio != first.Folio {
			t.Fatalf("retry: %v, %v", again, err)
		}
		other := sample(t, "acuse-cuenta-correo")
		other["contrasena"] = "Otra#Clave-2026"
		req.Data = other
		if _, err := o.Emit(ctx, req); !errors.Is(err, legajo.ErrConflict) {
			t.Errorf("same key, another password: err = %v, want ErrConflict", err)
		}
		o.RequestKey = nil
		if again, err := o.Emit(ctx, req); err != nil || again.Folio != first.Folio {
			t.Errorf("without the key, another password: %v, %v (want the first result)", again, err)
		}

		claim, err := st.Get(ctx, idemKey("alta-61582")+".json")
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		for _, bad := range []string{secret, hex.EncodeToString(sum[:])} {
			if strings.Contains(string(claim), bad) {
				t.Errorf("the claim %s holds %q", claim, bad)
			}
		}
		if !strings.Contains(string(claim), `"secrets_mac":"`) || !strings.Contains(string(claim), `"secrets_key":"`+legajo.KeyID(bytes.Repeat([]byte{0x5a}, 32))+`"`) {
			t.Errorf("the claim lacks the keyed comparison of the password: %s", claim)
		}
	})
}
