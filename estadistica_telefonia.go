package legajo

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PhoneReportType is the document type whose fields give the telephony
// spend while the carrier's bills are not imported: the reporte de consumo.
const PhoneReportType = "reporte-consumo"

// ReportedPhoneSpend is the telephony spend as the issued reportes de
// consumo state it: per report, its área («Unidad Aplicativa»), the month of
// its «Periodo facturado» (else of its date) and its «Total de consumo».
// Cancelled reports do not count. It is the one place the statistics read
// telephony figures from: when the carrier's bills are imported into a
// register, a PhoneSource over that register replaces it.
type ReportedPhoneSpend struct {
	Search  Searcher
	Archive Archive
	Prefix  string // folio prefix
	Zone    *time.Location

	mu      sync.Mutex
	cache   map[string]PhoneSpend // by folio: a filed report never changes
	results map[string][]PhoneSpend
}

// Spend implements PhoneSource. One search counts the reports of the
// period and how many are live: while those counts stand, the set of live
// reports is the one summed last time (a new report or a cancellation
// changes them), and the sum is reused; otherwise every report is read,
// each from the archive once.
func (r *ReportedPhoneSpend) Spend(ctx context.Context, f StatsFilter) ([]PhoneSpend, error) {
	// A report is issued in the month after the one it reports, or later:
	// search from the start of the period to well after its end.
	q := SearchQuery{Types: []string{PhoneReportType}, From: f.From, To: f.To.AddDate(0, 6, 0), PerPage: 1, Facets: true}
	res, err := r.Search.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint(f.From.Unix(), f.To.Unix(), f.Area, res.Total)
	for _, c := range res.Facets[FacetStatus] {
		key += "|" + c.Value + "=" + strconv.Itoa(c.Count)
	}
	r.mu.Lock()
	out, ok := r.results[key]
	r.mu.Unlock()
	if ok {
		return out, nil
	}
	if out, err = r.read(ctx, q, f); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.results == nil || len(r.results) > 100 {
		r.results = map[string][]PhoneSpend{}
	}
	r.results[key] = out
	r.mu.Unlock()
	return out, nil
}

// read sums every live report of the search q.
func (r *ReportedPhoneSpend) read(ctx context.Context, q SearchQuery, f StatsFilter) ([]PhoneSpend, error) {
	q.PerPage, q.Facets, q.Sort = MaxPerPage, false, SortDate
	var out []PhoneSpend
	for page := 1; ; page++ {
		q.Page = page
		res, err := r.Search.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			if h.Status == string(StatusCancelado) || h.Status == string(StatusAnulado) {
				continue
			}
			s, err := r.report(ctx, h)
			if err != nil {
				return nil, err
			}
			if f.MonthIndex(s.Month) >= 0 && (f.Area == "" || s.Area == f.Area) {
				out = append(out, s)
			}
		}
		if page*q.PerPage >= res.Total || len(res.Hits) == 0 {
			return out, nil
		}
	}
}

func (r *ReportedPhoneSpend) report(ctx context.Context, h SearchHit) (PhoneSpend, error) {
	r.mu.Lock()
	s, ok := r.cache[h.Folio]
	r.mu.Unlock()
	if ok {
		return s, nil
	}
	folio, err := ParseFolio(h.Folio, r.Prefix)
	if err != nil {
		return s, err
	}
	rec, err := r.Archive.Record(ctx, folio)
	if err != nil {
		return s, fmt.Errorf("telephony: %s: %w", h.Folio, err)
	}
	var m Manifest
	if len(rec.Manifests) > 0 {
		m = rec.Manifests[0]
	}
	zone := r.Zone
	if zone == nil {
		zone = time.Local
	}
	date := h.Date.In(zone)
	if !m.Date.IsZero() {
		date = m.Date.In(zone)
	}
	s.Month = time.Date(date.Year(), date.Month(), 1, 0, 0, 0, 0, zone)
	if t, ok := ParseMonthYear(m.Fields["periodo"].Text, zone); ok {
		s.Month = t
	}
	s.Area = strings.TrimSpace(m.Fields["area"].Text)
	if s.Area == "" {
		s.Area = m.Area
	}
	s.Amount, _ = strconv.ParseFloat(strings.NewReplacer("$", "", ",", "").Replace(m.Fields["total_consumo"].Text), 64)
	r.mu.Lock()
	if r.cache == nil {
		r.cache = map[string]PhoneSpend{}
	}
	r.cache[h.Folio] = s
	r.mu.Unlock()
	return s, nil
}

// ParseMonthYear reads a month as people write it on a form: «octubre de
// 2026», «Octubre 2026», «oct-2026», «10/2026», «2026-10». It returns the
// first day of the month.
func ParseMonthYear(s string, zone *time.Location) (time.Time, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return time.Time{}, false
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '/' || r == '.' || r == ',' })
	var month, year int
	for _, w := range fields {
		if w == "de" || w == "del" {
			continue
		}
		if n, err := strconv.Atoi(w); err == nil {
			switch {
			case n >= 1900 && n < 3000 && year == 0:
				year = n
			case n >= 1 && n <= 12 && month == 0:
				month = n
			default:
				return time.Time{}, false
			}
			continue
		}
		found := false
		for i, name := range monthNames {
			if w == name || (len(w) >= 3 && strings.HasPrefix(name, w)) || (w == "setiembre" && i == 8) {
				month, found = i+1, true
				break
			}
		}
		if !found {
			return time.Time{}, false
		}
	}
	if month == 0 || year == 0 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, zone), true
}

// BilledPhoneSpend is the telephony spend as the carrier's bills imported
// on the Telefonía page give it, per área and month; a month with no bill
// imported takes what the reportes de consumo issued for it say
// (Reported), so the years before the bills were imported keep their
// figures. A filed bill never changes: each one's analysis is read from the
// archive once.
type BilledPhoneSpend struct {
	Bills    *Telephony
	Reported PhoneSource // nil: months without a bill spend nothing
	Zone     *time.Location

	mu    sync.Mutex
	areas map[string][]AreaTotals // by the bill's folio
}

// Spend implements PhoneSource.
func (b *BilledPhoneSpend) Spend(ctx context.Context, f StatsFilter) ([]PhoneSpend, error) {
	imports, err := b.Bills.Imports(ctx)
	if err != nil {
		return nil, err
	}
	zone := b.Zone
	if zone == nil {
		zone = time.UTC
	}
	var out []PhoneSpend
	billed := map[time.Time]bool{}
	for _, im := range imports {
		p, err := ParsePeriod(im.Period)
		if err != nil {
			continue // listed by its import, which checked it
		}
		month := time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, zone)
		if month.Before(monthOf(f.From, zone)) || !month.Before(f.To) {
			continue
		}
		areas, err := b.areasOf(ctx, im)
		if err != nil {
			return nil, err
		}
		billed[month] = true
		for _, a := range areas {
			if f.Area == "" || a.Area == f.Area {
				out = append(out, PhoneSpend{Month: month, Area: a.Area, Amount: float64(a.Total) / 100})
			}
		}
	}
	if b.Reported == nil {
		return out, nil
	}
	reported, err := b.Reported.Spend(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, s := range reported {
		if !billed[monthOf(s.Month, zone)] {
			out = append(out, s)
		}
	}
	return out, nil
}

func monthOf(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, zone)
}

// areasOf is the per-área totals of a filed bill's analysis.
func (b *BilledPhoneSpend) areasOf(ctx context.Context, im BillImport) ([]AreaTotals, error) {
	b.mu.Lock()
	areas, ok := b.areas[im.Folio]
	b.mu.Unlock()
	if ok {
		return areas, nil
	}
	rec, err := b.Bills.Load(ctx, im)
	if err == nil && rec.Analysis == nil {
		err = fmt.Errorf("no analysis filed")
	}
	if err != nil {
		return nil, fmt.Errorf("telephony spend of %s: %w", im.Folio, err)
	}
	b.mu.Lock()
	if b.areas == nil {
		b.areas = map[string][]AreaTotals{}
	}
	b.areas[im.Folio] = rec.Analysis.Areas
	b.mu.Unlock()
	return rec.Analysis.Areas, nil
}
