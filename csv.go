package legajo

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"
)

// Imports (a carrier's bill, a registry's rows) take CSV as spreadsheets
// save it; csvRows reads it once for all of them, and each caller words
// the errors for its own file.
var (
	errNotText     = errors.New("not text")
	errTooManyRows = errors.New("too many rows")
)

// csvRowError is a row a CSV file breaks, numbered as the spreadsheet shows
// it, with the reason in Spanish.
type csvRowError struct {
	Row    int
	Reason string
}

func (e *csvRowError) Error() string { return e.Reason }

// csvRows reads the rows of a CSV file: UTF-8 (with or without its BOM) or
// Windows-1252 (Excel in Spanish saves CSV so), separated by the comma,
// semicolon or tab used most in a line among the first ten (a title line
// above the headers has none). A blank line keeps its place as a nil row,
// so that rows are numbered as the spreadsheet shows them. More than max
// rows is errTooManyRows.
func csvRows(data []byte, max int) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, errNotText
	}
	if !utf8.Valid(data) {
		data = []byte(decodeCharset("windows-1252", data))
	}
	sep, best := ',', 0
	rest := data
	for range 10 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		for _, c := range []rune{',', ';', '\t'} {
			if n := bytes.Count(line, []byte(string(c))); n > best {
				sep, best = c, n
			}
		}
		if len(rest) == 0 {
			break
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &csvRowError{Row: pe.Line, Reason: csvReason(pe.Err)}
			}
			return nil, err
		}
		if len(rows) >= max {
			return nil, errTooManyRows
		}
		line, _ := r.FieldPos(0)
		for len(rows) < line-1 {
			rows = append(rows, nil)
		}
		rows = append(rows, rec)
	}
}

func csvReason(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return "hay comillas sin cerrar o en medio de un valor"
	}
	return err.Error()
}
