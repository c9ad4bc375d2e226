package legajo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bills are filed like incoming correspondence, in the expediente of the
// department (activity 3: «almacena los reportes mensuales … en el
// expediente del Departamento … identificando cada una de las cuentas
// maestras»), each with a folio of serie FT, as one recibido event of two
// files: the carrier's file as it came, and what was read from it with its
// analysis (JSON). So every figure shown is in the archive, and can be
// checked against the original.
const (
	BillType       = "factura-telefonia"
	BillSerie      = "FT"
	BillExpediente = "dti"
	BillTitle      = "Factura telefónica recibida"
)

// Telephony imports the carrier's monthly bills and keeps their analyses.
// The CLI and the web server share it.
type Telephony struct {
	Office *Office
	// Sheets reads XLSX bills; nil: only CSV.
	Sheets SheetReader
	// Layouts are the carriers' layouts in force (from the settings); nil
	// or empty: DefaultBillLayout alone.
	Layouts func() []BillLayout
	// Plans looks the lines up in the register of líneas telefónicas y
	// servicios; nil: the bill's package and rent stand for the plan.
	Plans func(ctx context.Context) (LinePlans, error)
	// Rules; the zero value is DefaultTelephonyRules.
	Rules TelephonyRules

	mu     sync.Mutex // one import at a time in this process
	listMu sync.Mutex
	listed map[string]BillImport // by chain entry key
	seq    int64                 // the chain is read up to here
	// bills keeps the last bills read back (filed objects never change):
	// the accounts of a month are imported one after another, each
	// reading the six months before it.
	bills     map[string]*Bill
	billOrder []string
}

// BillImport is one filed bill, as listed.
type BillImport struct {
	Folio    string    `json:"folio"`
	Account  string    `json:"cuenta"`
	Period   string    `json:"periodo"`
	Provider string    `json:"proveedor"`
	Layout   string    `json:"formato"`
	Lines    int       `json:"lineas"`
	Flagged  int       `json:"lineas_anormales"`
	Total    Centavos  `json:"total"`
	File     string    `json:"archivo"`
	Author   string    `json:"autor"`
	FiledAt  time.Time `json:"archivada"`
	// Keys of the filed objects: the original, and the consumption read.
	Original string `json:"original"`
	Consumo  string `json:"consumo"`
	Analisis string `json:"analisis"`
	// Seq is the bill's place in the expediente's chain: the documents
	// issued from it come after.
	Seq int64 `json:"seq"`
}

// PeriodLabel words the bill's month.
func (b BillImport) PeriodLabel() string { return PeriodLabel(b.Period) }

// DuplicateBillError refuses a second bill of one cuenta maestra and
// month, naming the first import: who made it and when, and its folio
// once it is filed. It matches ErrConflict.
type DuplicateBillError struct {
	Folio, Account, Period, Provider, Author string
	FiledAt                                  time.Time
}

func (e *DuplicateBillError) Error() string {
	who := ""
	if e.Author != "" {
		who = " por " + e.Author
	}
	of := "de la cuenta maestra " + e.Account
	if e.Provider != "" {
		of = fmt.Sprintf("de %s de la cuenta maestra %s", e.Provider, e.Account)
	}
	if e.Folio == "" {
		// The first import holds the month but has not filed yet (or
		// was interrupted: its hold lapses after a few minutes).
		return fmt.Sprintf("La factura %s de %s ya se importó el %s a las %s%s y se está archivando; lo archivado no se reemplaza.",
			of, PeriodLabel(e.Period), LongDate(e.FiledAt), e.FiledAt.Format("15:04"), who)
	}
	return fmt.Sprintf("La factura %s de %s ya se importó el %s a las %s%s con el folio %s; lo archivado no se reemplaza.",
		of, PeriodLabel(e.Period), LongDate(e.FiledAt), e.FiledAt.Format("15:04"), who, e.Folio)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *DuplicateBillError) Is(target error) bool { return target == ErrConflict }

// BillClaim is the hold an import takes on a cuenta maestra's month before
// it uses a folio.
type BillClaim struct {
	Account  string    `json:"cuenta"`
	Period   string    `json:"periodo"`
	Provider string    `json:"proveedor"`
	Author   string    `json:"autor"`
	At       time.Time `json:"at"`
}

// BillClaimer is an archive that decides, across processes sharing its
// storage, which import of a cuenta maestra's month goes on (package
// archive's does, with one conditional create): the in-process check
// cannot see another server or the CLI importing the same bill.
type BillClaimer interface {
	// ClaimBill takes c's month. Of concurrent claims exactly one wins;
	// the others get a *DuplicateBillError naming the winner (without
	// folio). release gives the month up when the import fails before its
	// bill is filed, so that it may be imported again at once.
	ClaimBill(ctx context.Context, c BillClaim) (release func(context.Context) error, err error)
}

// BillRecord is a filed bill read back: what was read from the carrier's
// file, and its analysis as filed.
type BillRecord struct {
	Bill     Bill
	Analysis *Analysis
}

// ImportRequest asks to import one bill.
type ImportRequest struct {
	Data   []byte
	Name   string // the file's name as uploaded, for the record
	Period string // AAAA-MM
	Layout string // a layout's name; "" for the first in force
	Author string
}

// Layout returns the layout named name ("" the first in force).
func (t *Telephony) Layout(name string) (BillLayout, error) {
	all := t.AllLayouts()
	if name == "" {
		return all[0], nil
	}
	for _, l := range all {
		if l.Name == name {
			return l, nil
		}
	}
	return BillLayout{}, &ValidationError{Problems: []Problem{{Field: "formato", Message: fmt.Sprintf("No existe el formato de factura «%s».", printable(name))}}}
}

// AllLayouts lists the layouts in force.
func (t *Telephony) AllLayouts() []BillLayout {
	if t.Layouts != nil {
		if ls := t.Layouts(); len(ls) > 0 {
			return ls
		}
	}
	return []BillLayout{DefaultBillLayout}
}

func (t *Telephony) rules() TelephonyRules {
	if t.Rules == (TelephonyRules{}) {
		return DefaultTelephonyRules
	}
	return t.Rules
}

// Import reads, analyzes and files a bill. A bill with any bad row is
// refused whole, with every problem by row and column; a second bill of
// the same cuenta maestra and month is refused, naming the first.
func (t *Telephony) Import(ctx context.Context, r ImportRequest) (res *BillImport, _ *Analysis, _ error) {
	var probs []Problem
	period, perr := ParsePeriod(r.Period)
	o := t.Office
	now := o.now()
	if perr != nil {
		probs = append(probs, Problem{Field: "periodo", Message: perr.Error()})
	} else if period.After(now) {
		probs = append(probs, Problem{Field: "periodo", Message: fmt.Sprintf("El periodo %s todavía no termina: no puede tener factura.", PeriodLabel(r.Period))})
	}
	if err := checkLine("Autor", r.Author, 120); err != nil {
		return nil, nil, err
	}
	name := strings.TrimSpace(Printable(r.Name, false))
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	layout, err := t.Layout(r.Layout)
	if err != nil {
		return nil, nil, err
	}
	var bill *Bill
	if len(r.Data) == 0 {
		probs = append(probs, Problem{Field: "factura", Message: "Elija el archivo de la factura (CSV o Excel) exportado del sistema del proveedor."})
	} else if bill, err = ParseBill(r.Data, layout, t.Sheets); err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return nil, nil, err
		}
		probs = append(probs, ve.Problems...)
	}
	if len(probs) > 0 {
		return nil, nil, &ValidationError{Problems: probs}
	}
	bill.Period = period.Format("2006-01")
	ext := "csv"
	if bytes.HasPrefix(r.Data, []byte("PK\x03\x04")) {
		ext = "xlsx"
	}
	if name == "" {
		name = "factura." + ext
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	imports, err := t.Imports(ctx)
	if err != nil {
		return nil, nil, err
	}
	var history []*Bill
	if dup := duplicateOf(imports, bill, o); dup != nil {
		return nil, nil, dup
	}
	for _, im := range imports {
		if im.Period < AddMonths(bill.Period, -HistoryMonths) || im.Period >= bill.Period {
			continue
		}
		past, err := t.LoadBill(ctx, im)
		if err != nil {
			return nil, nil, err
		}
		history = append(history, past)
	}
	var plans LinePlans
	if t.Plans != nil {
		if plans, err = t.Plans(ctx); err != nil {
			return nil, nil, err
		}
	}
	an := Analyze(bill, history, plans, t.rules())
	consumo, err := json.Marshal(bill)
	if err != nil {
		return nil, nil, err
	}
	analysis, err := json.Marshal(an)
	if err != nil {
		return nil, nil, err
	}

	// The month is held in the archive before a folio is used: of two
	// processes importing the same bill one files it and the other is
	// refused with nothing filed.
	if c, ok := o.Archive.(BillClaimer); ok {
		// Held as of now, not the import's start: a hold lapses a few
		// minutes after its time, and reading the history takes a while.
		release, err := c.ClaimBill(ctx, BillClaim{Account: bill.Account, Period: bill.Period, Provider: bill.Provider,
			Author: r.Author, At: o.now()})
		var dup *DuplicateBillError
		if errors.As(err, &dup) {
			// The winner may have filed by now: name its folio.
			if imports, lerr := t.Imports(ctx); lerr == nil {
				if filed := duplicateOf(imports, bill, o); filed != nil {
					return nil, nil, filed
				}
			}
			dup.FiledAt = o.inZone(dup.FiledAt)
			return nil, nil, dup
		}
		if err != nil {
			return nil, nil, err
		}
		defer func() {
			if res == nil && release != nil {
				// Give the month up: nothing of this import was filed.
				release(context.WithoutCancel(ctx))
			}
		}()
	}
	claim, _ := json.Marshal(map[string]any{"type": BillType, "expediente": BillExpediente, "author": r.Author,
		"prefix": o.Institution.FolioPrefix, "at": now.UTC(), "nonce": nonce()})
	folio, err := o.Archive.AllocateFolio(ctx, o.Institution.FolioPrefix, BillSerie, now.Year(), claim)
	if err != nil {
		return nil, nil, err
	}
	fields := Values{
		"cuenta_maestra": {Text: bill.Account}, "periodo": {Text: PeriodLabel(bill.Period)}, "mes": {Text: bill.Period},
		"proveedor": {Text: bill.Provider}, "formato": {Text: layout.Name}, "archivo": {Text: name},
		"lineas": {Text: strconv.Itoa(len(bill.Lines))}, "lineas_anormales": {Text: strconv.Itoa(an.Totals.Flagged)},
		"total": {Text: an.Totals.Total.Plain()},
	}
	if len(bill.Invoices) > 0 {
		fields["facturas"] = Value{Text: strings.Join(bill.Invoices, ", ")}
	}
	m := Manifest{Folio: folio.String(), Event: EventRecibido, Type: BillType, TypeVersion: 1, Title: BillTitle,
		Subject:    fmt.Sprintf("Factura de la cuenta maestra %s, %s (%s)", bill.Account, PeriodLabel(bill.Period), bill.Provider),
		Expediente: BillExpediente, Area: "Departamento de Tecnologías de la Información", Author: r.Author,
		Date: now, FiledAt: now, Fields: fields}
	orig, cm, am := m, m, m
	orig.File = &Object{Kind: ext}
	// The data files are not plain .json: each one's manifest is <stem>.json.
	cm.Subject = "Consumo leído de la factura: " + m.Subject
	cm.File = &Object{Kind: "consumo.json"}
	am.Subject = "Análisis del consumo: " + m.Subject
	am.File = &Object{Kind: "analisis.json"}
	entry, err := o.Archive.File(ctx, Filing{Expediente: BillExpediente, Event: EventRecibido, Folio: folio, Type: BillType,
		Author: r.Author, At: now, Files: []File{
			{Name: name, Data: r.Data, Kind: "factura", Manifest: orig},
			{Name: "consumo.json", Data: consumo, Kind: "consumo", Manifest: cm},
			{Name: "analisis.json", Data: analysis, Kind: "analisis", Manifest: am},
		}})
	if err != nil {
		return nil, nil, o.localize(err)
	}
	o.reindex(ctx, folio)
	im := BillImport{Folio: folio.String(), Account: bill.Account, Period: bill.Period, Provider: bill.Provider,
		Layout: layout.Name, Lines: len(bill.Lines), Flagged: an.Totals.Flagged, Total: an.Totals.Total, File: name,
		Author: r.Author, FiledAt: now}
	for _, obj := range entry.Objects {
		switch obj.Kind {
		case "factura":
			im.Original = obj.Key
		case "consumo":
			im.Consumo = obj.Key
		case "analisis":
			im.Analisis = obj.Key
		}
	}
	return &im, an, nil
}

// duplicateOf is the refusal of bill when imports hold its cuenta
// maestra's month, or nil.
func duplicateOf(imports []BillImport, bill *Bill, o *Office) *DuplicateBillError {
	for _, im := range imports {
		if im.Account == bill.Account && im.Period == bill.Period {
			return &DuplicateBillError{Folio: im.Folio, Account: im.Account, Period: im.Period, Provider: im.Provider,
				Author: im.Author, FiledAt: o.inZone(im.FiledAt)}
		}
	}
	return nil
}

// Imports lists the filed bills, the latest period first. The list is
// kept and only entries filed since the last call are read again.
func (t *Telephony) Imports(ctx context.Context) ([]BillImport, error) {
	t.listMu.Lock()
	defer t.listMu.Unlock()
	if t.listed == nil {
		t.listed = map[string]BillImport{}
	}
	arch := t.Office.Archive
	if _, err := arch.Expediente(BillExpediente); err != nil {
		return nil, Errorf(ErrUnavailable, "La telefonía necesita el expediente «%s» en la configuración.", BillExpediente)
	}
	visit := func(e Entry) error {
		if e.Seq > t.seq {
			t.seq = e.Seq
		}
		if e.Type != BillType || e.Event != EventRecibido {
			return nil
		}
		if _, ok := t.listed[e.Key]; ok {
			return nil
		}
		im, err := t.importOf(ctx, e)
		if err != nil {
			return err
		}
		t.listed[e.Key] = im
		return nil
	}
	var err error
	if f, ok := arch.(entryFollower); ok {
		// Only the entries filed since the last call are read.
		err = f.EntriesAfter(ctx, BillExpediente, t.seq, visit)
	} else {
		err = arch.Entries(ctx, BillExpediente, time.Time{}, time.Time{}, visit)
	}
	if err != nil {
		return nil, err
	}
	out := make([]BillImport, 0, len(t.listed))
	for _, im := range t.listed {
		out = append(out, im)
	}
	slices.SortFunc(out, func(a, b BillImport) int {
		if a.Period != b.Period {
			return strings.Compare(b.Period, a.Period)
		}
		if a.Account != b.Account {
			return strings.Compare(a.Account, b.Account)
		}
		return b.FiledAt.Compare(a.FiledAt)
	})
	return out, nil
}

// entryFollower is an archive that reads a chain from a position on
// (package archive's does); others are read whole.
type entryFollower interface {
	EntriesAfter(ctx context.Context, exp string, seq int64, fn func(Entry) error) error
}

// importOf reads a filed bill's listing from its manifest.
func (t *Telephony) importOf(ctx context.Context, e Entry) (BillImport, error) {
	im := BillImport{Folio: e.Folio, Author: e.Author, FiledAt: e.At, Seq: e.Seq}
	var manifest string
	for _, obj := range e.Objects {
		switch obj.Kind {
		case "factura":
			im.Original = obj.Key
		case "consumo":
			im.Consumo = obj.Key
		case "analisis":
			im.Analisis = obj.Key
		case "manifest":
			if manifest == "" {
				manifest = obj.Key
			}
		}
	}
	if manifest == "" || im.Consumo == "" || im.Analisis == "" {
		return im, fmt.Errorf("telephony: entry %s: no manifest or consumption", e.Key)
	}
	b, err := t.Office.Archive.Get(ctx, manifest)
	if err != nil {
		return im, fmt.Errorf("telephony: %s: %w", manifest, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return im, fmt.Errorf("telephony: %s: %w", manifest, err)
	}
	f := m.Fields
	im.Account, im.Provider, im.Layout, im.File = f["cuenta_maestra"].Text, f["proveedor"].Text, f["formato"].Text, f["archivo"].Text
	im.Lines, _ = strconv.Atoi(f["lineas"].Text)
	im.Flagged, _ = strconv.Atoi(f["lineas_anormales"].Text)
	im.Total, _ = parseAmount(f["total"].Text)
	im.Period = f["mes"].Text
	return im, nil
}

// Load reads a filed bill's consumption and analysis back.
func (t *Telephony) Load(ctx context.Context, im BillImport) (*BillRecord, error) {
	bill, err := t.LoadBill(ctx, im)
	if err != nil {
		return nil, err
	}
	rec := &BillRecord{Bill: *bill}
	if err := t.getJSON(ctx, im.Analisis, &rec.Analysis); err != nil {
		return nil, err
	}
	return rec, nil
}

// LoadBill reads what was read from a filed bill: its lines, without the
// analysis (the history of a later bill needs no more).
// The bill returned may be shared: it is not to be changed.
func (t *Telephony) LoadBill(ctx context.Context, im BillImport) (*Bill, error) {
	t.listMu.Lock()
	b, ok := t.bills[im.Consumo]
	t.listMu.Unlock()
	if ok {
		return b, nil
	}
	b = &Bill{}
	if err := t.getJSON(ctx, im.Consumo, b); err != nil {
		return nil, err
	}
	t.listMu.Lock()
	defer t.listMu.Unlock()
	if t.bills == nil {
		t.bills = map[string]*Bill{}
	}
	if _, ok := t.bills[im.Consumo]; !ok {
		t.bills[im.Consumo] = b
		t.billOrder = append(t.billOrder, im.Consumo)
		if len(t.billOrder) > maxCachedBills {
			delete(t.bills, t.billOrder[0])
			t.billOrder = t.billOrder[1:]
		}
	}
	return b, nil
}

// maxCachedBills bounds the bills kept: two years of one cuenta maestra,
// some 30 MB for bills of 5,000 lines.
const maxCachedBills = 24

func (t *Telephony) getJSON(ctx context.Context, key string, v any) error {
	b, err := t.Office.Archive.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("telephony: %s: %w", key, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("telephony: %s: %w", key, err)
	}
	return nil
}

// Find returns the filed bill of folio, or ErrNotFound.
func (t *Telephony) Find(ctx context.Context, folio string) (BillImport, error) {
	imports, err := t.Imports(ctx)
	if err != nil {
		return BillImport{}, err
	}
	for _, im := range imports {
		if im.Folio == folio {
			return im, nil
		}
	}
	return BillImport{}, Errorf(ErrNotFound, "No hay factura telefónica importada con el folio %s.", printable(folio))
}

// Reports finds the reportes de consumo issued (and not cancelled) from
// bill im, by área: those filed after it in the department's expediente
// with its cuenta maestra and period.
func (t *Telephony) Reports(ctx context.Context, im BillImport) (map[string]string, error) {
	out := map[string]string{}
	f, ok := t.Office.Archive.(entryFollower)
	if !ok {
		return out, nil
	}
	byFolio := map[string]string{}
	label := PeriodLabel(im.Period)
	err := f.EntriesAfter(ctx, BillExpediente, im.Seq, func(e Entry) error {
		if e.Type != "reporte-consumo" {
			return nil
		}
		if e.Event == EventCancelado {
			if area, ok := byFolio[e.Folio]; ok && out[area] == e.Folio {
				delete(out, area)
			}
			return nil
		}
		if e.Event != EventEmitido {
			return nil
		}
		for _, obj := range e.Objects {
			if obj.Kind != "manifest" {
				continue
			}
			b, err := t.Office.Archive.Get(ctx, obj.Key)
			if err != nil {
				return fmt.Errorf("telephony: %s: %w", obj.Key, err)
			}
			var m Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("telephony: %s: %w", obj.Key, err)
			}
			if m.Fields["cuenta_maestra"].Text == im.Account && m.Fields["periodo"].Text == label {
				area := m.Fields["area"].Text
				out[area], byFolio[e.Folio] = e.Folio, area
			}
			break
		}
		return nil
	})
	return out, err
}
