package legajo

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSynonymsRoundTrip(t *testing.T) {
	def := DefaultSynonyms()
	got, err := ParseSynonyms(FormatSynonyms(def))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, def) {
		t.Errorf("round trip:\n%v\nwant\n%v", got, def)
	}
	got, err = ParseSynonyms("\n  HR = Hospital Regional ; Hospital Rural \n\n")
	if err != nil || !reflect.DeepEqual(got, []Synonym{{"HR", []string{"Hospital Regional", "Hospital Rural"}}}) {
		t.Errorf("two meanings, blank lines: %v %v", got, err)
	}
	if got, err := ParseSynonyms(""); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
}

func TestSynonymsRefused(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"JS Jurisdicción Sanitaria", "línea 1: escriba la abreviatura, «=» y su significado"},
		{"JS = Jurisdicción\n= Hospital", "línea 2: escriba la abreviatura"},
		{"J S = Jurisdicción Sanitaria", "línea 1: la abreviatura «J S» debe ser una sola palabra"},
		{"JS =  ; ", "línea 1: escriba la abreviatura"},
		{"JS = " + strings.Repeat("x", 151), "línea 1: cada significado debe tener de 1 a 150 caracteres"},
		{strings.Repeat("J", 21) + " = x", "es demasiado larga"},
	} {
		_, err := ParseSynonyms(tc.text)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
	s := Settings{Synonyms: []Synonym{{Short: "a b", Long: []string{"x"}}}}
	if err := s.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Sinónimo 1: la abreviatura «a b» debe ser una sola palabra.") {
		t.Errorf("settings with a bad synonym: %v", err)
	}
}
