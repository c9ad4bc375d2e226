package xlsx

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

var _ legajo.SheetReader = ReadSheet

// ReadSheet reads the first worksheet of a carrier's bill exported as XLSX,
// each cell as the spreadsheet shows it ("1,250.50" for a number formatted
// with thousands), for legajo.ParseBill. The unzipped size is bounded: an
// upload is not trusted to be a small workbook.
func ReadSheet(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("no es un libro de Excel válido")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("el libro no tiene hojas")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("la hoja «%s» no se pudo leer", sheets[0])
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		if len(out) > legajo.MaxBillLines+20 {
			return nil, fmt.Errorf("la hoja tiene más de %d renglones", legajo.MaxBillLines)
		}
		cols, err := rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("el renglón %d no se pudo leer", len(out)+1)
		}
		out = append(out, cols)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("la hoja «%s» no se pudo leer", sheets[0])
	}
	return out, nil
}
