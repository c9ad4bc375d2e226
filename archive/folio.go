package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// A folio number n of a serie in a year is claimed by creating the object
// folios/<serie>/<year>/<n as 6 digits> whose content is the claim. Zero
// padding makes the byte order of keys the numeric order, so the last
// number is the last key listed.
const (
	folioRoot   = "folios/"
	folioDigits = 6
	folioMax    = 999999
)

// maxConflictWalk is how many taken numbers AllocateFolio steps over one by
// one before listing again to jump to the last one.
const maxConflictWalk = 8

// FolioClaim is a claimed folio number and what its claimant stored with it.
type FolioClaim struct {
	Number int
	Claim  []byte
}

// AllocateFolio claims the next folio number of serie in year on st and
// returns the folio, with prefix as its printed prefix. Numbers start at 1
// each year and are gap-free across every process sharing st: a number is
// claimed only once the one before it is known to exist, by a conditional
// Create that at most one caller wins, and claims are never deleted.
//
// claim is stored with the number and should identify the request (say, its
// idempotency key and document type): when the Create of a number reports a
// conflict but the stored claim equals claim, the number is taken as this
// caller's own (a retried PUT whose first response was lost) rather than
// skipped. Claims are retained until retainUntil where st can lock objects
// (zero: not retained): a deleted claim would let its number be used
// twice. An empty claim, a serie that is not one key segment, or a year
// outside 1900-9999 is an error matching legajo.ErrInvalid; a serie that
// has used all its numbers for the year, one matching legajo.ErrConflict.
func AllocateFolio(ctx context.Context, st Store, prefix, serie string, year int, claim []byte, retainUntil time.Time) (legajo.Folio, error) {
	dir, err := folioDir(serie, year)
	if err != nil {
		return legajo.Folio{}, err
	}
	n, err := allocateNumber(ctx, st, dir, claim, retainUntil)
	if err != nil {
		return legajo.Folio{}, err
	}
	return legajo.Folio{Prefix: prefix, Serie: serie, Number: n, Year: year}, nil
}

// allocateNumber claims the next number under dir (see AllocateFolio):
// folios and case numbers share the mechanism, each in its own directory.
func allocateNumber(ctx context.Context, st Store, dir string, claim []byte, retainUntil time.Time) (int, error) {
	if len(claim) == 0 {
		return 0, legajo.Errorf(legajo.ErrInvalid, "archive: allocate folio %s: empty claim", dir)
	}
	hk, useHint := hintKeyFor(st, dir)

	// n-1 is known to exist (or n is 1) before Create(n) is tried.
	n := 0
	if useHint {
		n = folioHints.get(hk) + 1
	}
	if n <= 1 {
		last, err := firstLastFolio(ctx, st, dir)
		if err != nil {
			return 0, err
		}
		n = last + 1
	}
	walked := 0
	for {
		if n > folioMax {
			return 0, legajo.Errorf(legajo.ErrConflict, "archive: allocate folio %s: all %d numbers are taken", dir, folioMax)
		}
		won, err := claimFolio(ctx, st, folioKey(dir, n), claim, retainUntil)
		if err != nil {
			return 0, fmt.Errorf("archive: allocate folio %s: %w", dir, err)
		}
		if won {
			break
		}
		// n is someone else's, so n+1 may be claimed; or beyond, if this
		// process has seen higher numbers taken meanwhile.
		next := n + 1
		if useHint {
			folioHints.raise(hk, n)
			next = max(next, folioHints.get(hk)+1)
		}
		if walked++; walked >= maxConflictWalk {
			// Heavy contention from other processes: jump to the end.
			last, err := lastFolio(ctx, st, dir, n)
			if err != nil {
				return 0, err
			}
			next = max(next, last+1)
			walked = 0
		}
		n = next
	}
	if useHint {
		folioHints.raise(hk, n)
	}
	return n, nil
}

// claimFolio creates key with claim, reporting whether the caller holds it
// now. On a conflict it reads the object: the number is the caller's if it
// holds this very claim (its own write, retried), someone else's otherwise.
func claimFolio(ctx context.Context, st Store, key string, claim []byte, retainUntil time.Time) (bool, error) {
	opts := CreateOptions{ContentType: "application/octet-stream", RetainUntil: retainUntil}
	for attempt := 1; ; attempt++ {
		err := st.Create(ctx, key, claim, opts)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, legajo.ErrConflict) {
			return false, err
		}
		got, gerr := st.Get(ctx, key)
		switch {
		case gerr == nil:
			return bytes.Equal(got, claim), nil
		case !errors.Is(gerr, legajo.ErrNotFound):
			return false, gerr
		case attempt == 3:
			return false, fmt.Errorf("create %s keeps conflicting with no object there: %w", key, err)
		}
		// Not taken after all (a concurrent write that failed): try again.
	}
}

// ListFolios returns the numbers claimed for serie in year on st, in order,
// each with its claim.
func ListFolios(ctx context.Context, st Store, serie string, year int) ([]FolioClaim, error) {
	dir, err := folioDir(serie, year)
	if err != nil {
		return nil, err
	}
	var keys []string
	err = st.List(ctx, dir, "", func(o ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archive: list folios %s: %w", dir, err)
	}
	var claims []FolioClaim
	for _, key := range keys {
		n, ok := folioNumber(dir, key)
		if !ok {
			continue
		}
		data, err := st.Get(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("archive: list folios %s: %w", dir, err)
		}
		claims = append(claims, FolioClaim{Number: n, Claim: data})
	}
	return claims, nil
}

// folioDir returns the key prefix of the folios of serie in year.
func folioDir(serie string, year int) (string, error) {
	if serie == "" || strings.Contains(serie, "/") || checkKey(serie) != nil {
		return "", legajo.Errorf(legajo.ErrInvalid, "archive: folio serie %q is not one key segment", serie)
	}
	if year < 1900 || year > 9999 {
		return "", legajo.Errorf(legajo.ErrInvalid, "archive: folio year %d out of range", year)
	}
	return folioRoot + serie + "/" + strconv.Itoa(year) + "/", nil
}

// claimKey is the key of folio's claim.
func claimKey(folio legajo.Folio) (string, error) {
	dir, err := folioDir(folio.Serie, folio.Year)
	if err != nil {
		return "", err
	}
	return folioKey(dir, folio.Number), nil
}

func folioKey(dir string, n int) string {
	return fmt.Sprintf("%s%0*d", dir, folioDigits, n)
}

// folioNumber parses the number of a folio key in dir.
func folioNumber(dir, key string) (int, bool) {
	s, ok := strings.CutPrefix(key, dir)
	if !ok || len(s) != folioDigits {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	return n, true
}

// firstLastFolio is the last number claimed under dir, for a process that
// knows none yet (its first allocation in a serie). On S3 it probes keys
// (see probeLast): claims are made in order and never deleted, and a
// file-backed S3 server reads the whole directory for every page of a
// listing, so listing a serie of thousands of claims took the first
// emissions after a start one to two seconds each. A claim deleted by
// someone only makes the probe stop short: the claims past it conflict,
// and are walked past, as claims of other processes are. On fs the
// directory is listed.
func firstLastFolio(ctx context.Context, st Store, dir string) (int, error) {
	if _, ok := unwrap(st).(*FSStore); ok {
		return lastFolio(ctx, st, dir, 0)
	}
	last, err := probeLast(ctx, st, func(n int64) string { return folioKey(dir, int(n)) }, 0)
	if err != nil {
		return 0, fmt.Errorf("archive: allocate folio %s: %w", dir, err)
	}
	return int(last), nil
}

// lastFolio returns the highest number claimed in dir, 0 if none; known is
// a number known to exist (0 if none), from which the listing starts.
func lastFolio(ctx context.Context, st Store, dir string, known int) (int, error) {
	last := known
	startAfter := ""
	if known > 0 {
		startAfter = folioKey(dir, known)
	}
	err := st.List(ctx, dir, startAfter, func(o ObjectInfo) error {
		if n, ok := folioNumber(dir, o.Key); ok && n > last {
			last = n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("archive: allocate folio %s: %w", dir, err)
	}
	return last, nil
}

// folioHints remembers, per Store, serie and year, the highest number this
// process has seen taken, so that allocation usually starts right there
// instead of listing. A hint is only ever a number known to exist in that
// very Store, so trusting it never makes a gap; a stale one only costs
// conflicts.
var folioHints = hintCache{m: make(map[hintKey]int)}

// maxHints bounds the cache: it is dropped whole when full.
const maxHints = 1024

type hintKey struct {
	st  Store
	dir string
}

// hintKeyFor returns the cache key for st and dir, and false when st cannot
// be a map key (its dynamic type is not comparable).
func hintKeyFor(st Store, dir string) (hintKey, bool) {
	if st == nil || !reflect.TypeOf(st).Comparable() {
		return hintKey{}, false
	}
	return hintKey{st, dir}, true
}

type hintCache struct {
	mu sync.Mutex
	m  map[hintKey]int
}

func (c *hintCache) get(k hintKey) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *hintCache) raise(k hintKey, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n <= c.m[k] {
		return
	}
	if len(c.m) >= maxHints {
		clear(c.m)
	}
	c.m[k] = n
}
