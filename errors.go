package legajo

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. Adapters translate their backend errors into these at their
// boundary so callers can decide with errors.Is.
var (
	ErrInvalid  = errors.New("invalid")
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: a service Legajo depends on (the archive's storage)
	// is down or did not answer in time; the same request may work later.
	ErrUnavailable = errors.New("unavailable")
	// ErrFull: the archive's storage has no room left for what was written.
	ErrFull = errors.New("storage full")
)

// Problem is one thing wrong with one field of submitted data, worded for
// the clerk who typed it.
type Problem struct {
	Field   string `json:"field"`   // field name; "" when the problem is not about one field
	Message string `json:"message"` // Spanish, names the field by its label
}

// ValidationError reports every problem found in submitted data at once.
// It matches ErrInvalid.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for validation errors.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Errorf returns an error of the given kind whose message is meant for a
// person: it is returned by Error() as is, without the kind's text.
func Errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }
