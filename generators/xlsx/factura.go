package xlsx

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

var _ legajo.SheetReader = ReadSheet

// ReadSheet reads the first worksheet of a carrier's bill exported as XLSX
// for legajo.ParseBill. Cells are read raw, not as the spreadsheet shows
// them: formatting 60,000 cells costs more than a third of the reading,
// and a telephone number stored as a number would show as 2.29E+09. A
// number stored with a binary tail (606.59000000000003, as Excel writes
// sums) is rounded to centavos. The unzipped size is bounded: an upload
// is not trusted to be a small workbook.
func ReadSheet(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 64 << 20, RawCellValue: true})
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
		for i, c := range cols {
			cols[i] = centavos(c)
		}
		out = append(out, cols)
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("la hoja «%s» no se pudo leer", sheets[0])
	}
	return out, nil
}

// centavos rounds a raw number with more than two decimals to two; any
// other cell is returned as it is.
func centavos(c string) string {
	dot := strings.IndexByte(c, '.')
	if dot < 0 || len(c)-dot-1 <= 2 || strings.ContainsAny(c, "eE") {
		return c
	}
	v, err := strconv.ParseFloat(c, 64)
	if err != nil {
		return c
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64)
}
