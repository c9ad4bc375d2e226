package legajo

import (
	"fmt"
	"sort"
	"time"
)

// Calendar tells working days (días hábiles) from the rest: Saturdays,
// Sundays, the mandatory rest days of the Ley Federal del Trabajo (art. 74)
// and the days the institution closes, which are configuration. Plazos in
// días hábiles are counted with it; plazos in hours (the 24 h and 48 h of a
// reported line failure) run on the clock and ignore it.
type Calendar struct {
	// Closed are the institution's own non-working days (a local
	// election day, the days the Gobierno del Estado declares), as
	// AAAA-MM-DD.
	Closed map[string]bool
}

// NewCalendar returns a calendar with the institution's non-working days,
// each written AAAA-MM-DD. A date written otherwise is an error naming it.
func NewCalendar(closed []string) (*Calendar, error) {
	c := &Calendar{Closed: map[string]bool{}}
	for _, s := range closed {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, Errorf(ErrInvalid, "Días inhábiles: «%s» no es una fecha AAAA-MM-DD.", printable(s))
		}
		c.Closed[d.Format(time.DateOnly)] = true
	}
	return c, nil
}

// Holiday names the rest day of the Ley Federal del Trabajo (art. 74) that
// falls on the date of t, or "" when it is none.
func Holiday(t time.Time) string {
	y, m, d := t.Date()
	wd := t.Weekday()
	nthMonday := func(n int) bool { return wd == time.Monday && (d-1)/7 == n-1 }
	switch {
	case m == time.January && d == 1:
		return "1 de enero"
	case m == time.February && nthMonday(1):
		return "Día de la Constitución (primer lunes de febrero)"
	case m == time.March && nthMonday(3):
		return "Natalicio de Benito Juárez (tercer lunes de marzo)"
	case m == time.May && d == 1:
		return "1 de mayo"
	case m == time.September && d == 16:
		return "16 de septiembre"
	case m == time.November && nthMonday(3):
		return "Revolución Mexicana (tercer lunes de noviembre)"
	case m == time.December && d == 25:
		return "25 de diciembre"
	case m == time.October && d == 1 && y >= 2024 && (y-2024)%6 == 0:
		// Since the 2024 reform the federal executive changes hands on
		// 1 October; before, on 1 December.
		return "Transmisión del Poder Ejecutivo Federal"
	case m == time.December && d == 1 && y < 2024 && y >= 1934 && (y-1934)%6 == 0:
		return "Transmisión del Poder Ejecutivo Federal"
	}
	return ""
}

// Working tells whether the day of t is a día hábil.
func (c *Calendar) Working(t time.Time) bool {
	switch t.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	if Holiday(t) != "" {
		return false
	}
	return c == nil || !c.Closed[t.Format(time.DateOnly)]
}

// AddBusinessDays returns the end of the n-th día hábil after the day of
// t (n ≥ 1): a plazo of 3 días hábiles received on a Friday ends on the
// following Wednesday at midnight, in t's location. The day of t itself
// does not count, as in the computing of administrative plazos.
func (c *Calendar) AddBusinessDays(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.Working(day) {
			n--
		}
	}
	return day.AddDate(0, 0, 1) // the plazo runs until that day ends
}

// BusinessDaysBetween counts the días hábiles after the day of from up to
// and including the day of to; 0 when to is not after from.
func (c *Calendar) BusinessDaysBetween(from, to time.Time) int {
	y, m, d := from.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, from.Location())
	n := 0
	for day = day.AddDate(0, 0, 1); !day.After(to); day = day.AddDate(0, 0, 1) {
		if c.Working(day) {
			n++
		}
	}
	return n
}

// ClosedDays lists the institution's non-working days in order.
func (c *Calendar) ClosedDays() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.Closed))
	for d := range c.Closed {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// String describes the calendar for logs.
func (c *Calendar) String() string {
	return fmt.Sprintf("días hábiles: lunes a viernes, sin descansos obligatorios (LFT art. 74) ni %d días inhábiles de la institución", len(c.ClosedDays()))
}
