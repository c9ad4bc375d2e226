package legajo

import (
	"context"
	"errors"
	"strings"
)

// CaseMail is the CaseNotifier that tells by e-mail the person a case is
// turned to («Turnado»), through the configured Notifier. The person's
// address and choices come from their account; a turno to a section alone
// tells nobody.
type CaseMail struct {
	Mail    Notifier
	Users   Users
	BaseURL string // of the web application, for the link to the case
}

// CaseAssigned sends the turno's message; an account without an address,
// or that turned these messages off, gets none.
func (n CaseMail) CaseAssigned(ctx context.Context, c Case, ev CaseEvent) error {
	if ev.Assignee == "" {
		return nil
	}
	u, err := n.Users.User(ctx, ev.Assignee)
	if err != nil {
		return err
	}
	from := ev.Author
	if a, err := n.Users.User(ctx, ev.Author); err == nil && a.Name != "" {
		from = a.Name
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	notice := CaseNotice{Number: c.Number, Title: c.Subject, Procedure: c.Procedure, From: from, Due: ev.Due}
	if n.BaseURL != "" {
		notice.Link = strings.TrimRight(n.BaseURL, "/") + "/tramites/" + CaseSlug(c.Number)
	}
	return n.Mail.Turnado(ctx, PersonOf(u), notice)
}
