package xlsx_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/xlsx"
)

// TestReadTable reads what an import gets from Excel: text with accents,
// a date cell whatever its format shows, a number, blank cells.
func TestReadTable(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Cuenta de correo", "Nombre del usuario", "Fecha de creación", "Número de empleado"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"rosa.chazaro@ssaver.gob.mx", "Rosa Elena Cházaro Ortega", time.Date(2019, 3, 4, 0, 0, 0, 0, time.UTC), 48213})
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "C2", "C2", style)
	f.SetSheetRow("Sheet1", "A3", &[]any{"luis.perez@ssaver.gob.mx", "Luis Pérez Núñez"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	table, err := xlsx.ReadTable(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != 3 || table[1][2] != "2019-03-04" || table[1][3] != "48213" || table[1][1] != "Rosa Elena Cházaro Ortega" || len(table[2]) != 2 {
		t.Fatalf("table: %q", table)
	}
	if _, err := xlsx.ReadTable([]byte("cuenta,nombre\n")); err == nil || !strings.Contains(err.Error(), "no es un libro de Excel") {
		t.Fatalf("a CSV as XLSX: %v", err)
	}
	// The export of a registry opens and holds its rows, without passwords.
	d := legajo.PadronCorreo()
	rows := []*legajo.RegistroRow{{Key: "rosa.chazaro@ssaver.gob.mx", Active: true, Fields: map[string]string{"cuenta": "rosa.chazaro@ssaver.gob.mx",
		"usuario_nombre": "Rosa Elena Cházaro Ortega", "fecha_alta": "2019-03-04", "rama": legajo.RamaImportada}}}
	buf.Reset()
	info := legajo.InstrumentInfo{By: "Ana Ruiz", At: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	if err := xlsx.RegistroVivo(&buf, legajo.RegistroReport(d, rows, legajo.RegistroQuery{}, info)); err != nil {
		t.Fatal(err)
	}
	back, err := xlsx.ReadTable(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, r := range back {
		all += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"PADRÓN DE CUENTAS DE CORREO ELECTRÓNICO", "Rosa Elena Cházaro Ortega", "Anterior a Legajo", "2019-03-04", "Vigente"} {
		if !strings.Contains(all, want) {
			t.Errorf("export lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(strings.ToLower(all), "contraseña|") {
		t.Error("a password column in the export")
	}
}
