package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sesver/legajo"
)

// A telephony bill's month is held before it is filed:
//
//	telefonia/facturas/<cuenta maestra>/<AAAA-MM>[-<k>]            the hold
//	telefonia/facturas/<cuenta maestra>/<AAAA-MM>[-<k>]-liberada   given up: the import failed
//
// so that, of two processes importing the same bill, one files it and the
// other is refused before it uses a folio. The chain entry of the bill
// stays what says it was imported: a hold given up or older than
// staleAfter whose bill is not in the chain is passed over under the next
// key.
const billClaims = "telefonia/facturas/"

var _ legajo.BillClaimer = (*Archive)(nil)

// billClaimKey names the hold of account's month. An account that is not
// plain digits and letters is named by its hash, to keep the key inside
// its directory.
func billClaimKey(account, period string, k int) string {
	seg := account
	if !plainSegment(account) {
		h := sha256.Sum256([]byte(account))
		seg = "h-" + hex.EncodeToString(h[:16])
	}
	key := billClaims + seg + "/" + period
	if k > 1 {
		key += "-" + strconv.Itoa(k)
	}
	return key
}

func plainSegment(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// billHold is the content of a hold.
type billHold struct {
	legajo.BillClaim
	Nonce string `json:"nonce"`
}

// ClaimBill holds c's month with one conditional create. A hold that is
// taken, not given up and younger than staleAfter refuses the claim with
// a *legajo.DuplicateBillError naming its author and time.
func (a *Archive) ClaimBill(ctx context.Context, c legajo.BillClaim) (func(context.Context) error, error) {
	if c.Account == "" || c.At.IsZero() {
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: bill hold without account or time")
	}
	if _, err := legajo.ParsePeriod(c.Period); err != nil {
		return nil, legajo.Errorf(legajo.ErrInvalid, "archive: bill hold: period %q", c.Period)
	}
	c.At = c.At.UTC()
	body, err := json.Marshal(billHold{BillClaim: c, Nonce: randomToken()})
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("bill %s %s", c.Account, c.Period)
	opts := a.longestOptions(c.At, "application/json")
	for k := 1; k <= 20; k++ {
		key := billClaimKey(c.Account, c.Period, k)
		won, err := claimFolio(ctx, a.st, key, body, opts.RetainUntil)
		if err != nil {
			return nil, fmt.Errorf("archive: %s: %w", what, err)
		}
		if won {
			return func(ctx context.Context) error {
				err := a.st.Create(ctx, key+"-liberada", body, opts)
				if errors.Is(err, legajo.ErrConflict) {
					return nil
				}
				return err
			}, nil
		}
		b, err := a.st.Get(ctx, key)
		if err != nil {
			return nil, fmt.Errorf("archive: %s: %w", what, err)
		}
		var prev billHold
		if err := json.Unmarshal(b, &prev); err != nil {
			return nil, fmt.Errorf("archive: %s: unreadable hold %s", what, key)
		}
		_, gerr := a.st.Stat(ctx, key+"-liberada")
		released := gerr == nil
		if gerr != nil && !errors.Is(gerr, legajo.ErrNotFound) {
			return nil, fmt.Errorf("archive: %s: %w", what, gerr)
		}
		refusal := &legajo.DuplicateBillError{Account: c.Account, Period: c.Period, Provider: prev.Provider,
			Author: prev.Author, FiledAt: prev.At}
		if !released && c.At.Sub(prev.At) < staleAfter {
			return nil, refusal
		}
		// Given up or abandoned: unless its bill was filed after all, the
		// month is held again under the next key.
		if filed, err := a.billFiled(ctx, c.Account, c.Period); err != nil {
			return nil, err
		} else if filed {
			return nil, refusal
		}
	}
	return nil, fmt.Errorf("archive: %s: too many abandoned holds", what)
}

// billFiled tells whether the department's chain holds a bill of
// account's month.
func (a *Archive) billFiled(ctx context.Context, account, period string) (bool, error) {
	found := errors.New("found")
	err := a.Entries(ctx, legajo.BillExpediente, time.Time{}, time.Time{}, func(e legajo.Entry) error {
		if e.Type != legajo.BillType || e.Event != legajo.EventRecibido {
			return nil
		}
		m, err := a.eventManifest(ctx, e, "bill")
		if err != nil {
			return err
		}
		if m.Fields["cuenta_maestra"].Text == account && m.Fields["mes"].Text == period {
			return found
		}
		return nil
	})
	if errors.Is(err, found) {
		return true, nil
	}
	return false, err
}
