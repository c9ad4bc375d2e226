package archive

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

// testUsers: two Archives on one store (two nodes of a deployment) see
// each other's latest account version at once, however they learnt the
// previous one; accounts written before tokens had names keep their tokens.
func testUsers(t *testing.T, st Store) {
	ctx := context.Background()
	one, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	two, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	u, err := one.SaveUser(ctx, legajo.User{Login: "ana.ruiz", Name: "Ana Ruiz", Role: legajo.RoleConsulta})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		got, err := two.User(ctx, "ana.ruiz")
		if err != nil || got.Version != u.Version {
			t.Fatalf("round %d: node two reads version %d (%v), want %d", i, got.Version, err, u.Version)
		}
		got.Sessions = append(got.Sessions, legajo.Session{ID: "s" + string(rune('0'+i))})
		writer := one
		if i%2 == 1 {
			writer = two
		}
		if u, err = writer.SaveUser(ctx, got); err != nil {
			t.Fatal(err)
		}
		if back, err := one.User(ctx, "ana.ruiz"); err != nil || back.Version != u.Version || len(back.Sessions) != i+1 {
			t.Fatalf("round %d: node one reads version %d with %d sessions (%v), want %d with %d", i, back.Version, len(back.Sessions), err, u.Version, i+1)
		}
	}
	// A stale version is refused, never written over the latest.
	stale := u
	stale.Version--
	if _, err := two.SaveUser(ctx, stale); err == nil {
		t.Error("a change made from a stale version was saved")
	}
	if _, err := two.User(ctx, "nadie"); !errors.Is(err, legajo.ErrNotFound) {
		t.Errorf("unknown account: %v, want ErrNotFound", err)
	}
	// Users finds every account once, at its latest version, among logins
	// that sort around each other's versions.
	for _, l := range []string{"ana", "ana-x", "ana-x-y", "ana0", "ana_b", "anab"} {
		v, err := one.SaveUser(ctx, legajo.User{Login: l, Name: l, Role: legajo.RoleConsulta})
		if err != nil {
			t.Fatal(err)
		}
		if l == "ana-x" {
			v.Name = "segunda versión"
			if _, err := one.SaveUser(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, err := two.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, x := range all {
		logins = append(logins, x.Login)
		if x.Login == "ana-x" && x.Name != "segunda versión" {
			t.Errorf("Users: ana-x at version %d", x.Version)
		}
	}
	if got := strings.Join(logins, " "); got != "ana ana-x ana-x-y ana.ruiz ana0 ana_b anab" {
		t.Errorf("Users: %s", got)
	}
	legacy := `{"login":"viejo","name":"Cuenta anterior","role":"consulta","token_hashes":["0123456789abcdef0123456789abcdef"],"version":1}`
	if err := st.Create(ctx, userRoot+"viejo/00000001.json", []byte(legacy), CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	old, err := one.User(ctx, "viejo")
	if err != nil || len(old.Tokens) != 1 || old.Tokens[0].Hash != "0123456789abcdef0123456789abcdef" || old.Tokens[0].ID != "0123456789ab" {
		t.Errorf("legacy account: %+v, %v", old.Tokens, err)
	}
}

func TestUsersFS(t *testing.T) { testUsers(t, newFSStore(t)) }
func TestUsersS3(t *testing.T) { testUsers(t, newS3Store(t, S3Config{})) }
