package web

import (
	"math"
	"net/http"
	"time"

	"github.com/sesver/legajo"
)

// The statistics in the JSON API: the figures behind each chart of the
// Estadísticas page (its table), for the same filter.

type apiSeries struct {
	Name string `json:"nombre"`
	// Values, one per category; null where the table shows «—».
	Values  []*float64 `json:"valores"`
	Percent bool       `json:"porcentaje,omitempty"`
}

type apiChart struct {
	ID         string      `json:"id"`
	Title      string      `json:"titulo"`
	Caption    string      `json:"descripcion"`
	Category   string      `json:"categoria"`
	Value      string      `json:"valor"`
	Kind       string      `json:"tipo"`
	Money      bool        `json:"pesos,omitempty"`
	Categories []string    `json:"categorias"`
	Series     []apiSeries `json:"series"`
	Extra      []apiSeries `json:"extra"`
}

type apiStats struct {
	From      string     `json:"desde"`
	To        string     `json:"hasta"`
	Area      string     `json:"area,omitempty"`
	Period    string     `json:"periodo"`
	Generated time.Time  `json:"generado"`
	Documents int        `json:"documentos"`
	Charts    []apiChart `json:"graficas"`
}

func apiSeriesOf(ss []legajo.Series) []apiSeries {
	out := []apiSeries{}
	for _, s := range ss {
		v := apiSeries{Name: s.Name, Percent: s.Percent, Values: make([]*float64, len(s.Values))}
		for i, x := range s.Values {
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				v.Values[i] = &x
			}
		}
		out = append(out, v)
	}
	return out
}

// apiStatistics: ?desde=AAAA-MM&hasta=AAAA-MM&area= (the last twelve
// months by default), as the page.
func (s *Server) apiStatistics(w http.ResponseWriter, r *http.Request) error {
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
	out := apiStats{From: f.From.Format("2006-01"), To: f.To.AddDate(0, -1, 0).Format("2006-01"), Area: f.Area,
		Period: f.Period(), Generated: st.Generated, Documents: st.Documents, Charts: []apiChart{}}
	for _, c := range st.Charts {
		cats := c.Categories
		if cats == nil {
			cats = []string{}
		}
		out.Charts = append(out.Charts, apiChart{ID: c.ID, Title: c.Title, Caption: c.Caption, Category: c.Category,
			Value: c.Value, Kind: string(c.Kind), Money: c.Money, Categories: cats, Series: apiSeriesOf(c.Series),
			Extra: apiSeriesOf(c.Extra)})
	}
	return writeJSON(w, http.StatusOK, out)
}
