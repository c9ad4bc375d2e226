package legajo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sesver/legajo"
)

// fuzzType has a field of every kind, a table with typed and secret
// columns, and tight limits, so that short inputs reach every rule.
var fuzzType = &legajo.DocType{ID: "prueba", Title: "Documento de prueba", Fields: []legajo.Field{
	{Name: "area", Label: "Área solicitante", Type: legajo.FieldText, Required: true, MaxLen: 30},
	{Name: "notas", Label: "Notas", Type: legajo.FieldLongText, MaxLen: 80},
	{Name: "fecha", Label: "Fecha", Type: legajo.FieldDate},
	{Name: "hora", Label: "Hora", Type: legajo.FieldTime},
	{Name: "cantidad", Label: "Cantidad", Type: legajo.FieldNumber},
	{Name: "costo", Label: "Costo", Type: legajo.FieldMoney},
	{Name: "correo", Label: "Correo", Type: legajo.FieldEmail},
	{Name: "variante", Label: "Variante", Type: legajo.FieldChoice, Options: []string{"inviabilidad", "refacciones"}},
	{Name: "contrasena", Label: "Contraseña", Type: legajo.FieldSecret, MaxLen: 20},
	{Name: "equipos", Label: "Equipos", Type: legajo.FieldTable, MaxRows: 3, Columns: []legajo.Field{
		{Name: "serie", Label: "Serie", Type: legajo.FieldText, Required: true, MaxLen: 12},
		{Name: "costo", Label: "Costo unitario", Type: legajo.FieldMoney},
		{Name: "pin", Label: "PIN", Type: legajo.FieldSecret},
	}},
}}

// FuzzValidate feeds any JSON object to Prepare as a clerk's data. Valid
// data comes back canonical (validating it again changes nothing) and
// within its limits; anything else is ErrInvalid, every problem naming a
// field in Spanish, with «» around its label.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		`{"area":"Jurisdicción Sanitaria No. V","fecha":"2026-11-26","hora":"09:30","cantidad":"12","costo":"$1,250.5","correo":"ana@Salud.Gob.MX","variante":"REFACCIONES","contrasena":"Vq7#tLm2-Rx94","notas":"uno\r\ndos\n\n","equipos":[{"serie":"X1","costo":"10","pin":"1234"},{"serie":"","costo":""}]}`,
		`{"area":"  "}`,
		`{"area":"x","fecha":"2026-02-30","hora":"24:00","cantidad":"1e3","costo":"-5","correo":"Ana <ana@x.mx>"}`,
		`{"area":"x","equipos":"no"}`,
		`{"area":"x","equipos":[1,{"serie":"a","otra":"b"}]}`,
		`{"area":"x","desconocido\u0000":true}`,
		`{"area":123.5,"cantidad":-0.0,"costo":1e400}`,
		`{"area":"\u20ac\u2603"}`,
		`{"area":"a\u0085b"}`,
		`{"area":"x","cantidad":"+000.50"}`,
	} {
		f.Add([]byte(s), uint8(0), "")
	}
	// One value typed into one field (the table's: into every column of a
	// row), over valid data: the fuzzer mutates the value itself.
	base := `{"area":"Jurisdicción Sanitaria No. V"}`
	for i, v := range []string{"", " x ", "2026-11-26", "23:59", "-0.50", "$1,250.50", "Ana@X.MX", "refacciones", "Vq7#tLm2-Rx94", "a\r\nb", "X1", "€"} {
		f.Add([]byte(base), uint8(i), v)
	}
	date := time.Date(2026, 11, 26, 16, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, field uint8, value string) {
		raw, ok := decodeObject(data)
		if !ok {
			return
		}
		if value != "" {
			fl := fuzzType.Fields[int(field)%len(fuzzType.Fields)]
			if fl.Type == legajo.FieldTable {
				raw[fl.Name] = []any{map[string]any{"serie": value, "costo": value, "pin": value}}
			} else {
				raw[fl.Name] = value
			}
		}
		doc, err := legajo.Prepare(legajo.Request{Type: fuzzType, Data: raw, Date: date})
		if err != nil {
			checkValidationError(t, err)
			return
		}
		checkCanonical(t, doc.Values)
		if len(doc.Digest) != 64 {
			t.Errorf("digest %q", doc.Digest)
		}
		again, err := fuzzType.Validate(reencode(t, doc.Values))
		if err != nil {
			t.Fatalf("canonical values do not validate again: %v\n%+v", err, doc.Values)
		}
		if !reflect.DeepEqual(again, doc.Values) {
			t.Fatalf("validation is not idempotent:\n%+v\n%+v", doc.Values, again)
		}
	})
}

func decodeObject(data []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if dec.Decode(&raw) != nil || raw == nil {
		return nil, false
	}
	return raw, true
}

// reencode turns values back into data as a form would submit it.
func reencode(t *testing.T, v legajo.Values) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	raw, ok := decodeObject(b)
	if !ok {
		t.Fatalf("values marshal to %s", b)
	}
	return raw
}

func checkValidationError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, legajo.ErrInvalid) {
		t.Fatalf("error is not ErrInvalid: %v", err)
	}
	var ve *legajo.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) == 0 {
		t.Fatalf("error without problems: %v", err)
	}
	for _, p := range ve.Problems {
		if !utf8.ValidString(p.Message) || !strings.HasSuffix(p.Message, ".") {
			t.Errorf("problem %+v", p)
		}
		field := fuzzType.Field(p.Field)
		if p.Field == "" {
			if p.Message != "Los datos traen un campo sin nombre, que «Documento de prueba» no tiene." {
				t.Errorf("nameless field: %q", p.Message)
			}
			continue
		}
		if field == nil {
			if !strings.HasPrefix(p.Message, "El campo «") || !strings.Contains(p.Message, "» no existe en «Documento de prueba».") {
				t.Errorf("unknown field %q: %q", p.Field, p.Message)
			}
			continue
		}
		if !strings.Contains(p.Message, "«"+field.Label+"»") {
			t.Errorf("the message does not name %s by its label: %q", p.Field, p.Message)
		}
		for _, r := range p.Message {
			if unicode.IsControl(r) {
				t.Errorf("control character in %q", p.Message)
			}
		}
	}
}

func checkCanonical(t *testing.T, vals legajo.Values) {
	t.Helper()
	check := func(f *legajo.Field, s string) {
		if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > f.Limit() {
			t.Errorf("%s: %q", f.Name, s)
		}
		if f.Type != legajo.FieldSecret && f.Type != legajo.FieldLongText && strings.TrimSpace(s) != s {
			t.Errorf("%s: not trimmed: %q", f.Name, s)
		}
		for _, r := range s {
			if _, ok := legajo.CP1252(r); !ok || unicode.IsControl(r) && !(f.Type == legajo.FieldLongText && (r == '\n' || r == '\t')) {
				t.Errorf("%s: %q holds %U", f.Name, s, r)
			}
		}
	}
	for name, v := range vals {
		f := fuzzType.Field(name)
		if f == nil {
			t.Fatalf("unknown field %q kept", name)
		}
		if f.Type != legajo.FieldTable {
			check(f, v.Text)
			continue
		}
		if len(v.Rows) == 0 || len(v.Rows) > f.RowLimit() {
			t.Errorf("%s: %d rows", name, len(v.Rows))
		}
		for _, row := range v.Rows {
			for c, cell := range row {
				for i := range f.Columns {
					if f.Columns[i].Name == c {
						check(&f.Columns[i], cell)
					}
				}
			}
		}
	}
}

// FuzzParseFolio: whatever is typed, ParseFolio returns a folio or
// ErrInvalid in Spanish; a folio it returns reads back the same from its
// String and from its Slug.
func FuzzParseFolio(f *testing.F) {
	const prefix = "SESVER/DA/DTI"
	for _, s := range []string{"SESVER/DA/DTI/OL/0042/2026", "sesver-da-dti-ol-42-2026", " SESVER/DA/DTI/RE/1/1900 ",
		"SESVER/DA/DTI/OL/0/2026", "SESVER/DA/DTI/OL/-1/2026", "SESVER/DA/DTI//0001/2026", "SESVER/DA/DTI/OL/+7/+2026",
		"SESVER/DA/DTI/ÿ/1/2026", "OL/0042/2026", "SESVER/DA/DTI/OL/99999999999999999999/2026", "SESVER/DA/DTI/O L/1/2026"} {
		f.Add(s, prefix)
	}
	f.Add("OL/0042/2026", "")
	f.Add("x/ol/3/2030", "x")
	f.Fuzz(func(t *testing.T, s, prefix string) {
		folio, err := legajo.ParseFolio(s, prefix)
		if err != nil {
			if !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "folio") || !utf8.ValidString(err.Error()) {
				t.Fatalf("ParseFolio(%q, %q): %v", s, prefix, err)
			}
			return
		}
		if folio.IsZero() || folio.Number < 1 || folio.Year < 1900 || folio.Serie == "" {
			t.Fatalf("ParseFolio(%q, %q) = %+v", s, prefix, folio)
		}
		for _, written := range []string{folio.String(), folio.Slug()} {
			again, err := legajo.ParseFolio(written, prefix)
			if err != nil || again != folio {
				t.Fatalf("ParseFolio(%q, %q) = %+v, but its %q reads as %+v, %v", s, prefix, folio, written, again, err)
			}
		}
	})
}

// FuzzSniffUpload: any bytes are accepted as one of the allowed kinds,
// told by their content, or refused with ErrInvalid naming the field.
func FuzzSniffUpload(f *testing.F) {
	for _, s := range []string{"%PDF-1.7\n", "\xFF\xD8\xFF\xE0", "\x89PNG\r\n\x1a\n", "II*\x00", "MM\x00*", "", "GIF89a", "%PDF", "<html>"} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
	}
	allowed := [][]string{nil, {"pdf"}, {"jpg", "png"}, {"tif"}}
	magic := map[string]string{"pdf": "%PDF-", "jpg": "\xFF\xD8\xFF", "png": "\x89PNG\r\n\x1a\n", "tif": ""}
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		kinds := allowed[int(which)%len(allowed)]
		ext, err := legajo.SniffUpload("Acuse firmado", b, kinds...)
		if err != nil {
			if ext != "" || !errors.Is(err, legajo.ErrInvalid) || !strings.HasPrefix(err.Error(), "«Acuse firmado»: ") {
				t.Fatalf("SniffUpload(%q, %v) = %q, %v", b, kinds, ext, err)
			}
			return
		}
		m, known := magic[ext]
		if !known || !bytes.HasPrefix(b, []byte(m)) || len(kinds) > 0 && !contains(kinds, ext) {
			t.Fatalf("SniffUpload(%q, %v) = %q", b, kinds, ext)
		}
		if ext == "tif" && !bytes.HasPrefix(b, []byte("II*\x00")) && !bytes.HasPrefix(b, []byte("MM\x00*")) {
			t.Fatalf("SniffUpload(%q) = tif", b)
		}
	})
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
