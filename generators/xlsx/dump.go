package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Dump writes a workbook as text, the way golden tests compare spreadsheets:
// per sheet, its frozen panes, autofilter, print titles, column widths and
// merged cells, then every non-empty cell with its type and the value as
// Excel shows it ("fecha 26/11/2026 09:00", "número 3", "texto …"). Bytes
// of an XLSX differ from one write to the next; this does not.
func Dump(r io.Reader) (string, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("xlsx: dump: %w", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		return "", fmt.Errorf("xlsx: dump: %w", err)
	}
	defer f.Close()
	filters, err := autoFilters(raw)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, name := range f.GetSheetList() {
		fmt.Fprintf(&b, "== hoja %q\n", name)
		if p, err := f.GetPanes(name); err == nil && p.Freeze {
			fmt.Fprintf(&b, "inmovilizada hasta la fila %d\n", p.YSplit)
		}
		if ref := filters[i+1]; ref != "" {
			fmt.Fprintf(&b, "autofiltro %s\n", ref)
		}
		for _, d := range f.GetDefinedName() {
			if d.Scope == name && d.Name == "_xlnm.Print_Titles" {
				fmt.Fprintf(&b, "títulos de impresión %s\n", d.RefersTo)
			}
		}
		rows, err := f.GetRows(name)
		if err != nil {
			return "", fmt.Errorf("xlsx: dump: %w", err)
		}
		cols := 0
		for _, row := range rows {
			cols = max(cols, len(row))
		}
		var ws []string
		for c := 1; c <= cols; c++ {
			col, _ := excelize.ColumnNumberToName(c)
			w, err := f.GetColWidth(name, col)
			if err != nil {
				return "", fmt.Errorf("xlsx: dump: %w", err)
			}
			ws = append(ws, col+"="+strconv.FormatFloat(w, 'f', -1, 64))
		}
		if len(ws) > 0 {
			fmt.Fprintf(&b, "anchos %s\n", strings.Join(ws, " "))
		}
		merged, err := f.GetMergeCells(name, true)
		if err != nil {
			return "", fmt.Errorf("xlsx: dump: %w", err)
		}
		var ms []string
		for _, m := range merged {
			ms = append(ms, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		sort.Strings(ms)
		if len(ms) > 0 {
			fmt.Fprintf(&b, "combinadas %s\n", strings.Join(ms, " "))
		}
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				kind, err := cellKind(f, name, cell)
				if err != nil {
					return "", err
				}
				fmt.Fprintf(&b, "%s %s %s\n", cell, kind, strings.ReplaceAll(v, "\n", `\n`))
			}
		}
	}
	return b.String(), nil
}

// cellKind tells a cell's type as a spreadsheet user sees it: texto,
// número, fecha (a number with a date format), booleano or fórmula (which
// Legajo never writes: text that looks like one stays text).
func cellKind(f *excelize.File, sheet, cell string) (string, error) {
	t, err := f.GetCellType(sheet, cell)
	if err != nil {
		return "", fmt.Errorf("xlsx: dump: %w", err)
	}
	if formula, err := f.GetCellFormula(sheet, cell); err != nil {
		return "", fmt.Errorf("xlsx: dump: %w", err)
	} else if formula != "" || t == excelize.CellTypeFormula {
		return "fórmula", nil
	}
	switch t {
	case excelize.CellTypeBool:
		return "booleano", nil
	case excelize.CellTypeInlineString, excelize.CellTypeSharedString:
		return "texto", nil
	}
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		return "", fmt.Errorf("xlsx: dump: %w", err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		return "", fmt.Errorf("xlsx: dump: %w", err)
	}
	if st.CustomNumFmt != nil && strings.Contains(*st.CustomNumFmt, "yy") || st.NumFmt >= 14 && st.NumFmt <= 22 {
		return "fecha", nil
	}
	if t == excelize.CellTypeNumber || t == excelize.CellTypeUnset {
		if _, err := strconv.ParseFloat(mustValue(f, sheet, cell), 64); err == nil {
			return "número", nil
		}
	}
	return "texto", nil
}

func mustValue(f *excelize.File, sheet, cell string) string {
	v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	return v
}

var autoFilterRef = regexp.MustCompile(`<autoFilter[^>]*\bref="([^"]+)"`)

// autoFilters reads the autofilter of each worksheet from the package
// itself (excelize has no getter for it), by sheet number.
func autoFilters(raw []byte) (map[int]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("xlsx: dump: %w", err)
	}
	out := map[int]string{}
	for _, zf := range zr.File {
		num, ok := strings.CutPrefix(zf.Name, "xl/worksheets/sheet")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(num, ".xml"))
		if err != nil {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("xlsx: dump: %w", err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("xlsx: dump: %w", err)
		}
		if m := autoFilterRef.FindSubmatch(b); m != nil {
			out[n] = string(m[1])
		}
	}
	return out, nil
}
