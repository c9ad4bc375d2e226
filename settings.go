package legajo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Settings are what an administrator changes from the web application: the
// signatories with their dates of validity, the areas of SESVER offered in
// forms, and the expedientes with their classification and retention. They
// are stored in the archive, every change a new version; the configuration
// file only seeds them.
type Settings struct {
	Directory   Directory    `json:"signatories"`
	Areas       []string     `json:"areas"`
	Expedientes []Expediente `json:"expedientes"`
	// Synonyms are the abbreviations search understands; nil (settings
	// saved before there were any): DefaultSynonyms.
	Synonyms  []Synonym `json:"synonyms"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`

	// NonWorkingDays are the institution's own días inhábiles (AAAA-MM-DD)
	// besides weekends and the rest days of the Ley Federal del Trabajo.
	NonWorkingDays []string `json:"non_working_days,omitempty"`

	// BillLayouts are the carriers' bill layouts (telephony); none:
	// DefaultBillLayout.
	BillLayouts []BillLayout `json:"bill_layouts,omitempty"`
}

// SettingsStore keeps the versions of the settings.
type SettingsStore interface {
	// Settings returns the latest version, or ErrNotFound when none was
	// ever saved.
	Settings(ctx context.Context) (Settings, error)
	// SaveSettings stores s as the next version; s.Version must be the
	// version it was read at (0 for the first); a concurrent change fails
	// with ErrConflict.
	SaveSettings(ctx context.Context, s Settings) (Settings, error)
}

// Validate checks settings as a whole; problems are worded for the
// administrator who typed them.
func (s Settings) Validate() error {
	var probs []Problem
	add := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for i, d := range s.Directory {
		n := i + 1
		if !validName(d.Role) {
			add("firmantes", "Firmante %d: el cargo «%s» debe escribirse en minúsculas, p. ej. jefe-dti.", n, d.Role)
		}
		if strings.TrimSpace(d.Name) == "" || strings.TrimSpace(d.Position) == "" {
			add("firmantes", "Firmante %d: el nombre y el puesto son obligatorios.", n)
		}
		if d.From.IsZero() {
			add("firmantes", "Firmante %d: la fecha de inicio es obligatoria.", n)
		}
		if !d.To.IsZero() && d.To.Before(d.From) {
			add("firmantes", "Firmante %d: la fecha de término es anterior a la de inicio.", n)
		}
		for _, r := range d.Name + d.Position {
			if _, ok := CP1252(r); !ok {
				add("firmantes", "Firmante %d: el carácter «%c» no se puede imprimir.", n, r)
				break
			}
		}
		for j := range i {
			o := s.Directory[j]
			if o.Role == d.Role && overlaps(o, d) {
				add("firmantes", "Firmantes %d y %d: dos personas ocupan el cargo «%s» en fechas que se traslapan.", j+1, n, d.Role)
			}
		}
	}
	seen := map[string]bool{}
	for _, e := range s.Expedientes {
		if err := e.Validate(); err != nil {
			add("expedientes", "Expediente «%s»: %v", e.ID, err)
		}
		if seen[e.ID] {
			add("expedientes", "El expediente «%s» está repetido.", e.ID)
		}
		seen[e.ID] = true
	}
	if len(s.Expedientes) == 0 {
		add("expedientes", "Debe haber al menos un expediente.")
	}
	for _, a := range s.Areas {
		if strings.TrimSpace(a) == "" || len([]rune(a)) > 150 {
			add("areas", "Cada área debe tener de 1 a 150 caracteres.")
			break
		}
	}
	for i, syn := range s.Synonyms {
		if p := syn.problem(); p != "" {
			add("sinonimos", "Sinónimo %d: %s", i+1, p)
		}
	}
	names := map[string]bool{}
	for i, l := range s.BillLayouts {
		if err := l.Validate(); err != nil {
			add("formatos", "Formato de factura %d: %v", i+1, err)
		}
		if names[l.Name] {
			add("formatos", "El formato de factura «%s» está repetido.", l.Name)
		}
		names[l.Name] = true
	}
	if _, err := NewCalendar(s.NonWorkingDays); err != nil {
		add("dias_inhabiles", "%v", err)
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

func overlaps(a, b Signatory) bool {
	aEnd, bEnd := a.To, b.To
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if aEnd.IsZero() {
		aEnd = far
	}
	if bEnd.IsZero() {
		bEnd = far
	}
	return !a.From.After(bEnd) && !b.From.After(aEnd)
}

// directoryHolder lets the Office's signatories change while it serves.
type directoryHolder struct {
	mu  sync.RWMutex
	dir Directory
	set bool
}
