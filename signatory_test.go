package legajo

import "testing"

func TestFeminine(t *testing.T) {
	for _, c := range []struct {
		s    Signatory
		want bool
	}{
		{Signatory{Name: "Ing. Laura Patricia Méndez Ortiz", Position: "Jefa del Departamento de Tecnologías de la Información"}, true},
		{Signatory{Name: "Ing. Rodrigo Salas Viveros", Position: "Jefe de la Sección de Sistemas"}, false},
		{Signatory{Name: "Lic. Rosa Elena Cházaro Ortega", Position: "Subdirectora de Recursos Materiales"}, true},
		{Signatory{Name: "Dra. Ana Ruiz", Position: "Titular de la Unidad de Transparencia"}, true},
		{Signatory{Name: "Lic. Ana Ruiz", Position: "Titular de la Unidad de Transparencia"}, false},
		{Signatory{Name: "Lic. Ana Ruiz", Position: "Titular de la Unidad de Transparencia", Gender: "F"}, true},
		{Signatory{Name: "Ing. Marisol Hernández", Position: "Jefa de la Sección", Gender: "M"}, false},
	} {
		if got := c.s.Feminine(); got != c.want {
			t.Errorf("%s, %s (%q): feminine %v, want %v", c.s.Name, c.s.Position, c.s.Gender, got, c.want)
		}
	}
}

func TestInflect(t *testing.T) {
	for _, c := range []struct {
		value string
		fem   bool
		form  string
		want  string
	}{
		{"C. Ricardo Hernández", false, "del", "del C. Ricardo Hernández"},
		{"C. María Sosa", true, "del", "de la C. María Sosa"},
		{"Ing. Tomás Barradas", false, "el", "el Ing. Tomás Barradas"},
		{"Ing. Marisol Hernández", true, "El", "La Ing. Marisol Hernández"},
		{"L.C.C. Mariana Téllez", true, "al", "a la L.C.C. Mariana Téllez"},
		{"Dr. Ernesto Vázquez", false, "al", "al Dr. Ernesto Vázquez"},
		{"", true, "al", ""},
		{"L.C.C. Mariana Téllez", true, "designado/designada", "designada"},
		{"Dr. Ernesto Vázquez", false, "JEFE INMEDIATO/JEFA INMEDIATA", "JEFE INMEDIATO"},
		{"x", false, "", "x"},
	} {
		if got := Inflect(c.value, c.fem, c.form); got != c.want {
			t.Errorf("Inflect(%q, %v, %q) = %q, want %q", c.value, c.fem, c.form, got, c.want)
		}
	}
	for _, bad := range []string{"{{x:}}", "{{x:ella}}", "{{x:a/}}", "{{x:/b}}", "{{X:el}}"} {
		if _, err := ParseText(bad); err == nil {
			t.Errorf("ParseText(%q) accepted", bad)
		}
	}
	txt := MustText("entrega {{enlace:al}}, {{enlace:designado/designada}} por {{rol.jefe-dti:el}}")
	got := txt.Expand(func(key string) string { return "[" + key + "]" })
	if want := "entrega [enlace:al], [enlace:designado/designada] por [rol.jefe-dti:el]"; got != want {
		t.Errorf("Expand keys: %q", got)
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 fojas", 1: "1 foja", 2: "2 fojas"} {
		if got := Plural(n, "foja", "fojas"); got != want {
			t.Errorf("Plural(%d) = %q", n, got)
		}
	}
	if got := Plural(1, "año", "años"); got != "un año" {
		t.Errorf("Plural(1, año) = %q", got)
	}
}
