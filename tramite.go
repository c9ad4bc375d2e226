package legajo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Procedimiento is one procedure of the Manual Específico de Procedimientos
// del DTI as data: its activities (steps) in the manual's order, who does
// each, the documents each produces or receives, its decisions with their
// branches, its waits and its plazos. Definitions are files
// (templates/procedures/*.yaml) checked at start-up; a Case follows one.
type Procedimiento struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Section   string   `json:"section"` // the section that carries it out
	Objective string   `json:"objective"`
	Frequency string   `json:"frequency"` // Eventual, Periódica, Diaria, Mensual
	Starts    string   `json:"starts"`    // what opens it, e.g. «Oficio o Tarjeta de solicitud»
	Norms     []string `json:"norms,omitempty"`
	Connects  []string `json:"connects,omitempty"` // ids of procedures it connects with
	Steps     []Step   `json:"steps"`
}

// Step is one activity of a procedure, numbered as in the manual (1, 2,
// 2A, 3A.1 …).
type Step struct {
	N      string `json:"n"`
	Who    string `json:"who"` // section or role responsible
	Action string `json:"action"`
	// Issues are the document types (catalog ids) the step produces;
	// Receives, what it receives from outside, as the manual names it.
	Issues   []string `json:"issues,omitempty"`
	Receives []string `json:"receives,omitempty"`
	// Wait is the manual's «Pasa el tiempo» after the step: what the case
	// waits for once the step is done.
	Wait      string     `json:"wait,omitempty"`
	Decision  *Decision  `json:"decision,omitempty"`
	Next      string     `json:"next,omitempty"` // «Continúa con la actividad …»; "" for the following step
	End       bool       `json:"end,omitempty"`  // «Fin» or «FIN DEL PROCEDIMIENTO»
	Deadlines []Deadline `json:"deadlines,omitempty"`
}

// Decision is a question of the flowchart (a diamond) asked once its step
// is done; each branch says where the procedure goes.
type Decision struct {
	Question string   `json:"question"`
	Branches []Branch `json:"branches"`
}

// Branch is one answer to a decision and the step it leads to.
type Branch struct {
	Answer string `json:"answer"`
	Goto   string `json:"goto"`
}

// Deadline is a plazo of a step, counted from the moment the step began
// (or, with FromPrevious, from the end of the step's previous plazo), in
// clock hours or in días hábiles; Then says what the manual orders when it
// passes, and Goto, when set, the step the case should move to.
type Deadline struct {
	Hours        int    `json:"hours,omitempty"`
	BusinessDays int    `json:"business_days,omitempty"`
	FromPrevious bool   `json:"from_previous,omitempty"`
	Then         string `json:"then"`
	Goto         string `json:"goto,omitempty"`
}

// Describe words the plazo for people: «24 horas», «5 días hábiles».
func (d Deadline) Describe() string {
	var s string
	switch {
	case d.Hours == 1:
		s = "1 hora"
	case d.Hours > 0:
		s = fmt.Sprintf("%d horas", d.Hours)
	case d.BusinessDays == 1:
		s = "1 día hábil"
	default:
		s = fmt.Sprintf("%d días hábiles", d.BusinessDays)
	}
	if d.FromPrevious {
		s += " después del plazo anterior"
	}
	return s
}

// Step returns the step numbered n.
func (p *Procedimiento) Step(n string) (*Step, bool) {
	for i := range p.Steps {
		if p.Steps[i].N == n {
			return &p.Steps[i], true
		}
	}
	return nil, false
}

// Following is the step the procedure goes to once step n is done and it
// asks no question: its Next, else the step after it in the manual's
// order. "" when n ends the procedure.
func (p *Procedimiento) Following(n string) string {
	for i, s := range p.Steps {
		if s.N != n {
			continue
		}
		switch {
		case s.End || s.Decision != nil:
			return ""
		case s.Next != "":
			return s.Next
		case i+1 < len(p.Steps):
			return p.Steps[i+1].N
		}
	}
	return ""
}

// Successors lists the steps reachable right after step s.
func (p *Procedimiento) Successors(s *Step) []string {
	if s.Decision != nil {
		var out []string
		for _, b := range s.Decision.Branches {
			out = append(out, b.Goto)
		}
		return out
	}
	if f := p.Following(s.N); f != "" {
		return []string{f}
	}
	return nil
}

// Check validates a definition: numbered steps, each with who and what,
// branches and jumps that lead to existing steps, documents that are types
// of the catalog (known tells), and every step reachable from the first
// with a way to an end. Problems are listed together.
func (p *Procedimiento) Check(known func(typeID string) bool) error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	if !validName(p.ID) {
		add("id %q: use lower-case words joined by '-'", p.ID)
	}
	if strings.TrimSpace(p.Name) == "" {
		add("name is missing")
	}
	if strings.TrimSpace(p.Section) == "" {
		add("section is missing")
	}
	if strings.TrimSpace(p.Objective) == "" {
		add("objective is missing")
	}
	switch p.Frequency {
	case "Eventual", "Periódica", "Diaria", "Mensual":
	default:
		add("frequency %q: want Eventual, Periódica, Diaria or Mensual", p.Frequency)
	}
	if len(p.Steps) == 0 {
		add("steps: a procedure has at least one")
	}
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if s.N == "" || seen[s.N] {
			add("step %q: the number is missing or repeated", s.N)
		}
		seen[s.N] = true
	}
	for i, s := range p.Steps {
		where := fmt.Sprintf("step %s", s.N)
		if strings.TrimSpace(s.Who) == "" || strings.TrimSpace(s.Action) == "" {
			add("%s: who and action are required", where)
		}
		for _, id := range s.Issues {
			if known != nil && !known(id) {
				add("%s: issues %q, which is not a document type", where, id)
			}
		}
		if s.Decision != nil {
			if s.End || s.Next != "" {
				add("%s: a decision step neither ends nor has next; its branches say where to go", where)
			}
			if strings.TrimSpace(s.Decision.Question) == "" || len(s.Decision.Branches) < 2 {
				add("%s: a decision needs a question and two or more branches", where)
			}
			answers := map[string]bool{}
			for _, b := range s.Decision.Branches {
				if b.Answer == "" || answers[b.Answer] {
					add("%s: answer %q is empty or repeated", where, b.Answer)
				}
				answers[b.Answer] = true
				if !seen[b.Goto] {
					add("%s: branch %q goes to step %q, which does not exist", where, b.Answer, b.Goto)
				}
			}
		}
		if s.Next != "" && !seen[s.Next] {
			add("%s: next %q does not exist", where, s.Next)
		}
		if s.End && s.Next != "" {
			add("%s: an end step has no next", where)
		}
		if !s.End && s.Decision == nil && s.Next == "" && i == len(p.Steps)-1 {
			add("%s: the last step must end the procedure (end: true)", where)
		}
		for j, d := range s.Deadlines {
			if (d.Hours > 0) == (d.BusinessDays > 0) || d.Hours < 0 || d.BusinessDays < 0 {
				add("%s: deadline %d: give hours or business_days, one of them", where, j+1)
			}
			if strings.TrimSpace(d.Then) == "" {
				add("%s: deadline %d: then (what the manual orders when it passes) is missing", where, j+1)
			}
			if d.Goto != "" && !seen[d.Goto] {
				add("%s: deadline %d: goto %q does not exist", where, j+1, d.Goto)
			}
			if d.FromPrevious && j == 0 {
				add("%s: deadline 1 cannot count from a previous one", where)
			}
		}
	}
	if len(probs) == 0 && len(p.Steps) > 0 {
		// Every step is reached from the first, and reaches an end.
		reached := map[string]bool{}
		var walk func(n string)
		walk = func(n string) {
			if reached[n] {
				return
			}
			reached[n] = true
			s, _ := p.Step(n)
			for _, m := range p.Successors(s) {
				walk(m)
			}
			for _, d := range s.Deadlines {
				if d.Goto != "" {
					walk(d.Goto)
				}
			}
		}
		walk(p.Steps[0].N)
		for _, s := range p.Steps {
			if !reached[s.N] {
				add("step %s is never reached from step %s", s.N, p.Steps[0].N)
			}
		}
		ends := map[string]bool{}
		for changed := true; changed; {
			changed = false
			for _, s := range p.Steps {
				if ends[s.N] {
					continue
				}
				ok := s.End
				for _, m := range p.Successors(&s) {
					ok = ok || ends[m]
				}
				if ok {
					ends[s.N], changed = true, true
				}
			}
		}
		for _, s := range p.Steps {
			if !ends[s.N] {
				add("step %s never leads to the end of the procedure", s.N)
			}
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("%s", strings.Join(probs, "; "))
	}
	return nil
}

// Procedures is the set of procedures of the manual, in the manual's order.
type Procedures struct {
	list []*Procedimiento
	byID map[string]*Procedimiento
}

// NewProcedures indexes checked definitions.
func NewProcedures(list []*Procedimiento) *Procedures {
	ps := &Procedures{list: list, byID: map[string]*Procedimiento{}}
	for _, p := range list {
		ps.byID[p.ID] = p
	}
	return ps
}

// All lists the procedures.
func (ps *Procedures) All() []*Procedimiento {
	if ps == nil {
		return nil
	}
	return ps.list
}

// Get returns the procedure id, or ErrNotFound.
func (ps *Procedures) Get(id string) (*Procedimiento, error) {
	if ps != nil {
		if p, ok := ps.byID[id]; ok {
			return p, nil
		}
	}
	return nil, Errorf(ErrNotFound, "No existe el procedimiento «%s».", printable(id))
}

// Sections lists the sections that carry out procedures, in order of first
// appearance.
func (ps *Procedures) Sections() []string {
	var out []string
	for _, p := range ps.All() {
		if !slices.Contains(out, p.Section) {
			out = append(out, p.Section)
		}
	}
	return out
}

// due is when plazo d of a step begun at start (whose previous plazo, if
// any, ended at prev) passes.
func (d Deadline) due(cal *Calendar, start, prev time.Time) time.Time {
	from := start
	if d.FromPrevious && !prev.IsZero() {
		from = prev
	}
	if d.Hours > 0 {
		return from.Add(time.Duration(d.Hours) * time.Hour)
	}
	return cal.AddBusinessDays(from, d.BusinessDays)
}
