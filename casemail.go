package legajo

import (
	"context"
	"errors"
	"strings"
	"time"
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
	notice := CaseNotice{Number: c.Number, Title: c.Subject, Procedure: c.Procedure, From: from, Due: ev.Due, Link: n.link(c.Number)}
	return n.Mail.Turnado(ctx, PersonOf(u), notice)
}

// CaseOverdue tells the person the case is turned to that plazo x passed:
// the case, the plazo and what the manual orders then. An account without
// an address, or that turned off «trámite vencido», gets none.
func (n CaseMail) CaseOverdue(ctx context.Context, c Case, ev CaseEvent, x Plazo) error {
	if ev.Assignee == "" {
		return nil
	}
	u, err := n.Users.User(ctx, ev.Assignee)
	if err != nil {
		return err
	}
	deadline := x.Limit
	if deadline == "" {
		deadline = x.Text
	}
	if ev.Step != "" && x.Then != "" {
		deadline += " (actividad " + ev.Step + ")"
	}
	notice := CaseNotice{Number: c.Number, Title: c.Subject, Procedure: c.Procedure, Due: x.Due, Link: n.link(c.Number),
		Deadline: deadline, Action: x.Then}
	return n.Mail.Overdue(ctx, PersonOf(u), notice)
}

// Digests sends each person with open cases assigned to them one summary
// of those overdue and due soon: at most one a day per person across
// servers and restarts (claimed in the archive), and none to who turned
// the summary off. It returns how many
// people had something to be told, and the first failure; one person's
// failure does not stop the others'.
func (n CaseMail) Digests(ctx context.Context, cs *Cases, now time.Time) (int, error) {
	users, err := n.Users.Users(ctx)
	if err != nil {
		return 0, err
	}
	var first error
	told := 0
	for _, u := range users {
		if u.Disabled {
			continue
		}
		q := cs.Bandeja(CaseFilter{Assignee: u.Login}, now)
		if len(q.Overdue)+len(q.DueSoon) == 0 {
			continue
		}
		told++
		p := PersonOf(u)
		if !p.Wants(MailResumen) {
			continue
		}
		// One summary a day per person across servers and restarts: the
		// day's claim in the archive first, the message only by who won it.
		day := now
		if cs.Zone != nil {
			day = day.In(cs.Zone)
		}
		won, err := cs.Log.ClaimNotice(ctx, "resumen/"+day.Format(time.DateOnly)+"/"+u.Login, now)
		if err != nil || !won {
			if err != nil && first == nil {
				first = err
			}
			continue
		}
		err = n.Mail.Digest(ctx, p, n.notices(q.DueSoon), n.notices(q.Overdue))
		if err != nil && first == nil {
			first = err
		}
	}
	return told, first
}

// link is the address of a case's page, "" without a base URL.
func (n CaseMail) link(number string) string {
	if n.BaseURL == "" {
		return ""
	}
	return strings.TrimRight(n.BaseURL, "/") + "/tramites/" + CaseSlug(number)
}

func (n CaseMail) notices(items []QueueItem) []CaseNotice {
	out := make([]CaseNotice, 0, len(items))
	for _, it := range items {
		out = append(out, CaseNotice{Number: it.Case.Number, Title: it.Case.Subject, Procedure: it.Case.Procedure,
			Due: it.Due.Due, Link: n.link(it.Case.Number)})
	}
	return out
}
