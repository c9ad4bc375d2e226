// Package xlsx writes Legajo's spreadsheets with excelize: the auditors'
// trail, the inventarios documentales (general, de transferencia, de baja),
// the retention report and the registries the procedures keep (padrón de
// cuentas de correo, inventario de componentes reutilizables, bitácora de
// reportes de fallas).
//
// Every sheet is written with excelize's streaming writer, so a trail of a
// hundred thousand events needs a few megabytes of memory, not one row
// object per cell. Headers are in Spanish, frozen, with an autofilter and
// set widths; dates are real date cells shown dd/mm/aaaa (hh:mm when there
// is a time); sheets print landscape on Letter, fitted to the page width,
// with the header row repeated.
package xlsx

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// kind is how a column's values are written.
type kind int

const (
	text     kind = iota // one line
	wrapped              // long text, wrapped
	date                 // dd/mm/aaaa
	datetime             // dd/mm/aaaa hh:mm
	integer
	decimal // one decimal place (hours)
	mono    // hashes and keys
)

// column is one column of a table.
type column struct {
	title string
	width float64
	kind  kind
}

// book is a workbook under construction with Legajo's styles.
type book struct {
	f      *excelize.File
	styles map[kind]int
	header int // the table header row
	title  int
	label  int
	value  int
	bold   int
	alert  int
}

const (
	dateFormat     = "dd/mm/yyyy"
	datetimeFormat = "dd/mm/yyyy hh:mm"
	letterPaper    = 1
	excelMaxRows   = 1048576
)

func newBook() (*book, error) {
	f := excelize.NewFile()
	b := &book{f: f, styles: map[kind]int{}}
	border := []excelize.Border{
		{Type: "left", Color: "A0A0A0", Style: 1}, {Type: "right", Color: "A0A0A0", Style: 1},
		{Type: "top", Color: "A0A0A0", Style: 1}, {Type: "bottom", Color: "A0A0A0", Style: 1},
	}
	font := &excelize.Font{Family: "Calibri", Size: 10}
	top := &excelize.Alignment{Vertical: "top"}
	df, dtf, dec := dateFormat, datetimeFormat, "0.0"
	defs := map[kind]*excelize.Style{
		text:     {Font: font, Border: border, Alignment: top},
		wrapped:  {Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}},
		date:     {Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "center"}, CustomNumFmt: &df},
		datetime: {Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "center"}, CustomNumFmt: &dtf},
		integer:  {Font: font, Border: border, Alignment: top, NumFmt: 3},
		decimal:  {Font: font, Border: border, Alignment: top, CustomNumFmt: &dec},
		mono:     {Font: &excelize.Font{Family: "Consolas", Size: 9}, Border: border, Alignment: top},
	}
	for k, st := range defs {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, fmt.Errorf("xlsx: style: %w", err)
		}
		b.styles[k] = id
	}
	var err error
	if b.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Family: "Calibri", Size: 10, Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"6B4F2A"}},
		Border:    border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, fmt.Errorf("xlsx: style: %w", err)
	}
	if b.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Calibri", Size: 13, Bold: true}}); err != nil {
		return nil, fmt.Errorf("xlsx: style: %w", err)
	}
	if b.label, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Calibri", Size: 10, Bold: true},
		Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return nil, fmt.Errorf("xlsx: style: %w", err)
	}
	if b.value, err = f.NewStyle(&excelize.Style{Font: font, Alignment: &excelize.Alignment{Vertical: "top", WrapText: false}}); err != nil {
		return nil, fmt.Errorf("xlsx: style: %w", err)
	}
	if b.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Calibri", Size: 10, Bold: true}}); err != nil {
		return nil, fmt.Errorf("xlsx: style: %w", err)
	}
	if b.alert, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Calibri", Size: 11, Bold: true, Color: "AA0000"}}); err != nil {
		return nil, fmt.Errorf("xlsx: style: %w", err)
	}
	return b, nil
}

// sheet starts a streamed sheet: the first call renames the default one.
// The sheet prints landscape on Letter, fitted to the page width.
func (b *book) sheet(name string) (*excelize.StreamWriter, error) {
	if list := b.f.GetSheetList(); len(list) == 1 && list[0] == "Sheet1" {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, fmt.Errorf("xlsx: %w", err)
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	fit := true
	if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return sw, nil
}

// widths sets the columns' widths; it must come before the first row.
func widths(sw *excelize.StreamWriter, cols []column) error {
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	return nil
}

// freeze keeps rows 1 to row in view while scrolling. Like widths, it must
// come before the first row is written.
func freeze(sw *excelize.StreamWriter, row int) error {
	below := "A" + strconv.Itoa(row+1)
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: below, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: below, ActiveCell: below, Pane: "bottomLeft"}}}); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// headerRow writes a table header at row.
func (b *book) headerRow(sw *excelize.StreamWriter, row int, cols []column) error {
	cells := make([]any, len(cols))
	for i, c := range cols {
		cells[i] = excelize.Cell{StyleID: b.header, Value: c.title}
	}
	return setRow(sw, row, cells, excelize.RowOpts{Height: 30})
}

// finishTable puts the autofilter on the table from its header row to its
// last row, sets printing (landscape, Letter, fit to width, header row
// repeated on every page) and flushes the sheet.
func (b *book) finishTable(sw *excelize.StreamWriter, name string, headerRow, lastRow int, cols []column) error {
	last, err := excelize.CoordinatesToCellName(len(cols), max(lastRow, headerRow+1))
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	// The stream writer shares its worksheet with the file until Flush:
	// setting the filter and the page set-up now puts them in the sheet's
	// XML without reading the rows back.
	if err := b.f.AutoFilter(name, "A"+strconv.Itoa(headerRow)+":"+last, nil); err != nil {
		return fmt.Errorf("xlsx: autofilter: %w", err)
	}
	if err := b.printSetup(name, headerRow); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func (b *book) printSetup(name string, headerRow int) error {
	size, orient, one, zero := letterPaper, "landscape", 1, 0
	if err := b.f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return fmt.Errorf("xlsx: page layout: %w", err)
	}
	if headerRow > 0 {
		if err := b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: name,
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", name, headerRow, headerRow)}); err != nil {
			return fmt.Errorf("xlsx: print titles: %w", err)
		}
	}
	if err := b.f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: "&L&8&F&R&8Página &P de &N"}); err != nil {
		return fmt.Errorf("xlsx: footer: %w", err)
	}
	return nil
}

// cell makes a table cell of column c from v: strings, ints, floats and
// times (zero times and empty strings make empty, still framed, cells).
func (b *book) cell(c column, v any) excelize.Cell {
	st := b.styles[c.kind]
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return excelize.Cell{StyleID: st}
		}
		if c.kind == date {
			y, m, d := x.Date()
			x = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		return excelize.Cell{StyleID: st, Value: x}
	case string:
		if x == "" {
			return excelize.Cell{StyleID: st}
		}
	case nil:
		return excelize.Cell{StyleID: st}
	}
	return excelize.Cell{StyleID: st, Value: v}
}

func setRow(sw *excelize.StreamWriter, row int, cells []any, opts ...excelize.RowOpts) error {
	if row >= excelMaxRows {
		return fmt.Errorf("xlsx: more than %d rows do not fit in a sheet; narrow the period", excelMaxRows-1)
	}
	if err := sw.SetRow("A"+strconv.Itoa(row), cells, opts...); err != nil {
		return fmt.Errorf("xlsx: row %d: %w", row, err)
	}
	return nil
}

// labelled writes "label | value" on row, in the sheet's first two columns.
func (b *book) labelled(sw *excelize.StreamWriter, row int, label string, value any) error {
	v := excelize.Cell{StyleID: b.value, Value: value}
	if t, ok := value.(time.Time); ok {
		if t.IsZero() {
			v.Value = nil
		}
		v.StyleID = b.styles[datetime]
	}
	return setRow(sw, row, []any{excelize.Cell{StyleID: b.label, Value: label}, v})
}

// save writes the workbook to w. The first sheet is the active one by
// default; SetActiveSheet would read every streamed sheet back into memory.
func (b *book) save(w io.Writer) error {
	if err := b.f.Write(w); err != nil {
		return fmt.Errorf("xlsx: write: %w", err)
	}
	return b.f.Close()
}

// close releases the workbook's temporary files after a failure.
func (b *book) close() { _ = b.f.Close() }
