package templates_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sesver/legajo/templates"
)

func TestLoadProcedures(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := templates.LoadProcedures(cat)
	if err != nil {
		t.Fatal(err)
	}
	all := ps.All()
	if len(all) != 20 {
		t.Fatalf("%d procedures, want the manual's 20", len(all))
	}
	if all[0].ID != "desarrollo-sistemas" || all[19].ID != "asesoria-ofimatica" {
		t.Errorf("order: first %s, last %s", all[0].ID, all[19].ID)
	}
	// Every document type the catalog lists for a procedure is issued by
	// some step of a procedure (labels are printed but issued too).
	issued := map[string]bool{}
	decisions := 0
	for _, p := range all {
		for _, s := range p.Steps {
			for _, id := range s.Issues {
				issued[id] = true
			}
			if s.Decision != nil {
				decisions++
			}
		}
	}
	for _, typ := range cat.Types() {
		if !issued[typ.ID] {
			t.Errorf("no step of any procedure issues %s", typ.ID)
		}
	}
	if decisions < 25 {
		t.Errorf("%d decisions in the manual's procedures; it has more than 25", decisions)
	}
	// The only plazos of the manual: the line failures' 24 h and 48 h.
	p, err := ps.Get("fallas-lineas")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := p.Step("4")
	if len(s.Deadlines) != 2 || s.Deadlines[0].Hours != 24 || s.Deadlines[1].Hours != 48 || !s.Deadlines[1].FromPrevious || s.Deadlines[1].Goto != "5" {
		t.Errorf("fallas-lineas step 4 deadlines = %+v", s.Deadlines)
	}
	if got := p.Following("4A"); got != "" {
		t.Errorf("4A ends the procedure, Following = %q", got)
	}
	d, _ := ps.Get("desarrollo-sistemas")
	if got := d.Following("4A"); got != "5" {
		t.Errorf("desarrollo 4A continues with 5, got %q", got)
	}
	if got := d.Following("2"); got != "3" {
		t.Errorf("desarrollo 2 → %q, want 3", got)
	}
	if s, _ := d.Step("1"); s.Who != "Sección de Sistemas" {
		t.Errorf("step without who is the section's: %q", s.Who)
	}
}

const goodProc = `id: prueba
name: Prueba
section: Sección de Sistemas
objective: Probar.
frequency: Eventual
steps:
  - n: "1"
    action: Recibe.
  - n: "2"
    action: Decide.
    decision:
      question: ¿Sí?
      branches:
        - {answer: "Sí", goto: "3"}
        - {answer: "No", goto: "2A"}
  - n: "2A"
    action: Ajusta.
    next: "2"
  - n: "3"
    action: Termina.
    issues: [minuta]
    end: true
`

func TestLoadProceduresRefusesBrokenDefinitions(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file, body, want string
	}{
		{"good", "01-prueba.yaml", goodProc, ""},
		{"file name without order", "prueba.yaml", goodProc, "procedures/prueba.yaml: name the file"},
		{"id and file differ", "01-otra.yaml", goodProc, "does not match the file name"},
		{"unknown key", "01-prueba.yaml", goodProc + "plazo: 3\n", "field plazo not found"},
		{"unknown document type", "01-prueba.yaml", strings.Replace(goodProc, "[minuta]", "[memorandum]", 1), `issues "memorandum", which is not a document type`},
		{"branch to nowhere", "01-prueba.yaml", strings.Replace(goodProc, `goto: "2A"`, `goto: "9"`, 1), `goes to step "9", which does not exist`},
		{"unreachable step", "01-prueba.yaml", strings.Replace(goodProc, `goto: "2A"`, `goto: "3"`, 1), "step 2A is never reached"},
		{"no end", "01-prueba.yaml", strings.Replace(goodProc, "    end: true\n", "", 1), "the last step must end"},
		{"loop without exit", "01-prueba.yaml", strings.Replace(strings.Replace(goodProc, `goto: "3"`, `goto: "2A"`, 1), `answer: "No", goto: "2A"`, `answer: "No", goto: "2"`, 1), "never leads to the end"},
		{"repeated step", "01-prueba.yaml", strings.Replace(goodProc, `n: "2A"`, `n: "2"`, 1), "missing or repeated"},
		{"one branch", "01-prueba.yaml", strings.Replace(goodProc, "        - {answer: \"No\", goto: \"2A\"}\n", "", 1), "two or more branches"},
		{"deadline in hours and days", "01-prueba.yaml", strings.Replace(goodProc, "    action: Recibe.\n", "    action: Recibe.\n    deadlines:\n      - {hours: 24, business_days: 2, then: Reenvía.}\n", 1), "give hours or business_days"},
		{"deadline without consequence", "01-prueba.yaml", strings.Replace(goodProc, "    action: Recibe.\n", "    action: Recibe.\n    deadlines:\n      - {hours: 24}\n", 1), "then (what the manual orders"},
		{"bad frequency", "01-prueba.yaml", strings.Replace(goodProc, "Eventual", "A veces", 1), "frequency"},
		{"connects to nothing", "01-prueba.yaml", goodProc + "connects: [inexistente]\n", `connects with "inexistente"`},
		{"not yaml", "01-prueba.yaml", "id: [", "yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := templates.LoadProceduresFS(fstest.MapFS{tt.file: {Data: []byte(tt.body)}}, cat)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "procedures/"+tt.file) {
				t.Fatalf("error %v, want one naming procedures/%s and saying %q", err, tt.file, tt.want)
			}
		})
	}
}
