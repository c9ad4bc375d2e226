package legajo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Synonym is an abbreviation staff type and what it stands for: a search
// for «JS Tuxpan» finds «Jurisdicción Sanitaria No. II Tuxpan». Short is
// one word (a final dot is optional); Long holds one or more meanings.
type Synonym struct {
	Short string   `json:"short"`
	Long  []string `json:"long"`
}

// DefaultSynonyms are SESVER's usual abbreviations, the settings' synonyms
// until an administrator changes them.
func DefaultSynonyms() []Synonym {
	return []Synonym{
		{"JS", []string{"Jurisdicción Sanitaria"}},
		{"HR", []string{"Hospital Regional"}},
		{"HG", []string{"Hospital General"}},
		{"HC", []string{"Hospital Comunitario"}},
		{"CS", []string{"Centro de Salud"}},
		{"Depto.", []string{"Departamento"}},
		{"Dpto.", []string{"Departamento"}},
		{"Subd.", []string{"Subdirección"}},
		{"Subdir.", []string{"Subdirección"}},
		{"Dir.", []string{"Dirección", "Director"}},
		{"Coord.", []string{"Coordinación", "Coordinador"}},
		{"Secc.", []string{"Sección"}},
		{"BD", []string{"base de datos"}},
		{"Of.", []string{"oficio"}},
		{"Tel.", []string{"teléfono"}},
		{"Ext.", []string{"extensión"}},
		{"PC", []string{"computadora"}},
		{"RH", []string{"Recursos Humanos"}},
		{"RM", []string{"Recursos Materiales"}},
		{"RF", []string{"Recursos Financieros"}},
		{"DTI", []string{"Departamento de Tecnologías de la Información"}},
		{"TI", []string{"Tecnologías de la Información"}},
		{"LESP", []string{"Laboratorio Estatal de Salud Pública"}},
		{"SESVER", []string{"Servicios de Salud de Veracruz"}},
		{"Juris.", []string{"Jurisdicción"}},
		{"Jur.", []string{"Jurisdicción"}},
		{"Hosp.", []string{"Hospital"}},
		{"Gral.", []string{"General"}},
		{"Lab.", []string{"Laboratorio"}},
		{"Admón.", []string{"Administración"}},
		{"Admon.", []string{"Administración"}},
		{"Mtto.", []string{"mantenimiento"}},
		{"Mant.", []string{"mantenimiento"}},
		{"Cel.", []string{"celular"}},
		{"Compu", []string{"computadora"}},
		{"CPU", []string{"computadora"}},
		{"Email", []string{"correo electrónico"}},
		{"Wifi", []string{"red inalámbrica"}},
	}
}

// ParseSynonyms reads synonyms written one a line as «JS = Jurisdicción
// Sanitaria», several meanings apart by «;». Problems name the line.
func ParseSynonyms(text string) ([]Synonym, error) {
	var out []Synonym
	var probs []Problem
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		short, long, ok := strings.Cut(line, "=")
		short = strings.TrimSpace(short)
		var means []string
		for _, l := range strings.Split(long, ";") {
			if l = strings.TrimSpace(l); l != "" {
				means = append(means, l)
			}
		}
		if !ok {
			probs = append(probs, Problem{Field: "sinonimos", Message: fmt.Sprintf("Sinónimos, línea %d: escriba la abreviatura, «=» y su significado, p. ej. JS = Jurisdicción Sanitaria.", n+1)})
			continue
		}
		syn := Synonym{Short: short, Long: means}
		if p := syn.problem(); p != "" {
			probs = append(probs, Problem{Field: "sinonimos", Message: fmt.Sprintf("Sinónimos, línea %d: %s", n+1, p)})
			continue
		}
		out = append(out, syn)
	}
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}
	return out, nil
}

// problem says what is wrong with s, for the administrator; "" when
// nothing is.
func (s Synonym) problem() string {
	switch {
	case strings.TrimSpace(s.Short) == "" || len(s.Long) == 0:
		return "escriba la abreviatura, «=» y su significado, p. ej. JS = Jurisdicción Sanitaria."
	case strings.ContainsAny(strings.TrimSpace(s.Short), " \t"):
		return fmt.Sprintf("la abreviatura «%s» debe ser una sola palabra.", s.Short)
	case utf8.RuneCountInString(s.Short) > 20:
		return fmt.Sprintf("la abreviatura «%s» es demasiado larga (máximo 20 caracteres).", s.Short)
	}
	for _, l := range s.Long {
		if strings.TrimSpace(l) == "" || utf8.RuneCountInString(l) > 150 {
			return "cada significado debe tener de 1 a 150 caracteres."
		}
	}
	return ""
}

// FormatSynonyms writes synonyms as ParseSynonyms reads them.
func FormatSynonyms(list []Synonym) string {
	var b strings.Builder
	for _, s := range list {
		b.WriteString(s.Short + " = " + strings.Join(s.Long, "; ") + "\n")
	}
	return b.String()
}
