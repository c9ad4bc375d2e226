package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Accounts and the activity log live in the store like everything else:
//
//	usuarios/<login>/<version, 8 digits>.json   every version of an account
//	actividad/<AAAA>/<MM>/<DD>/<time>_<random>.json    one activity
//	actividad/<AAAA>/<MM>/<DD>/<time>_<random>.jsonl   several, one per line, oldest first
const (
	userRoot     = "usuarios/"
	activityRoot = "actividad/"
)

var (
	_ legajo.Users       = (*Archive)(nil)
	_ legajo.ActivityLog = (*Archive)(nil)
)

func validLogin(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return s[0] != '.' && s[0] != '-'
}

// accountHead is the latest version of an account this process knows.
type accountHead struct {
	key string
	u   legajo.User
}

// User returns the latest version of an account. Accounts are read on
// every request a server authenticates and get a version at every login, so
// the listing starts after the latest version this process knows: one
// short listing, not the account's whole history.
func (a *Archive) User(ctx context.Context, login string) (legajo.User, error) {
	if !validLogin(login) {
		return legajo.User{}, legajo.Errorf(legajo.ErrNotFound, "No existe el usuario «%s».", login)
	}
	var known accountHead
	if v, ok := a.accounts.Load(login); ok {
		known = *v.(*accountHead)
	}
	last := ""
	err := a.st.List(ctx, userRoot+login+"/", known.key, func(o ObjectInfo) error { last = o.Key; return nil })
	if err != nil {
		return legajo.User{}, err
	}
	if last == "" {
		if known.key != "" {
			return cloneUser(known.u), nil
		}
		return legajo.User{}, legajo.Errorf(legajo.ErrNotFound, "No existe el usuario «%s».", login)
	}
	u, err := a.readUser(ctx, last)
	if err != nil {
		return legajo.User{}, err
	}
	a.remember(last, u)
	return u, nil
}

// remember keeps key as login's latest version unless a later one is known.
func (a *Archive) remember(key string, u legajo.User) {
	h := &accountHead{key, cloneUser(u)}
	for {
		v, loaded := a.accounts.LoadOrStore(u.Login, h)
		if !loaded {
			return
		}
		old := v.(*accountHead)
		if old.key >= key || a.accounts.CompareAndSwap(u.Login, old, h) {
			return
		}
	}
}

func cloneUser(u legajo.User) legajo.User {
	u.Granted = slices.Clone(u.Granted)
	u.Sessions = slices.Clone(u.Sessions)
	u.Tokens = slices.Clone(u.Tokens)
	return u
}

// readUser reads one version of an account. Versions written before tokens
// had names kept only their hashes (token_hashes): they are read as tokens
// named by their hash.
func (a *Archive) readUser(ctx context.Context, key string) (legajo.User, error) {
	b, err := a.st.Get(ctx, key)
	if err != nil {
		return legajo.User{}, err
	}
	var v struct {
		legajo.User
		Legacy []string `json:"token_hashes"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return legajo.User{}, fmt.Errorf("archive: user %s: %w", key, err)
	}
	for _, h := range v.Legacy {
		v.Tokens = append(v.Tokens, legajo.Token{ID: h[:min(len(h), 12)], Hash: h, Label: "token anterior"})
	}
	return v.User, nil
}

// Users lists every account's latest version. An account gets a version
// at every login, so the listing does not walk the versions: it finds the
// next login, reads its account as User does (after the latest version
// known) and skips past the rest of its versions.
func (a *Archive) Users(ctx context.Context) ([]legajo.User, error) {
	var out []legajo.User
	errNext := errors.New("next login")
	start := ""
	for {
		login := ""
		err := a.st.List(ctx, userRoot, start, func(o ObjectInfo) error {
			if l, _, ok := strings.Cut(strings.TrimPrefix(o.Key, userRoot), "/"); ok {
				login = l
				return errNext
			}
			return nil
		})
		if err != nil && err != errNext {
			return nil, err
		}
		if login == "" {
			break
		}
		// Past every version of login: '0' sorts after '/' and before any
		// character a longer login may add.
		start = userRoot + login + "0"
		if !validLogin(login) {
			continue
		}
		u, err := a.User(ctx, login)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out, nil
}

// SaveUser stores the next version of an account; the conditional create of
// the version number makes concurrent changes fail instead of overwriting.
func (a *Archive) SaveUser(ctx context.Context, u legajo.User) (legajo.User, error) {
	if !validLogin(u.Login) {
		return u, legajo.Errorf(legajo.ErrInvalid, "El usuario «%s» no es válido: use de 2 a 40 minúsculas, dígitos, punto, guion o guion bajo.", u.Login)
	}
	if !u.Role.Valid() {
		return u, legajo.Errorf(legajo.ErrInvalid, "El rol «%s» no existe.", u.Role)
	}
	u.Version++
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = time.Now().UTC()
	}
	b, err := json.MarshalIndent(u, "", "  ")
	if err != nil {
		return u, err
	}
	key := fmt.Sprintf("%s%s/%08d.json", userRoot, u.Login, u.Version)
	if err := a.st.Create(ctx, key, b, CreateOptions{ContentType: "application/json"}); err != nil {
		if errors.Is(err, legajo.ErrConflict) {
			if u.Version == 1 {
				return u, legajo.Errorf(legajo.ErrConflict, "El usuario «%s» ya existe.", u.Login)
			}
			return u, legajo.Errorf(legajo.ErrConflict, "Otra persona modificó al usuario «%s» al mismo tiempo; vuelva a intentarlo.", u.Login)
		}
		return u, err
	}
	a.remember(key, u)
	return u, nil
}

// Log appends an activity to the log.
func (a *Archive) Log(ctx context.Context, act legajo.Activity) error {
	return a.LogAll(ctx, []legajo.Activity{act})
}

// LogAll appends activities to the log, one object per day they fall on:
// what a busy server did in the same moment costs one synced write, not
// one each.
func (a *Archive) LogAll(ctx context.Context, acts []legajo.Activity) error {
	acts = slices.Clone(acts)
	slices.SortStableFunc(acts, func(x, y legajo.Activity) int { return x.At.Compare(y.At) })
	for len(acts) > 0 {
		at := acts[0].At.UTC()
		n := 1
		for n < len(acts) && sameDay(acts[n].At.UTC(), at) {
			n++
		}
		var buf bytes.Buffer
		for _, act := range acts[:n] {
			b, err := json.Marshal(act)
			if err != nil {
				return err
			}
			buf.Write(b)
			buf.WriteByte('\n')
		}
		ext, data := ".jsonl", buf.Bytes()
		if n == 1 {
			ext, data = ".json", bytes.TrimSuffix(data, []byte("\n"))
		}
		key := fmt.Sprintf("%s%04d/%02d/%02d/%s_%s%s", activityRoot, at.Year(), int(at.Month()), at.Day(), timestamp(at), randomToken(), ext)
		if err := a.st.Create(ctx, key, data, CreateOptions{ContentType: contentTypes[strings.TrimPrefix(ext, ".")]}); err != nil {
			return err
		}
		acts = acts[n:]
	}
	return nil
}

func sameDay(x, y time.Time) bool {
	return x.Year() == y.Year() && x.YearDay() == y.YearDay()
}

// Activities walks the log in time order (the order of the objects, each
// written by one process; within one, oldest first).
func (a *Archive) Activities(ctx context.Context, from, to time.Time, fn func(legajo.Activity) error) error {
	start := ""
	if !from.IsZero() {
		f := from.UTC()
		start = fmt.Sprintf("%s%04d/%02d/%02d/", activityRoot, f.Year(), int(f.Month()), f.Day())
	}
	return a.st.List(ctx, activityRoot, start, func(o ObjectInfo) error {
		b, err := a.st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		for line := range bytes.Lines(b) {
			var act legajo.Activity
			if err := json.Unmarshal(line, &act); err != nil {
				continue // not ours
			}
			if (!from.IsZero() && act.At.Before(from)) || (!to.IsZero() && !act.At.Before(to)) {
				continue
			}
			if err := fn(act); err != nil {
				return err
			}
		}
		return nil
	})
}
