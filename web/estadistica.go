package web

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Statistics makes the department's statistics and their exports; the
// program that wires the server provides it (the charts are drawn by a
// package the web server does not import).
type Statistics interface {
	// Stats gathers the statistics of f. Errors are failures of the index
	// or the archive.
	Stats(ctx context.Context, f legajo.StatsFilter) (*legajo.Stats, error)
	// SVG draws one chart as an SVG document.
	SVG(c legajo.Chart) ([]byte, error)
	// XLSX writes st as a workbook with native charts; by is who exports
	// it, by name.
	XLSX(ctx context.Context, w io.Writer, st *legajo.Stats, by string) error
	// Informe writes st as the Informe del Departamento (PDF); by is who
	// prepares it, by name.
	Informe(ctx context.Context, w io.Writer, st *legajo.Stats, by string) error
}

// statsPage is the Estadísticas page: the filters, and each chart with
// its table.
type statsPage struct {
	Desde, Hasta, Area string // as typed, for the form and the export links
	Areas              []string
	// LastMonth is the month before this one (AAAA-MM) and LastMonthName
	// it in words: the monthly Informe the jefa asks for.
	LastMonth, LastMonthName string
	Problems                 []legajo.Problem
	Stats                    *legajo.Stats
	Charts                   []chartView
}

func (statsPage) title() string { return "Estadísticas" }

// Period words the period shown: «Enero a diciembre de 2026».
func (p statsPage) Period() string {
	if p.Stats == nil {
		return ""
	}
	s := p.Stats.Filter.Period()
	return strings.ToUpper(s[:1]) + s[1:]
}

// Query is the filter as a query string, for the export links.
func (p statsPage) Query() template.URL {
	v := url.Values{}
	for k, s := range map[string]string{"desde": p.Desde, "hasta": p.Hasta, "area": p.Area} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return template.URL(v.Encode())
}

// chartView is a chart as the page shows it: the image and the table.
type chartView struct {
	legajo.Chart
	Image   template.URL // data:image/svg+xml, allowed by the page's CSP (img-src data:)
	Columns []string
	Rows    []chartRow
	Totals  []string // per drawn series, then blanks for the extra columns
	// Wide: the table has too many columns to stand beside the chart; it
	// goes under it.
	Wide bool
}

type chartRow struct {
	Category string
	Cells    []string
}

// statsFilter reads the filter of the request.
func (s *Server) statsFilter(r *http.Request) (statsPage, legajo.StatsFilter, error) {
	q := r.URL.Query()
	p := statsPage{Desde: q.Get("desde"), Hasta: q.Get("hasta"), Area: q.Get("area"), Areas: s.areas()}
	now := s.now().In(zone)
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, zone).AddDate(0, -1, 0)
	p.LastMonth, p.LastMonthName = last.Format("2006-01"), legajo.MonthYear(last)
	f, err := legajo.ParseStatsFilter(p.Desde, p.Hasta, p.Area, s.now(), zone)
	if p.Desde == "" {
		p.Desde = f.From.Format("2006-01")
	}
	if p.Hasta == "" {
		p.Hasta = f.To.AddDate(0, -1, 0).Format("2006-01")
	}
	return p, f, err
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) error {
	if s.Statistics == nil {
		return legajo.Errorf(legajo.ErrNotFound, "Las estadísticas no están disponibles en este servidor.")
	}
	p, f, err := s.statsFilter(r)
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		p.Problems = ve.Problems
		s.renderPage(w, r, http.StatusUnprocessableEntity, "estadisticas", p)
		return nil
	}
	if err != nil {
		return err
	}
	if p.Stats, err = s.Statistics.Stats(r.Context(), f); err != nil {
		return err
	}
	for _, c := range p.Stats.Charts {
		v := chartView{Chart: c}
		if !c.Empty() {
			svg, err := s.Statistics.SVG(c)
			if err != nil {
				return err
			}
			v.Image = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg))
		}
		cols := append(append([]legajo.Series{}, c.Series...), c.Extra...)
		for _, sr := range cols {
			v.Columns = append(v.Columns, sr.Name)
		}
		v.Wide = len(cols) > 3
		for i, cat := range c.Categories {
			row := chartRow{Category: cat}
			for _, sr := range cols {
				x := math.NaN()
				if i < len(sr.Values) {
					x = sr.Values[i]
				}
				row.Cells = append(row.Cells, c.FormatValue(sr, x))
			}
			v.Rows = append(v.Rows, row)
		}
		if len(c.Categories) > 1 && c.Kind == legajo.ChartStacked {
			for _, sr := range c.Series {
				var t float64
				for _, x := range sr.Values {
					if !math.IsNaN(x) {
						t += x
					}
				}
				v.Totals = append(v.Totals, c.FormatValue(legajo.Series{}, t))
			}
			for range c.Extra {
				v.Totals = append(v.Totals, "")
			}
		}
		p.Charts = append(p.Charts, v)
	}
	s.renderPage(w, r, http.StatusOK, "estadisticas", p)
	return nil
}

// exportStats sends the statistics of the request's filter as XLSX or as
// the Informe del Departamento.
func (s *Server) exportStats(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.Statistics == nil {
			return legajo.Errorf(legajo.ErrNotFound, "Las estadísticas no están disponibles en este servidor.")
		}
		_, f, err := s.statsFilter(r)
		if err != nil {
			return err
		}
		st, err := s.Statistics.Stats(r.Context(), f)
		if err != nil {
			return err
		}
		by := currentUser(r).Name
		period := f.From.Format("2006-01")
		if n := f.MonthCount(); n > 1 {
			period += "_" + f.To.AddDate(0, -1, 0).Format("2006-01")
		}
		name, what := "estadisticas-"+period+".xlsx", "estadísticas"
		write := func(out io.Writer) error { return s.Statistics.XLSX(r.Context(), out, st, by) }
		if format == "pdf" {
			name, what = "informe-departamento-"+period+".pdf", "informe del departamento"
			write = func(out io.Writer) error { return s.Statistics.Informe(r.Context(), out, st, by) }
		}
		if err := s.sendFile(w, r, name, format, write); err != nil {
			return err
		}
		detail := format + ": " + f.Period()
		if f.Area != "" {
			detail += "; área " + f.Area
		}
		s.logActivity(r, "exportar", what, detail)
		return nil
	}
}
