package legajo

import (
	"bytes"
	"testing"
)

func TestFingerprint(t *testing.T) {
	typ := &DocType{ID: "alta", Title: "Alta", Fields: []Field{
		{Name: "cuenta", Label: "Cuenta", Type: FieldText},
		{Name: "clave", Label: "Contraseña", Type: FieldSecret},
		{Name: "equipos", Label: "Equipos", Type: FieldTable, Columns: []Field{
			{Name: "serie", Label: "Serie", Type: FieldText},
			{Name: "pin", Label: "PIN", Type: FieldSecret},
		}},
	}}
	vals := func(cuenta, clave, pin string) Values {
		return Values{"cuenta": {Text: cuenta}, "clave": {Text: clave},
			"equipos": {Rows: []Row{{"serie": "X1", "pin": pin}}}}
	}
	keyed := &Office{RequestKey: bytes.Repeat([]byte{7}, 32)}
	other := &Office{RequestKey: bytes.Repeat([]byte{8}, 32)}
	keyless := &Office{}
	base := vals("ana", "Secreta#1", "4321")
	tests := []struct {
		name        string
		first, next *Office
		v           Values
		exp         string
		same        bool
	}{
		{"same request", keyed, keyed, base, "correos", true},
		{"another public value", keyed, keyed, vals("beto", "Secreta#1", "4321"), "correos", false},
		{"another expediente", keyed, keyed, base, "dti", false},
		{"another password", keyed, keyed, vals("ana", "Otra#2", "4321"), "correos", false},
		{"another secret column", keyed, keyed, vals("ana", "Secreta#1", "0000"), "correos", false},
		{"another password, no key", keyless, keyless, vals("ana", "Otra#2", "4321"), "correos", true},
		{"another password, another key", keyed, other, vals("ana", "Otra#2", "4321"), "correos", true},
		{"another password, first without key", keyless, keyed, vals("ana", "Otra#2", "4321"), "correos", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := tt.first.fingerprint(typ, "correos", "", base)
			next := tt.next.fingerprint(typ, tt.exp, "", tt.v)
			if got := first.Same(next); got != tt.same {
				t.Errorf("Same = %v, want %v\n%+v\n%+v", got, tt.same, first, next)
			}
		})
	}
	fp := keyed.fingerprint(typ, "correos", "", base)
	if fp.Secrets == "" || fp.Key == "" {
		t.Errorf("keyed fingerprint: %+v", fp)
	}
	if fp.Public != keyless.fingerprint(typ, "correos", "", vals("ana", "otra", "1")).Public {
		t.Error("the public fingerprint depends on a secret")
	}
	if fp := keyed.fingerprint(&DocType{ID: "minuta", Fields: typ.Fields[:1]}, "", "", Values{"cuenta": {Text: "x"}}); fp.Secrets != "" || fp.Key != "" {
		t.Errorf("a type without secrets got a MAC: %+v", fp)
	}
}

func TestSecretsIsWhatPublicLeavesOut(t *testing.T) {
	typ := &DocType{ID: "alta", Fields: []Field{
		{Name: "cuenta", Type: FieldText},
		{Name: "clave", Type: FieldSecret},
		{Name: "equipos", Type: FieldTable, Columns: []Field{{Name: "serie", Type: FieldText}, {Name: "pin", Type: FieldSecret}}},
		{Name: "notas", Type: FieldTable, Columns: []Field{{Name: "texto", Type: FieldText}}},
	}}
	v := Values{"cuenta": {Text: "ana"}, "clave": {Text: "s3creta"},
		"equipos": {Rows: []Row{{"serie": "X1", "pin": "1234"}, {"serie": "X2"}}},
		"notas":   {Rows: []Row{{"texto": "hola"}}}}
	s := typ.Secrets(v)
	if len(s) != 2 || s["clave"].Text != "s3creta" || len(s["equipos"].Rows) != 2 ||
		s["equipos"].Rows[0]["pin"] != "1234" || s["equipos"].Rows[0]["serie"] != "" || len(s["equipos"].Rows[1]) != 0 {
		t.Errorf("Secrets = %+v", s)
	}
}
