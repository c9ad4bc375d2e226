package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/chart"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/generators/xlsx"
	"github.com/sesver/legajo/web"
)

// statistics serves the Estadísticas page and its exports: the figures
// from the search index (which follows the archive), the cases and the
// telephony reports; the charts from generators/chart.
type statistics struct {
	m     *Main
	a     *app
	docs  legajo.StatsSource
	phone legajo.PhoneSource

	// The Informe's renderer, made once: loading its fonts costs more than
	// laying out an Informe.
	pdfOnce  sync.Once
	renderer *pdf.Renderer
	pdfErr   error
}

var _ web.Statistics = (*statistics)(nil)

// newStatistics wires the statistics over the server's search index; nil
// when the searcher cannot count (then the page says so).
func (m *Main) newStatistics(a *app, searcher legajo.Searcher) web.Statistics {
	docs, ok := searcher.(legajo.StatsSource)
	if !ok {
		return nil
	}
	return &statistics{m: m, a: a, docs: docs, phone: phoneSource(a, searcher)}
}

// phoneSource is where the telephony spend comes from: the carrier's bills
// imported on the Telefonía page, and for the months without one, the
// reportes de consumo issued.
func phoneSource(a *app, searcher legajo.Searcher) legajo.PhoneSource {
	reported := &legajo.ReportedPhoneSpend{Search: searcher, Archive: a.archive, Prefix: a.cfg.Institution.FolioPrefix, Zone: a.cfg.Zone}
	if a.telephony == nil {
		return reported
	}
	return &legajo.BilledPhoneSpend{Bills: a.telephony, Reported: reported, Zone: a.cfg.Zone}
}

func (s *statistics) Stats(ctx context.Context, f legajo.StatsFilter) (*legajo.Stats, error) {
	o := s.a.office
	b := legajo.StatsBuilder{Docs: s.docs, Cases: o.Cases, Phone: s.phone, Title: func(id string) string {
		if id == legajo.ReceptionType.ID {
			return legajo.ReceptionType.Title
		}
		if t, err := o.Catalog.Type(id); err == nil {
			return t.Title
		}
		return id
	}}
	if o.Cases != nil {
		b.Procedures = o.Cases.Procedures
	}
	return b.Build(ctx, f, s.m.Now().In(s.a.cfg.Zone))
}

func (s *statistics) SVG(c legajo.Chart) ([]byte, error) { return chart.SVG(c) }

func (s *statistics) XLSX(ctx context.Context, w io.Writer, st *legajo.Stats, by string) error {
	return xlsx.Estadisticas(w, st, s.m.instrumentInfo(s.a, by))
}

// informeDPI is the resolution the Informe's charts are drawn at: sharp
// on paper, and a few hundred KB per chart.
const informeDPI = 150

func (s *statistics) Informe(ctx context.Context, w io.Writer, st *legajo.Stats, by string) error {
	now := s.m.Now().In(s.a.cfg.Zone)
	inf := pdf.Informe{Institution: s.a.cfg.Institution, Stats: st, Charts: map[string][]byte{}, By: by, Printed: now}
	if j, err := s.a.office.Signatories().InOffice("jefe-dti", now); err == nil {
		inf.Jefe = j.Name + ", " + j.Position
	}
	// The charts are drawn side by side: drawing is most of the Informe's
	// time, and each chart is independent.
	pngs := make([][]byte, len(st.Charts))
	errs := make([]error, len(st.Charts))
	var wg sync.WaitGroup
	for i, c := range st.Charts {
		if c.Empty() {
			continue // printed as «Sin datos en el periodo»
		}
		wg.Go(func() { pngs[i], errs[i] = chart.PNG(c, pdf.ChartWidth, pdf.ChartHeight, informeDPI) })
	}
	wg.Wait()
	for i, c := range st.Charts {
		if errs[i] != nil {
			return fmt.Errorf("informe: %w", errs[i])
		}
		if pngs[i] != nil {
			inf.Charts[c.ID] = pngs[i]
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.pdfOnce.Do(func() { s.renderer, s.pdfErr = pdf.New(pdf.Options{Logo: s.a.cfg.Logo}) })
	if s.pdfErr != nil {
		return s.pdfErr
	}
	return s.renderer.Informe(w, inf)
}
