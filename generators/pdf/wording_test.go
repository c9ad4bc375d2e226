package pdf_test

import (
	"regexp"
	"strings"
	"testing"
)

// slashForms are wordings that leave the reader to pick the gender or the
// number: «Jefe(a)», «documento(s)», «designado/a», «los/las».
var slashForms = []*regexp.Regexp{
	regexp.MustCompile(`\pL\((a|as|s|es|A|AS|S|ES|o|os)\)`),
	regexp.MustCompile(`\pL(o|os|e|es)/(a|as)\b`),
	regexp.MustCompile(`(?i)\b(el/la|la/el|los/las|del/de la|al/a la)\b`),
}

// bareTitle is a title right after a preposition or «es» without its
// article: «de C. Ricardo», «a L.C.C. Mariana», «es Ing. Tomás».
var bareTitle = regexp.MustCompile(`\b(de|a|es|con|por|para) (C|Ing|Lic|L\.C\.C|Q\.F\.B|Dr|Dra|Mtro|Mtra|Act|C\.P|Arq|L\.I)\. \p{Lu}`)

// TestWordingFromData reads every tanto of every sample as a person would
// and finds no slash forms, no title without its article, and the words
// each person's gender asks for.
func TestWordingFromData(t *testing.T) {
	r := newRenderer(t, false)
	want := map[string][]string{
		"informe-baja-accesos":             {"Baja de permisos y accesos del C. Ricardo Hernández Montiel", "relación laboral del C. Ricardo"},
		"informe-baja-accesos.sin-accesos": {"accesos de la C. María Guadalupe Sosa Landa", "relación laboral de la C. María", "Expediente Personal que causa baja/Sin Cuentas"},
		"responsiva-micrositio":            {"entrega a la L.C.C. Mariana Téllez Zamudio", "designada por el área solicitante", "su jefe inmediato.", "JEFE INMEDIATO"},
		"oficio-proveedor.temporal":        {"en el área afectada es el Ing. Tomás Barradas Luna"},
		"solicitud-contratacion":           {"designó como contacto a la Q.F.B. Adriana"},
		"minuta-mantenimiento":             {"la firman de conformidad la Jefa del Departamento de Tecnologías de la Información", "Servicio realizado Mantenimiento y actualización"},
		"justificacion-tecnica.material":   {"determinadas su ubicación y trayectoria"},
		"dictamen-tecnico.baja":            {"Motivo de la baja Obsolescencia del equipo"},
		"minuta":                           {"Lista de asistencia Nombre Cargo Área", "Firma"},
	}
	seen := map[string]bool{}
	for _, s := range samples(t) {
		for _, tanto := range s.doc.Type.Tantos {
			txt := squash(pdftotext(t, render(t, r, s.doc, tanto)))
			where := s.name + " " + tanto.Name
			for _, re := range slashForms {
				if m := re.FindString(txt); m != "" {
					t.Errorf("%s: slash form %q", where, m)
				}
			}
			if m := bareTitle.FindString(txt); m != "" {
				t.Errorf("%s: a title without its article: %q", where, m)
			}
			for _, w := range want[s.name] {
				if !strings.Contains(txt, w) {
					t.Errorf("%s lacks %q", where, w)
				}
			}
			seen[s.name] = true
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no sample %s", name)
		}
	}
}
