package legajo

import (
	"strings"
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
	// Gender is the grammatical gender the documents use for the person:
	// GenderF or GenderM; "" lets Feminine tell it from the position.
	Gender string `json:"gender,omitempty"`
}

// Grammatical genders, as configured for signatories and chosen in forms.
const (
	GenderF = "F"
	GenderM = "M"
	// The options of a form's gender field.
	OptionF = "Femenino"
	OptionM = "Masculino"
)

// Feminine tells whether the documents speak of s in the feminine: as
// configured, or else as the position says it (a position is worded for its
// holder: «Jefa», «Directora», «Subdirectora»), or else as a title only one
// gender bears («Dra.», «Mtra.»). Anything else is masculine, the form
// Spanish uses when it does not know.
func (s Signatory) Feminine() bool {
	switch strings.ToUpper(s.Gender) {
	case GenderF:
		return true
	case GenderM:
		return false
	}
	word, _, _ := strings.Cut(strings.TrimSpace(s.Position), " ")
	switch strings.ToLower(word) {
	case "jefa", "directora", "subdirectora", "coordinadora", "encargada", "secretaria", "presidenta", "administradora", "delegada", "supervisora":
		return true
	case "jefe", "director", "subdirector", "coordinador", "encargado", "secretario", "presidente", "administrador", "delegado", "supervisor":
		return false
	}
	return feminineTitle(s.Name)
}

// feminineTitle tells whether name begins with a title only women bear.
func feminineTitle(name string) bool {
	title, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	switch title {
	case "Dra.", "Mtra.", "Profa.", "Lda.", "Licda.", "Sra.", "Srita.":
		return true
	}
	return false
}

// ValidGender tells whether g is a gender a signatory may be configured with.
func ValidGender(g string) bool { return g == "" || g == GenderF || g == GenderM }

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
