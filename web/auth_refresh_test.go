package web

import (
	"context"
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
