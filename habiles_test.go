package legajo_test

import (
	"errors"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

func cday(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", -6*3600))
	if err != nil {
		t, err = time.ParseInLocation(time.DateOnly, s, time.FixedZone("CST", -6*3600))
	}
	if err != nil {
		panic(err)
	}
	return t
}

func TestHoliday(t *testing.T) {
	for _, tt := range []struct {
		date string
		want bool
	}{
		{"2026-01-01", true},
		{"2026-01-02", false},
		{"2026-02-02", true},  // first Monday of February (the 1st is a Sunday)
		{"2026-02-05", false}, // the old fixed date is a working day now
		{"2027-02-01", true},  // the 1st itself when it is a Monday
		{"2027-02-08", false}, // second Monday
		{"2026-03-16", true},  // third Monday of March
		{"2026-03-21", false}, // the old fixed date
		{"2027-03-15", true},
		{"2027-03-22", false}, // fourth Monday
		{"2026-05-01", true},
		{"2026-09-16", true},
		{"2026-11-16", true}, // third Monday of November
		{"2026-11-20", false},
		{"2026-12-25", true},
		{"2026-12-24", false},
		{"2024-10-01", true}, // transmission of the federal executive, every six years
		{"2030-10-01", true},
		{"2036-10-01", true},
		{"2026-10-01", false},
		{"2029-10-01", false},
		{"2018-12-01", true}, // before the 2024 reform it was 1 December
		{"2024-12-01", false},
		{"2030-12-01", false},
	} {
		if got := legajo.Holiday(cday(tt.date)) != ""; got != tt.want {
			t.Errorf("Holiday(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	cal, err := legajo.NewCalendar([]string{"2026-12-28"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		cal  *legajo.Calendar
		from string
		n    int
		want string // the day the plazo ends (it runs to that day's midnight)
	}{
		{"monday plus one", nil, "2026-11-23 10:00", 1, "2026-11-24"},
		{"friday plus one skips the weekend", nil, "2026-11-27 18:30", 1, "2026-11-30"},
		{"friday before the third monday of november", nil, "2026-11-13 09:00", 1, "2026-11-17"},
		{"received on a saturday", nil, "2026-11-28 12:00", 1, "2026-11-30"},
		{"received on a holiday", nil, "2026-11-16 12:00", 2, "2026-11-18"},
		{"christmas eve plus two", nil, "2026-12-24 08:00", 2, "2026-12-29"},
		{"an institution closing day too", cal, "2026-12-24 08:00", 2, "2026-12-30"},
		{"across the new year", nil, "2026-12-31 08:00", 1, "2027-01-04"},
		{"ten days across the september holiday", nil, "2026-09-07 08:00", 10, "2026-09-22"},
		{"the presidential transmission of 2030", nil, "2030-09-30 08:00", 1, "2030-10-02"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.cal.AddBusinessDays(cday(tt.from), tt.n)
			want := cday(tt.want).AddDate(0, 0, 1)
			if !got.Equal(want) {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want the end of %s", tt.from, tt.n, got, tt.want)
			}
			if n := tt.cal.BusinessDaysBetween(cday(tt.from), cday(tt.want)); n != tt.n {
				t.Errorf("BusinessDaysBetween(%s, %s) = %d, want %d", tt.from, tt.want, n, tt.n)
			}
		})
	}
}

func TestCalendarWorking(t *testing.T) {
	cal, _ := legajo.NewCalendar([]string{"2026-12-28"})
	for date, want := range map[string]bool{
		"2026-11-30": true, "2026-11-28": false, "2026-11-29": false, "2026-12-28": false, "2026-12-29": true, "2026-11-16": false,
	} {
		if got := cal.Working(cday(date)); got != want {
			t.Errorf("Working(%s) = %v, want %v", date, got, want)
		}
	}
}

func TestNewCalendarRefusesBadDates(t *testing.T) {
	for _, s := range []string{"28/12/2026", "2026-13-01", "", "mañana"} {
		_, err := legajo.NewCalendar([]string{s})
		if !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("NewCalendar(%q) = %v, want ErrInvalid", s, err)
		}
	}
}
