package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

type auditPage struct {
	Verifications []legajo.Verification
	Checked       bool
	Expedientes   []legajo.Expediente
	Log           activityLog
}

// activityLog is one page of the activity log, newest first, with the
// filters that chose it.
type activityLog struct {
	From, To, Person, Action string
	Activities               []activityView
	People                   []legajo.User
	Actions                  []string
	Page, Pages, Total       int
	Error                    string
}

type activityView struct {
	legajo.Activity
	Who string // the person's name
}

// Link is the address of page n of the log with the same filters.
func (l activityLog) Link(n int) string {
	v := url.Values{}
	for k, s := range map[string]string{"desde": l.From, "hasta": l.To, "persona": l.Person, "accion": l.Action} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if n > 1 {
		v.Set("pagina", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/auditoria#bitacora"
	}
	return "/auditoria?" + v.Encode() + "#bitacora"
}

// activityActions are the actions the log records, as the filter offers
// them.
var activityActions = []string{"entrar", "salir", "emitir", "recibir", "consultar", "descargar", "imprimir", "acuse", "anexar",
	"cancelar", "buscar", "exportar", "caratula", "inventario", "verificar", "configuracion", "usuario"}

// activityPerPage is how many lines of the log a page shows.
const activityPerPage = 50

func (auditPage) title() string { return "Auditoría" }

func (s *Server) audit(w http.ResponseWriter, r *http.Request) error {
	page, err := s.auditData(r)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "audit", page)
	return nil
}

// auditData reads the page of the activity log the filters ask for: the
// requested days (today by default), one person, one action.
func (s *Server) auditData(r *http.Request) (auditPage, error) {
	q := r.URL.Query()
	l := activityLog{From: q.Get("desde"), To: q.Get("hasta"), Person: q.Get("persona"), Action: q.Get("accion"), Actions: activityActions}
	page := auditPage{Expedientes: s.Office.Archive.Expedientes()}
	now := s.now().In(zone)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	to := from.AddDate(0, 0, 1)
	var err error
	if l.From != "" {
		if from, err = time.ParseInLocation(legajo.DateLayout, l.From, zone); err != nil {
			l.Error = "«Desde» no es una fecha válida: elíjala en el calendario."
		}
		to = from.AddDate(0, 0, 1)
	}
	if l.To != "" {
		if to, err = time.ParseInLocation(legajo.DateLayout, l.To, zone); err != nil {
			l.Error = "«Hasta» no es una fecha válida: elíjala en el calendario."
		}
		to = to.AddDate(0, 0, 1)
	}
	if l.Error == "" && !to.After(from) {
		l.Error = "«Hasta» es anterior a «Desde»."
	}
	names := map[string]string{}
	if people, err := s.Users.Users(r.Context()); err == nil {
		l.People = people
		for _, u := range people {
			names[u.Login] = u.Name
		}
	}
	if l.Error != "" {
		page.Log = l
		return page, nil
	}
	var all []legajo.Activity
	s.activity.flush(r.Context()) // what this server did up to now is in the list
	err = s.Activity.Activities(r.Context(), from, to, func(a legajo.Activity) error {
		if (l.Person == "" || a.User == l.Person) && (l.Action == "" || a.Action == l.Action || strings.HasPrefix(a.Action, l.Action+"-")) {
			all = append(all, a)
		}
		return nil
	})
	if err != nil {
		return page, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.After(all[j].At) })
	l.Total = len(all)
	l.Pages = max(1, (l.Total+activityPerPage-1)/activityPerPage)
	l.Page, _ = strconv.Atoi(q.Get("pagina"))
	l.Page = min(max(l.Page, 1), l.Pages)
	for _, a := range all[min((l.Page-1)*activityPerPage, len(all)):min(l.Page*activityPerPage, len(all))] {
		v := activityView{Activity: a, Who: names[a.User]}
		if t := s.docType(a.Detail); a.Action == "emitir" && t != nil {
			v.Detail = t.Title
		}
		if v.Who == "" {
			v.Who = a.User
		}
		l.Activities = append(l.Activities, v)
	}
	page.Log = l
	return page, nil
}

// auditVerify re-checks every chain and object of the archive (or of one
// expediente) and shows the result.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) error {
	page, err := s.auditData(r)
	if err != nil {
		return err
	}
	ids := []string{r.FormValue("expediente")}
	if ids[0] == "" {
		ids = nil
		for _, e := range s.Office.Archive.Expedientes() {
			ids = append(ids, e.ID)
		}
	}
	for _, id := range ids {
		v, err := s.Office.Archive.Verify(r.Context(), id)
		if err != nil {
			return err
		}
		page.Verifications = append(page.Verifications, v)
	}
	page.Checked = true
	s.logActivity(r, "verificar", r.FormValue("expediente"), "")
	s.renderPage(w, r, http.StatusOK, "audit", page)
	return nil
}
