package web

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// gatedUsers is an account store whose reads wait for gate while it is
// closed, and are counted.
type gatedUsers struct {
	gate  chan struct{}
	reads atomic.Int64
	name  atomic.Value
}

func (g *gatedUsers) User(ctx context.Context, login string) (legajo.User, error) {
	g.reads.Add(1)
	select {
	case <-g.gate:
	case <-ctx.Done():
		return legajo.User{}, ctx.Err()
	}
	return legajo.User{Login: login, Name: g.name.Load().(string), Version: int(g.reads.Load())}, nil
}

func (g *gatedUsers) Users(ctx context.Context) ([]legajo.User, error) { return nil, nil }

func (g *gatedUsers) SaveUser(ctx context.Context, u legajo.User) (legajo.User, error) { return u, nil }

// An account past half its accountTTL is given from the cache at once and
// read again in the background; one past accountTTL is read before the
// request goes on. A request never gets an account older than accountTTL.
func TestAccountRefreshedAhead(t *testing.T) {
	g := &gatedUsers{gate: make(chan struct{})}
	g.name.Store("Ana")
	s := &Server{Users: g, accounts: &accountCache{m: map[string]cachedAccount{}}}
	ctx := context.Background()
	s.accounts.m["ana"] = cachedAccount{u: legajo.User{Login: "ana", Name: "Ana"}, at: time.Now().Add(-accountTTL * 3 / 4)}
	g.name.Store("Ana María")

	// Half-expired: the cached account at once, while the store's read waits.
	done := make(chan legajo.User)
	go func() {
		u, err := s.account(ctx, "ana")
		if err != nil {
			t.Error(err)
		}
		done <- u
	}()
	select {
	case u := <-done:
		if u.Name != "Ana" {
			t.Errorf("half-expired account: got %q, want the cached one", u.Name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a half-expired account waited for the store")
	}
	// A second request meanwhile starts no second read.
	if _, err := s.account(ctx, "ana"); err != nil {
		t.Fatal(err)
	}
	close(g.gate) // the background read completes
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.accounts.mu.Lock()
		a := s.accounts.m["ana"]
		s.accounts.mu.Unlock()
		if a.u.Name == "Ana María" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background read never refreshed the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := g.reads.Load(); n != 1 {
		t.Errorf("%d reads of the account, want 1", n)
	}
	// Expired: read before the request goes on.
	s.accounts.mu.Lock()
	s.accounts.m["ana"] = cachedAccount{u: legajo.User{Login: "ana", Name: "Ana"}, at: time.Now().Add(-accountTTL)}
	s.accounts.mu.Unlock()
	g.name.Store("Ana María Pérez")
	u, err := s.account(ctx, "ana")
	if err != nil || u.Name != "Ana María Pérez" {
		t.Errorf("expired account: got %q, %v; want it read again", u.Name, err)
	}
}

// countedUsers is an account store that holds only the accounts in m and
// counts its reads.
type countedUsers struct {
	mu    sync.Mutex
	m     map[string]legajo.User
	reads int
}

func (c *countedUsers) User(ctx context.Context, login string) (legajo.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if u, ok := c.m[login]; ok {
		return u, nil
	}
	return legajo.User{}, legajo.Errorf(legajo.ErrNotFound, "No existe el usuario «%s».", login)
}

func (c *countedUsers) Users(ctx context.Context) ([]legajo.User, error) { return nil, nil }

func (c *countedUsers) SaveUser(ctx context.Context, u legajo.User) (legajo.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[u.Login] = u
	return u, nil
}

// A document's authors who have no account (the command line's, or people
// gone) are named by their login, and the store is asked once per
// accountTTL, not on every view; an account saved meanwhile is named at
// once; the logins remembered stay bounded.
func TestPersonNameRemembersAbsentAccounts(t *testing.T) {
	users := &countedUsers{m: map[string]legajo.User{"ana": {Login: "ana", Name: "Ana Pérez"}}}
	s := &Server{Users: users, accounts: &accountCache{m: map[string]cachedAccount{}}}
	ctx := context.Background()
	for range 5 {
		if got := s.personName(ctx, "agarcia"); got != "agarcia" {
			t.Fatalf("an author without account: %q", got)
		}
		if got := s.personName(ctx, "ana"); got != "Ana Pérez" {
			t.Fatalf("an author with account: %q", got)
		}
	}
	if users.reads != 2 {
		t.Errorf("five views of two names read the store %d times, want 2", users.reads)
	}
	// Past accountTTL the absence is asked again.
	s.accounts.mu.Lock()
	s.accounts.absent["agarcia"] = time.Now().Add(-accountTTL)
	s.accounts.mu.Unlock()
	s.personName(ctx, "agarcia")
	if users.reads != 3 {
		t.Errorf("an expired absence: %d reads, want 3", users.reads)
	}
	// Saved through this server: named at once.
	if _, err := s.storeUser(ctx, legajo.User{Login: "agarcia", Name: "Alicia García"}); err != nil {
		t.Fatal(err)
	}
	if got := s.personName(ctx, "agarcia"); got != "Alicia García" {
		t.Errorf("an account just saved: %q", got)
	}
	for i := range 3 * maxAbsent {
		s.accounts.rememberAbsent(fmt.Sprintf("usuario%05d", i))
	}
	if n := len(s.accounts.absent); n > maxAbsent {
		t.Errorf("%d absent logins remembered, at most %d", n, maxAbsent)
	}
}
