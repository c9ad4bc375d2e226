package archive

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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

// testActivityLog: entries written together are one object per day they
// fall on, oldest first, and are read back, with the entries written one
// by one, in time order and within the bounds asked.
func testActivityLog(t *testing.T, st Store) {
	ctx := context.Background()
	a, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 29, 23, 59, 58, 0, time.UTC)
	if err := a.Log(ctx, legajo.Activity{At: day.Add(-time.Hour), User: "ana", Action: "entrar"}); err != nil {
		t.Fatal(err)
	}
	// Out of order, across midnight.
	batch := []legajo.Activity{
		{At: day.Add(3 * time.Second), User: "beto", Action: "buscar", Object: "red"},
		{At: day, User: "carla", Action: "consultar", Object: "OL/0001/2026"},
		{At: day.Add(time.Second), User: "daniel", Action: "buscar", Object: "«acuse» de recibo\ncon salto"},
	}
	if err := a.LogAll(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := st.List(ctx, activityRoot, "", func(o ObjectInfo) error { keys = append(keys, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 || !strings.HasPrefix(keys[0], "actividad/2026/11/29/") || !strings.HasSuffix(keys[0], ".json") ||
		!strings.HasPrefix(keys[1], "actividad/2026/11/29/") || !strings.HasSuffix(keys[1], ".jsonl") ||
		!strings.HasPrefix(keys[2], "actividad/2026/11/30/") || !strings.HasSuffix(keys[2], ".json") {
		t.Fatalf("objects %v: want the single entry, the 29th's two, the 30th's one", keys)
	}
	read := func(from, to time.Time) []string {
		var out []string
		if err := a.Activities(ctx, from, to, func(x legajo.Activity) error { out = append(out, x.User); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := strings.Join(read(time.Time{}, time.Time{}), " "); got != "ana carla daniel beto" {
		t.Errorf("whole log: %s", got)
	}
	if got := strings.Join(read(day, day.Add(2*time.Second)), " "); got != "carla daniel" {
		t.Errorf("between %v and 2 s later: %s", day, got)
	}
	if got := strings.Join(read(day.Add(2*time.Second), time.Time{}), " "); got != "beto" {
		t.Errorf("from the 30th: %s", got)
	}
}

func TestActivityLogFS(t *testing.T) { testActivityLog(t, newFSStore(t)) }
func TestActivityLogS3(t *testing.T) { testActivityLog(t, newS3Store(t, S3Config{})) }
