package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestUserTokens: `legajo user token new|list|revoke` on the login
// ana.ruiz, against a running server on the same data: her tokens
// authenticate, a revoked one stops within the server's account cache, the
// other goes on until a new password ends it.
func TestUserTokens(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	base, _ := startServer(t, env)
	if code, out, errs := run(t, env, "user", "add", "ana.ruiz", "--name", "Ana Ruiz", "--role", "consulta"); code != 0 || !strings.Contains(out, "se pedirá cambiarla") {
		t.Fatalf("add: %d %s %s", code, out, errs)
	}
	type made struct{ Login, ID, Label, Token string }
	var tokens []made
	for _, label := range []string{"SIAF", "tablero"} {
		code, out, errs := run(t, env, "user", "token", "new", "ana.ruiz", "--label", label, "--json")
		var m made
		if code != 0 || json.Unmarshal([]byte(out), &m) != nil || !strings.HasPrefix(m.Token, "ana.ruiz.") || m.Label != label {
			t.Fatalf("token new: %d %q %s", code, out, errs)
		}
		tokens = append(tokens, m)
	}
	code, out, _ := run(t, env, "user", "token", "list", "ana.ruiz", "--json")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 || list[0]["id"] != tokens[0].ID || list[1]["label"] != "tablero" {
		t.Fatalf("token list: %d %s", code, out)
	}
	if strings.Contains(out, "hash") || strings.Contains(out, tokens[0].Token) {
		t.Errorf("token list shows what it must not: %s", out)
	}
	call := func(token string) int {
		req, _ := http.NewRequest("GET", base+"/api/v1/tipos", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, m := range tokens {
		if code := call(m.Token); code != http.StatusOK {
			t.Errorf("token %s: %d, want 200", m.ID, code)
		}
	}
	within := func(what, token string, want int) {
		t.Helper()
		for start := time.Now(); call(token) != want; time.Sleep(100 * time.Millisecond) {
			if time.Since(start) > 4*time.Second {
				t.Fatalf("%s: still %d after %v", what, call(token), time.Since(start))
			}
		}
	}
	if code, _, errs := run(t, env, "user", "token", "revoke", "ana.ruiz", tokens[0].ID); code != 0 {
		t.Fatalf("revoke: %s", errs)
	}
	within("revoked token", tokens[0].Token, http.StatusUnauthorized)
	if code := call(tokens[1].Token); code != http.StatusOK {
		t.Errorf("the other token: %d", code)
	}
	if code, _, _ := run(t, env, "user", "token", "revoke", "ana.ruiz", tokens[0].ID); code != 1 {
		t.Errorf("revoking it again: exit %d, want 1", code)
	}
	if code, _, _ := run(t, env, "user", "token", "revoke", "ana.ruiz"); code != 2 {
		t.Errorf("revoke without an id: exit %d, want 2", code)
	}
	if code, _, errs := run(t, env, "user", "passwd", "ana.ruiz"); code != 0 {
		t.Fatalf("passwd: %s", errs)
	}
	within("token after a new password", tokens[1].Token, http.StatusUnauthorized)
}

// TestUserGrant: an administrator lets a person read a confidential
// expediente in full, and takes it back; public ones need no grant.
func TestUserGrant(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	if code, _, errs := run(t, env, "user", "add", "ana.ruiz", "--name", "Ana Ruiz", "--role", "consulta"); code != 0 {
		t.Fatal(errs)
	}
	granted := func() any {
		_, out, _ := run(t, env, "user", "list", "--json")
		var list []map[string]any
		json.Unmarshal([]byte(out), &list)
		return list[0]["granted"]
	}
	for _, tc := range []struct {
		args    []string
		code    int
		granted string
	}{
		{[]string{"grant", "ana.ruiz", "correos"}, 0, "[correos]"},
		{[]string{"grant", "ana.ruiz", "correos"}, 0, "[correos]"},
		{[]string{"grant", "ana.ruiz", "personal-baja"}, 0, "[correos personal-baja]"},
		{[]string{"grant", "ana.ruiz", "dti"}, 1, "[correos personal-baja]"},
		{[]string{"grant", "ana.ruiz", "no-existe"}, 1, "[correos personal-baja]"},
		{[]string{"ungrant", "ana.ruiz", "correos"}, 0, "[personal-baja]"},
		{[]string{"grant", "ana.ruiz"}, 2, "[personal-baja]"},
	} {
		code, _, errs := run(t, env, append([]string{"user"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", tc.args, code, tc.code, errs)
		}
		if got := fmt.Sprint(granted()); got != tc.granted {
			t.Errorf("%v: granted %s, want %s", tc.args, got, tc.granted)
		}
	}
}
