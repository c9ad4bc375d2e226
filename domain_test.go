package legajo_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

func TestLongDate(t *testing.T) {
	for _, tt := range []struct {
		d    time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), "26 de noviembre de 2026"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "1 de enero de 2027"},
		{time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC), "15 de septiembre de 2026"},
	} {
		if got := legajo.LongDate(tt.d); got != tt.want {
			t.Errorf("LongDate = %q, want %q", got, tt.want)
		}
	}
}

func TestFolio(t *testing.T) {
	f := legajo.Folio{Prefix: "SESVER/DA/DTI", Serie: "OL", Number: 42, Year: 2026}
	if got, want := f.String(), "SESVER/DA/DTI/OL/0042/2026"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if got, want := f.Slug(), "SESVER-DA-DTI-OL-0042-2026"; got != want {
		t.Errorf("Slug = %q, want %q", got, want)
	}
	for _, in := range []string{"SESVER/DA/DTI/OL/0042/2026", "sesver-da-dti-ol-0042-2026", " SESVER/DA/DTI/OL/42/2026 "} {
		got, err := legajo.ParseFolio(in, "SESVER/DA/DTI")
		if err != nil || got != f {
			t.Errorf("ParseFolio(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"OL/0042/2026", "SESVER/DA/DTI/OL/x/2026", "SESVER/DA/DTI/OL/0/2026", "SESVER/DA/DTI//1/2026"} {
		if _, err := legajo.ParseFolio(in, "SESVER/DA/DTI"); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("ParseFolio(%q) err = %v, want ErrInvalid", in, err)
		}
	}
}

func TestDirectory(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(legajo.DateLayout, s); return d }
	dir := legajo.Directory{
		{Role: "jefe-dti", Name: "Act. Jesús Tadeo", From: day("2016-01-01"), To: day("2018-11-30")},
		{Role: "jefe-dti", Name: "Ing. Laura Méndez", From: day("2024-12-01")},
	}
	for _, tt := range []struct{ date, want string }{
		{"2016-01-01", "Act. Jesús Tadeo"}, {"2018-11-30", "Act. Jesús Tadeo"}, {"2024-12-01", "Ing. Laura Méndez"}, {"2030-05-05", "Ing. Laura Méndez"},
	} {
		got, err := dir.InOffice("jefe-dti", day(tt.date).Add(15*time.Hour))
		if err != nil || got.Name != tt.want {
			t.Errorf("InOffice(%s) = %q, %v; want %q", tt.date, got.Name, err, tt.want)
		}
	}
	_, err := dir.InOffice("jefe-dti", day("2020-06-01"))
	if !errors.Is(err, legajo.ErrNotFound) || !strings.Contains(err.Error(), "1 de junio de 2020") {
		t.Errorf("gap in office: err = %v, want ErrNotFound naming the date", err)
	}
}

func TestText(t *testing.T) {
	x, err := legajo.ParseText("Liberación del {{sistema}}, versión {{ version }}.")
	if err != nil {
		t.Fatal(err)
	}
	got := x.Expand(func(n string) string { return map[string]string{"sistema": "SICIP", "version": "1.0"}[n] })
	if want := "Liberación del SICIP, versión 1.0."; got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	for _, bad := range []string{"{{sin cerrar", "{{Mayúscula}}", "{{}}", "a }} b"} {
		if _, err := legajo.ParseText(bad); err == nil {
			t.Errorf("ParseText(%q) accepted", bad)
		}
	}
}

func TestPrepareDigest(t *testing.T) {
	ty := testType()
	req := legajo.Request{Type: ty, Data: map[string]any{"area": "x", "clave": "uno"},
		Folio: legajo.Folio{Serie: "P", Number: 1, Year: 2026}, Date: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	a, err := legajo.Prepare(req)
	if err != nil {
		t.Fatal(err)
	}
	req.Data = map[string]any{"area": "x", "clave": "dos"}
	b, _ := legajo.Prepare(req)
	if a.Digest != b.Digest {
		t.Error("the digest must not depend on secrets (they are never stored, so it could not be checked)")
	}
	req.Data = map[string]any{"area": "y"}
	c, _ := legajo.Prepare(req)
	if a.Digest == c.Digest {
		t.Error("the digest must change with the content")
	}
	if !strings.Contains(a.VerifyURL(), "/verificar/P-0001-2026?h="+a.Digest[:16]) {
		t.Errorf("VerifyURL = %s", a.VerifyURL())
	}
}
