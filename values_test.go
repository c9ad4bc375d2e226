package legajo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

func testType() *legajo.DocType {
	t := &legajo.DocType{ID: "prueba", Title: "Documento de prueba", Fields: []legajo.Field{
		{Name: "area", Label: "Área solicitante", Type: legajo.FieldText, Required: true, MaxLen: 30},
		{Name: "fecha", Label: "Fecha", Type: legajo.FieldDate},
		{Name: "hora", Label: "Hora", Type: legajo.FieldTime},
		{Name: "cantidad", Label: "Cantidad", Type: legajo.FieldNumber},
		{Name: "costo", Label: "Costo", Type: legajo.FieldMoney},
		{Name: "correo", Label: "Correo", Type: legajo.FieldEmail},
		{Name: "variante", Label: "Variante", Type: legajo.FieldChoice, Options: []string{"inviabilidad", "refacciones"}},
		{Name: "notas", Label: "Notas", Type: legajo.FieldLongText},
		{Name: "clave", Label: "Contraseña", Type: legajo.FieldSecret},
		{Name: "equipos", Label: "Equipos", Type: legajo.FieldTable, MaxRows: 3, Columns: []legajo.Field{
			{Name: "serie", Label: "Número de serie", Type: legajo.FieldText, Required: true},
			{Name: "costo", Label: "Costo", Type: legajo.FieldMoney},
		}},
	}}
	t.Index()
	return t
}

func TestValidateCanonical(t *testing.T) {
	vals, err := testType().Validate(map[string]any{
		"area": "  Dirección de Salud Pública ", "fecha": "2026-11-26", "hora": "09:05", "cantidad": "007",
		"costo": "$1,250.5", "correo": "Juan.Perez@SSAVER.gob.mx", "variante": "Refacciones",
		"notas": "uno\r\ndos\n\n", "clave": " s3cr3t ",
		"equipos": []any{map[string]any{"serie": "MXL1234", "costo": "99"}, map[string]any{"serie": "", "costo": ""}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"area": "Dirección de Salud Pública", "fecha": "2026-11-26", "hora": "09:05", "cantidad": "7",
		"costo": "1250.50", "correo": "Juan.Perez@ssaver.gob.mx", "variante": "refacciones", "notas": "uno\ndos",
		"clave": " s3cr3t ",
	}
	for k, w := range want {
		if got := vals[k].Text; got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if rows := vals["equipos"].Rows; len(rows) != 1 || rows[0]["costo"] != "99.00" {
		t.Errorf("equipos = %v, want one row (blank rows dropped) with costo 99.00", rows)
	}
}

func TestValidateProblems(t *testing.T) {
	tests := []struct {
		name  string
		data  map[string]any
		wants []string
	}{
		{"Required", map[string]any{}, []string{"El campo «Área solicitante» es obligatorio."}},
		{"Date", map[string]any{"area": "x", "fecha": "26/11/2026"}, []string{"«Fecha» no es una fecha válida (use AAAA-MM-DD)."}},
		{"Feb30", map[string]any{"area": "x", "fecha": "2026-02-30"}, []string{"«Fecha» no es una fecha válida"}},
		{"Time", map[string]any{"area": "x", "hora": "25:00"}, []string{"«Hora» no es una hora válida"}},
		{"Number", map[string]any{"area": "x", "cantidad": "doce"}, []string{"«Cantidad» no es un número válido"}},
		{"Money", map[string]any{"area": "x", "costo": "12.345"}, []string{"«Costo» no es una cantidad de dinero válida"}},
		{"NegativeNumber", map[string]any{"area": "x", "cantidad": "-3"}, []string{"«Cantidad» no puede ser negativo."}},
		{"NegativeMoney", map[string]any{"area": "x", "costo": "-$1,250.00"}, []string{"«Costo» no puede ser una cantidad negativa."}},
		{"NegativeInTable", map[string]any{"area": "x", "equipos": []any{map[string]any{"serie": "1", "costo": "-10"}}},
			[]string{"«Equipos», renglón 1: «Costo» no puede ser una cantidad negativa."}},
		{"MoneyGrouping", map[string]any{"area": "x", "costo": "1,25.00"}, []string{"«Costo» no es una cantidad de dinero válida"}},
		{"Email", map[string]any{"area": "x", "correo": "juan@"}, []string{"«Correo» no es una dirección de correo válida"}},
		{"Choice", map[string]any{"area": "x", "variante": "otra"}, []string{"«Variante» debe ser una de estas opciones: inviabilidad, refacciones."}},
		{"TooLong", map[string]any{"area": strings.Repeat("ñ", 31)}, []string{"«Área solicitante» es demasiado largo: 31 caracteres; el máximo es 30."}},
		{"Control", map[string]any{"area": "a\x07b"}, []string{"«Área solicitante» contiene caracteres de control no permitidos."}},
		{"NewlineInText", map[string]any{"area": "a\nb"}, []string{"contiene caracteres de control"}},
		{"Unprintable", map[string]any{"area": "ok 😀"}, []string{"«Área solicitante» contiene el carácter «😀», que no se puede imprimir"}},
		{"Unknown", map[string]any{"area": "x", "zzz": "1"}, []string{"El campo «zzz» no existe en «Documento de prueba»."}},
		{"NotText", map[string]any{"area": map[string]any{}}, []string{"«Área solicitante» debe ser texto, no un objeto."}},
		{"TableNotList", map[string]any{"area": "x", "equipos": "a"}, []string{"«Equipos» debe ser una lista de renglones."}},
		{"TableTooMany", map[string]any{"area": "x", "equipos": []any{
			map[string]any{"serie": "1"}, map[string]any{"serie": "2"}, map[string]any{"serie": "3"}, map[string]any{"serie": "4"}}},
			[]string{"«Equipos» admite como máximo 3 renglones (se recibieron 4)."}},
		{"TableCell", map[string]any{"area": "x", "equipos": []any{map[string]any{"serie": "1"}, map[string]any{"costo": "5"}}},
			[]string{"«Equipos», renglón 2: «Número de serie» es obligatorio."}},
		{"TableColumn", map[string]any{"area": "x", "equipos": []any{map[string]any{"serie": "1", "marca": "HP"}}},
			[]string{"«Equipos», renglón 1: la columna «marca» no existe."}},
		{"All at once", map[string]any{"fecha": "x", "hora": "y"}, []string{"«Área solicitante» es obligatorio", "«Fecha» no es", "«Hora» no es"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testType().Validate(tt.data)
			var ve *legajo.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, legajo.ErrInvalid) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if len(ve.Problems) != len(tt.wants) {
				t.Errorf("got %d problems %v, want %d", len(ve.Problems), ve.Problems, len(tt.wants))
			}
			for i, w := range tt.wants {
				if i < len(ve.Problems) && !strings.Contains(ve.Problems[i].Message, w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, ve.Problems[i].Message, w)
				}
			}
		})
	}
}

func TestRequiredTable(t *testing.T) {
	ty := testType()
	ty.Fields[9].Required = true
	_, err := ty.Validate(map[string]any{"area": "x", "equipos": []any{map[string]any{"serie": " "}}})
	if err == nil || !strings.Contains(err.Error(), "«Equipos» requiere al menos un renglón.") {
		t.Errorf("err = %v", err)
	}
}

func TestPublicDropsSecrets(t *testing.T) {
	ty := testType()
	vals, err := ty.Validate(map[string]any{"area": "x", "clave": "hunter2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ty.Public(vals)["clave"]; ok {
		t.Error("Public kept the secret")
	}
	if _, ok := vals["clave"]; !ok {
		t.Error("Validate lost the secret the delivered exemplar needs")
	}
}

func TestFormatMoney(t *testing.T) {
	for in, want := range map[string]string{"0.50": "$0.50", "1250.00": "$1,250.00", "1234567.89": "$1,234,567.89", "100.00": "$100.00"} {
		if got := legajo.FormatMoney(in); got != want {
			t.Errorf("FormatMoney(%s) = %s, want %s", in, got, want)
		}
	}
}
