package legajo

import (
	"time"
)

// Signatory is the person who holds a role during a period. Signatories are
// configuration with dates of validity: a document always shows the
// signatory in office on its date.
type Signatory struct {
	Role     string    `json:"role"`     // e.g. jefe-dti
	Name     string    `json:"name"`     // with title, e.g. "Ing. Laura Méndez Ortiz"
	Position string    `json:"position"` // e.g. "Jefa del Departamento de Tecnologías de la Información"
	From     time.Time `json:"from"`     // first day in office
	To       time.Time `json:"to"`       // last day in office; zero while in office
}

// Directory is the list of signatories over time.
type Directory []Signatory

// InOffice returns the signatory holding role on day. It fails with
// ErrNotFound, worded for the clerk, when nobody does.
func (d Directory) InOffice(role string, day time.Time) (Signatory, error) {
	y, m, dd := day.Date()
	date := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	for _, s := range d {
		if s.Role != role {
			continue
		}
		if date.Before(dateOnly(s.From)) {
			continue
		}
		if !s.To.IsZero() && date.After(dateOnly(s.To)) {
			continue
		}
		return s, nil
	}
	return Signatory{}, Errorf(ErrNotFound,
		"No hay firmante en funciones para el cargo «%s» el %s; regístrelo en la configuración de firmantes.",
		role, LongDate(day))
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
