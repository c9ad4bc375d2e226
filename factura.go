package legajo

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The carrier's monthly bill (procedure 10, «Administración de Líneas
// Telefónicas y Servicios», activities 1 to 3): one row per line of a
// cuenta maestra with its charges, exported from the carrier's on-line
// billing (Telmex's SIANA) as CSV or XLSX. Each carrier writes its own
// headers, so the columns are mapped in the settings (BillLayout) and the
// bill is read by header name, never by position.

// Centavos is an amount of money in centavos: sums of thousands of lines
// stay exact, which float pesos would not.
type Centavos int64

// String writes the amount as the documents do: "$1,250.00".
func (c Centavos) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return sign + FormatMoney(c.Plain())
}

// Plain writes the amount as a money field's canonical value: "1250.00".
func (c Centavos) Plain() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// BillColumns are the headers of a carrier's export, as the carrier writes
// them. Headers are compared without case, accents or repeated spaces.
// Cuenta, Linea and the four charges are required; the rest may be "".
type BillColumns struct {
	Account      string `json:"cuenta"`          // cuenta maestra
	Invoice      string `json:"factura"`         // invoice number or folio fiscal
	Line         string `json:"linea"`           // the ten-digit number
	Area         string `json:"area"`            // the Unidad Aplicativa the line serves
	Location     string `json:"ubicacion"`       // where the line is, or its user
	Plan         string `json:"paquete"`         // the contracted package
	Rent         string `json:"renta"`           // the package's monthly rent
	Local        string `json:"local"`           // servicio medido local
	LongDistance string `json:"larga_distancia"` // nacional e internacional
	Mobile       string `json:"celular"`         // calls to mobiles (044/045 of old)
	Services     string `json:"servicios"`       // servicios adicionales
	Total        string `json:"total"`           // checked against the sum of the charges
}

// BillLayout is how one carrier exports its monthly bill.
type BillLayout struct {
	Name     string      `json:"name"`     // «Telmex (SIANA)»
	Provider string      `json:"provider"` // as the reporte de consumo names it
	Columns  BillColumns `json:"columns"`
}

// DefaultBillLayout reads the consumption export of Telmex's SIANA («Detalle
// de consumos por línea»), the carrier of SESVER's cuentas maestras.
var DefaultBillLayout = BillLayout{
	Name:     "Telmex (SIANA)",
	Provider: "Teléfonos de México, S.A.B. de C.V. (Telmex)",
	Columns: BillColumns{
		Account: "Cuenta maestra", Invoice: "Factura", Line: "Teléfono", Area: "Centro de costos",
		Location: "Ubicación", Plan: "Paquete", Rent: "Renta mensual", Local: "Servicio medido local",
		LongDistance: "Larga distancia", Mobile: "Llamadas a celular", Services: "Servicios adicionales",
		Total: "Total",
	},
}

// billColumn is one column the import knows: where its header is in the
// layout, and how people call it.
type billColumn struct {
	label    string
	required bool
	header   func(*BillColumns) *string
}

var billColumns = []billColumn{
	{"Cuenta maestra", true, func(c *BillColumns) *string { return &c.Account }},
	{"Factura", false, func(c *BillColumns) *string { return &c.Invoice }},
	{"Línea", true, func(c *BillColumns) *string { return &c.Line }},
	{"Área", false, func(c *BillColumns) *string { return &c.Area }},
	{"Ubicación", false, func(c *BillColumns) *string { return &c.Location }},
	{"Paquete", false, func(c *BillColumns) *string { return &c.Plan }},
	{"Renta", true, func(c *BillColumns) *string { return &c.Rent }},
	{"Local", true, func(c *BillColumns) *string { return &c.Local }},
	{"Larga distancia", true, func(c *BillColumns) *string { return &c.LongDistance }},
	{"Celular", true, func(c *BillColumns) *string { return &c.Mobile }},
	{"Servicios adicionales", false, func(c *BillColumns) *string { return &c.Services }},
	{"Total", false, func(c *BillColumns) *string { return &c.Total }},
}

// Validate checks a layout an administrator typed.
func (l BillLayout) Validate() error {
	var probs []Problem
	add := func(format string, args ...any) {
		probs = append(probs, Problem{Field: "columnas", Message: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(l.Name) == "" || len([]rune(l.Name)) > 80 {
		add("El nombre del formato es obligatorio (hasta 80 caracteres).")
	}
	if strings.TrimSpace(l.Provider) == "" || len([]rune(l.Provider)) > 120 {
		add("El proveedor es obligatorio (hasta 120 caracteres).")
	}
	seen := map[string]string{}
	for _, c := range billColumns {
		h := strings.TrimSpace(*c.header(&l.Columns))
		if h == "" {
			if c.required {
				add("Indique el encabezado de la columna «%s»: es obligatoria.", c.label)
			}
			continue
		}
		if len([]rune(h)) > 80 {
			add("El encabezado de la columna «%s» pasa de 80 caracteres.", c.label)
		}
		k := headerKey(h)
		if other, ok := seen[k]; ok {
			add("Las columnas «%s» y «%s» tienen el mismo encabezado «%s».", other, c.label, h)
		}
		seen[k] = c.label
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

// Bill is a carrier's monthly bill of one cuenta maestra, as imported.
type Bill struct {
	Account  string     `json:"cuenta"`
	Period   string     `json:"periodo"` // AAAA-MM, the month billed
	Provider string     `json:"proveedor"`
	Layout   string     `json:"formato"`
	Invoices []string   `json:"facturas,omitempty"`
	Lines    []BillLine `json:"lineas"`
}

// BillLine is one line's charges in a bill. Row is the row of the file it
// came from (1 is the header), so every figure can be traced back.
type BillLine struct {
	Row          int      `json:"fila"`
	Number       string   `json:"numero"` // ten digits
	Area         string   `json:"area,omitempty"`
	Location     string   `json:"ubicacion,omitempty"`
	Plan         string   `json:"paquete,omitempty"`
	Rent         Centavos `json:"renta"`
	Local        Centavos `json:"local"`
	LongDistance Centavos `json:"larga_distancia"`
	Mobile       Centavos `json:"celular"`
	Services     Centavos `json:"servicios"`
}

// Total is everything the line was billed.
func (l BillLine) Total() Centavos {
	return l.Rent + l.Local + l.LongDistance + l.Mobile + l.Services
}

// Limits of a bill: SESVER has about two thousand lines; a file far larger
// is not a monthly bill.
const (
	MaxBillLines = 20000
	maxCellRunes = 200
	// maxBillProblems bounds the problems listed: a file in the wrong
	// layout has one per row.
	maxBillProblems = 50
)

// SheetReader reads the first worksheet of an XLSX workbook as rows of
// cell text; an adapter (generators/xlsx) implements it so that this
// package needs no spreadsheet library.
type SheetReader func(data []byte) ([][]string, error)

// ParseBill reads a bill in layout: CSV (comma, semicolon or tab; UTF-8 or
// Windows-1252) or, with sheets set, XLSX. Every problem is reported by row
// and column in one ValidationError (field "factura"), and a bill with any
// problem is not returned at all: nothing is imported half.
func ParseBill(data []byte, layout BillLayout, sheets SheetReader) (*Bill, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, billProblem("El archivo de la factura está vacío.")
	}
	var rows [][]string
	var err error
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if sheets == nil {
			return nil, billProblem("Este servidor no lee archivos de Excel; exporte la factura como CSV.")
		}
		if rows, err = sheets(data); err != nil {
			return nil, billProblem("El archivo de Excel no se pudo leer: %v.", err)
		}
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, billProblem("El archivo es un PDF: exporte de SIANA el detalle de consumos como CSV o Excel (XLSX).")
	default:
		if rows, err = readCSV(data); err != nil {
			return nil, err
		}
	}
	return billFromRows(rows, layout)
}

func billProblem(format string, args ...any) error {
	return &ValidationError{Problems: []Problem{{Field: "factura", Message: fmt.Sprintf(format, args...)}}}
}

// readCSV reads the rows of a bill exported as CSV (see csvRows).
func readCSV(data []byte) ([][]string, error) {
	rows, err := csvRows(data, MaxBillLines+1)
	var bad *csvRowError
	switch {
	case err == nil:
		return rows, nil
	case errors.Is(err, errNotText):
		return nil, billProblem("El archivo no es texto CSV ni un libro de Excel (XLSX).")
	case errors.Is(err, errTooManyRows):
		return nil, billProblem("La factura tiene más de %d líneas: no es una factura mensual; divídala por cuenta maestra.", MaxBillLines)
	case errors.As(err, &bad):
		return nil, billProblem("Fila %d: el archivo CSV está mal formado (%s).", bad.Row, bad.Reason)
	}
	return nil, billProblem("El archivo CSV no se pudo leer.")
}

// billFromRows reads the header row and every line below it.
func billFromRows(rows [][]string, layout BillLayout) (*Bill, error) {
	var probs []Problem
	more := 0
	add := func(format string, args ...any) {
		if len(probs) == maxBillProblems {
			more++
			return
		}
		probs = append(probs, Problem{Field: "factura", Message: fmt.Sprintf(format, args...)})
	}
	// The header is the first row naming the line's column, among the
	// first ten (some exports put a title above it); else the first row
	// that is not empty, so that missing columns are named.
	h := -1
	lineKey := headerKey(layout.Columns.Line)
	for i := 0; i < len(rows) && i < 10 && h < 0; i++ {
		for _, c := range rows[i] {
			if headerKey(c) == lineKey {
				h = i
				break
			}
		}
	}
	for i := 0; i < len(rows) && h < 0; i++ {
		if !blankCells(rows[i]) {
			h = i
		}
	}
	if h < 0 {
		return nil, billProblem("El archivo de la factura no tiene renglones.")
	}
	index := map[string]int{}
	for i, cell := range rows[h] {
		if k := headerKey(cell); k != "" {
			if _, dup := index[k]; !dup {
				index[k] = i
			}
		}
	}
	col := make([]int, len(billColumns))
	for i, c := range billColumns {
		col[i] = -1
		name := strings.TrimSpace(*c.header(&layout.Columns))
		if name == "" {
			continue
		}
		j, ok := index[headerKey(name)]
		switch {
		case ok:
			col[i] = j
		case c.required:
			add("Falta la columna «%s» (encabezado «%s» en el formato «%s»); revise que el archivo sea el detalle de consumos o ajuste las columnas del formato.", c.label, name, layout.Name)
		}
	}
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}
	cell := func(row []string, i int) string {
		if col[i] < 0 || col[i] >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[col[i]])
	}
	header := func(i int) string { return strings.TrimSpace(*billColumns[i].header(&layout.Columns)) }
	bill := &Bill{Provider: layout.Provider, Layout: layout.Name}
	seen := map[string]int{}
	invoices := map[string]bool{}
	accountRow := 0
	for r := h + 1; r < len(rows); r++ {
		row := rows[r]
		n := r + 1 // as the spreadsheet numbers rows
		if blankCells(row) {
			continue
		}
		bad := false
		for i := range billColumns {
			if v := cell(row, i); len([]rune(v)) > maxCellRunes {
				add("Fila %d, columna «%s»: el texto pasa de %d caracteres.", n, header(i), maxCellRunes)
				bad = true
			} else if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
				add("Fila %d, columna «%s»: contiene caracteres no válidos.", n, header(i))
				bad = true
			}
		}
		if bad {
			continue
		}
		if first := cell(row, colAccount); first != "" && isTotalsRow(first) {
			continue // a totals row at the foot of the export
		}
		line := BillLine{Row: n, Area: cell(row, colArea), Location: cell(row, colLocation), Plan: cell(row, colPlan)}
		acct := cell(row, colAccount)
		switch {
		case acct == "":
			add("Fila %d, columna «%s»: falta la cuenta maestra.", n, header(colAccount))
		case bill.Account == "":
			bill.Account, accountRow = acct, n
		case acct != bill.Account:
			add("Fila %d, columna «%s»: la cuenta maestra «%s» no es la de la fila %d («%s»); importe cada cuenta maestra en su propio archivo.", n, header(colAccount), acct, accountRow, bill.Account)
		}
		num, ok := NormalizeLine(cell(row, colLine))
		switch {
		case cell(row, colLine) == "":
			add("Fila %d, columna «%s»: falta el número de la línea.", n, header(colLine))
		case !ok:
			add("Fila %d, columna «%s»: «%s» no es un número de 10 dígitos.", n, header(colLine), cell(row, colLine))
		case seen[num] > 0:
			add("Fila %d, columna «%s»: la línea %s ya aparece en la fila %d.", n, header(colLine), FormatLine(num), seen[num])
		default:
			seen[num] = n
			line.Number = num
		}
		for _, m := range []struct {
			i   int
			dst *Centavos
		}{{colRent, &line.Rent}, {colLocal, &line.Local}, {colLD, &line.LongDistance}, {colMobile, &line.Mobile}, {colServices, &line.Services}} {
			if col[m.i] < 0 {
				continue
			}
			v, ok := parseAmount(cell(row, m.i))
			if !ok {
				add("Fila %d, columna «%s»: «%s» no es un importe (escríbalo como 1,250.50).", n, header(m.i), cell(row, m.i))
				continue
			}
			*m.dst = v
		}
		if col[colTotal] >= 0 && cell(row, colTotal) != "" {
			total, ok := parseAmount(cell(row, colTotal))
			switch {
			case !ok:
				add("Fila %d, columna «%s»: «%s» no es un importe (escríbalo como 1,250.50).", n, header(colTotal), cell(row, colTotal))
			case total != line.Total() && line.Number != "":
				add("Fila %d, columna «%s»: el total %s no es la suma de los cargos de la fila (%s).", n, header(colTotal), total, line.Total())
			}
		}
		if inv := cell(row, colInvoice); inv != "" && !invoices[inv] {
			invoices[inv] = true
			bill.Invoices = append(bill.Invoices, inv)
		}
		bill.Lines = append(bill.Lines, line)
	}
	if len(bill.Lines) == 0 && len(probs) == 0 {
		add("La factura no tiene líneas debajo de los encabezados.")
	}
	if len(bill.Lines) > MaxBillLines {
		add("La factura tiene más de %d líneas: no es una factura mensual; divídala por cuenta maestra.", MaxBillLines)
	}
	if len(probs) > 0 {
		if more > 0 {
			probs = append(probs, Problem{Field: "factura", Message: fmt.Sprintf("… y %d problemas más. Nada se importó.", more)})
		}
		return nil, &ValidationError{Problems: probs}
	}
	return bill, nil
}

// Indices into billColumns.
const (
	colAccount = iota
	colInvoice
	colLine
	colArea
	colLocation
	colPlan
	colRent
	colLocal
	colLD
	colMobile
	colServices
	colTotal
)

func blankCells(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// isTotalsRow tells the «Total general» row some exports end with.
func isTotalsRow(s string) bool {
	return strings.HasPrefix(headerKey(s), "total")
}

// headerKey is a header compared loosely: lower case, without accents,
// spaces collapsed.
func headerKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch r {
		case 'á', 'à', 'ä':
			r = 'a'
		case 'é', 'è', 'ë':
			r = 'e'
		case 'í', 'ì', 'ï':
			r = 'i'
		case 'ó', 'ò', 'ö':
			r = 'o'
		case 'ú', 'ù', 'ü':
			r = 'u'
		}
		if unicode.IsSpace(r) || r == '_' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// parseAmount reads an amount as exports write it: "1,250.50", "$1250.5",
// "1250"; "" and "-" are zero. Negative amounts are refused: credits come
// as their own documents, not as a line's consumption.
func parseAmount(s string) (Centavos, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "-" {
		return 0, true
	}
	canon, ok := parseMoney(s)
	if !ok {
		return 0, false
	}
	whole, frac, _ := strings.Cut(canon, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e9 {
		return 0, false
	}
	f, _ := strconv.Atoi(frac)
	return Centavos(w*100 + int64(f)), true
}

// ParseCentavos reads an amount as a money field holds it ("1250.00") or
// an export writes it ("1,250.50", "$1,250.50").
func ParseCentavos(s string) (Centavos, bool) { return parseAmount(s) }

// NormalizeLine reduces a telephone number as people and exports write it
// («(228) 812-3456», «52 228 812 3456», «+52 2288123456») to its ten
// digits.
func NormalizeLine(s string) (string, bool) {
	var b [16]byte
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if n == len(b) {
				return "", false
			}
			b[n] = byte(r)
			n++
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '+':
		default:
			return "", false
		}
	}
	d := string(b[:n])
	if len(d) == 12 && strings.HasPrefix(d, "52") {
		d = d[2:]
	}
	if len(d) != 10 || d[0] == '0' {
		return "", false
	}
	return d, true
}

// FormatLine writes ten digits as «228 812 3456» (area codes of two digits,
// Mexico City's 55, Guadalajara's 33, Monterrey's 81, as «55 1234 5678»).
func FormatLine(d string) string {
	if len(d) != 10 {
		return d
	}
	switch d[:2] {
	case "55", "33", "81":
		return d[:2] + " " + d[2:6] + " " + d[6:]
	}
	return d[:3] + " " + d[3:6] + " " + d[6:]
}
