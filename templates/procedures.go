package templates

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sesver/legajo"
)

// The procedures of the manual are data too: one file per procedure under
// procedures/, named <order>-<id>.yaml so that a listing is the manual's
// order, checked at start-up like the document types. The documents a step
// produces are type ids of the catalog, so a procedure cannot name a
// document the application cannot issue.

// LoadProcedures reads and checks the embedded procedures against cat.
func LoadProcedures(cat *legajo.Catalog) (*legajo.Procedures, error) {
	sub, err := fs.Sub(embedded, "procedures")
	if err != nil {
		return nil, err
	}
	return LoadProceduresFS(sub, cat)
}

var procFile = regexp.MustCompile(`^([0-9]{2})-(.+)\.yaml$`)

// LoadProceduresFS reads and checks every *.yaml file at the top of fsys.
// Every broken file is reported, each naming its file.
func LoadProceduresFS(fsys fs.FS, cat *legajo.Catalog) (*legajo.Procedures, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	known := func(id string) bool {
		if cat == nil {
			return true
		}
		_, err := cat.Type(id)
		return err == nil
	}
	var errs []error
	var list []*legajo.Procedimiento
	ids := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		p, err := ParseProcedure(b, known)
		m := procFile.FindStringSubmatch(name)
		switch {
		case err != nil:
		case m == nil:
			err = errors.New("name the file <two-digit order>-<id>.yaml")
		case m[2] != p.ID:
			err = fmt.Errorf("id %q does not match the file name", p.ID)
		case ids[p.ID] != "":
			err = fmt.Errorf("id %q is already used by %s", p.ID, ids[p.ID])
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: procedures/%s: %w", name, err))
			continue
		}
		ids[p.ID] = name
		list = append(list, p)
	}
	for _, p := range list {
		for _, c := range p.Connects {
			if ids[c] == "" {
				errs = append(errs, fmt.Errorf("templates: procedures/%s: connects with %q, which is not a procedure", ids[p.ID], c))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errors.New("templates: no procedures found")
	}
	return legajo.NewProcedures(list), nil
}

type procDef struct {
	ID        string    `yaml:"id"`
	Name      string    `yaml:"name"`
	Section   string    `yaml:"section"`
	Objective string    `yaml:"objective"`
	Frequency string    `yaml:"frequency"`
	Starts    string    `yaml:"starts"`
	Norms     []string  `yaml:"norms"`
	Connects  []string  `yaml:"connects"`
	Steps     []stepDef `yaml:"steps"`
}

type stepDef struct {
	N         string        `yaml:"n"`
	Who       string        `yaml:"who"`
	Action    string        `yaml:"action"`
	Issues    []string      `yaml:"issues"`
	Receives  []string      `yaml:"receives"`
	Wait      string        `yaml:"wait"`
	Decision  *decisionDef  `yaml:"decision"`
	Next      string        `yaml:"next"`
	End       bool          `yaml:"end"`
	Deadlines []deadlineDef `yaml:"deadlines"`
}

type decisionDef struct {
	Question string      `yaml:"question"`
	Branches []branchDef `yaml:"branches"`
}

type branchDef struct {
	Answer string `yaml:"answer"`
	Goto   string `yaml:"goto"`
}

type deadlineDef struct {
	Hours        int    `yaml:"hours"`
	BusinessDays int    `yaml:"business_days"`
	FromPrevious bool   `yaml:"from_previous"`
	Then         string `yaml:"then"`
	Goto         string `yaml:"goto"`
}

// ParseProcedure decodes and checks one procedure; known tells the document
// type ids a step may issue. Unknown keys are errors. A step without who
// is done by the procedure's section, as the manual's «Área» column says.
func ParseProcedure(b []byte, known func(string) bool) (*legajo.Procedimiento, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var d procDef
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	p := &legajo.Procedimiento{ID: d.ID, Name: clean(d.Name), Section: clean(d.Section), Objective: clean(d.Objective),
		Frequency: d.Frequency, Starts: clean(d.Starts), Connects: d.Connects}
	for _, n := range d.Norms {
		p.Norms = append(p.Norms, clean(n))
	}
	for _, sd := range d.Steps {
		s := legajo.Step{N: sd.N, Who: clean(sd.Who), Action: clean(sd.Action), Issues: sd.Issues, Receives: sd.Receives,
			Wait: clean(sd.Wait), Next: sd.Next, End: sd.End}
		if s.Who == "" {
			s.Who = p.Section
		}
		if sd.Decision != nil {
			s.Decision = &legajo.Decision{Question: clean(sd.Decision.Question)}
			for _, bd := range sd.Decision.Branches {
				s.Decision.Branches = append(s.Decision.Branches, legajo.Branch{Answer: clean(bd.Answer), Goto: bd.Goto})
			}
		}
		for _, dd := range sd.Deadlines {
			s.Deadlines = append(s.Deadlines, legajo.Deadline{Hours: dd.Hours, BusinessDays: dd.BusinessDays,
				FromPrevious: dd.FromPrevious, Then: clean(dd.Then), Goto: dd.Goto})
		}
		p.Steps = append(p.Steps, s)
	}
	if err := p.Check(known); err != nil {
		return nil, err
	}
	return p, nil
}

// clean joins the lines of a folded YAML value and trims it.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
