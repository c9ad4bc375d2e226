package legajo

import (
	"strconv"
	"time"
)

var monthNames = [...]string{
	"enero", "febrero", "marzo", "abril", "mayo", "junio",
	"julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
}

// LongDate writes t as Mexican official documents do: "26 de noviembre de 2026".
func LongDate(t time.Time) string {
	return strconv.Itoa(t.Day()) + " de " + monthNames[t.Month()-1] + " de " + strconv.Itoa(t.Year())
}

// ShortDate writes t as dd/mm/aaaa, the form used in tables and inventories.
func ShortDate(t time.Time) string {
	return t.Format("02/01/2006")
}

// Years writes a period of n years: "1 año", "5 años".
func Years(n int) string {
	if n == 1 {
		return "1 año"
	}
	return strconv.Itoa(n) + " años"
}

// DateLayout is how dates travel in data files, forms and JSON: AAAA-MM-DD.
const DateLayout = "2006-01-02"
