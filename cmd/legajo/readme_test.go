package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The README's data JSON example is the fixture it names, renders, and its
// table of fields is what `legajo types --json` says of the type.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- ejemplo: (fixtures/documents/([a-z-]+)\\.json) -->\n```json\n(.*?)\n```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("the README has no data JSON example")
	}
	file, typ, example := string(m[1]), string(m[2]), m[3]
	fixture, err := os.ReadFile(filepath.Join("../..", file))
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(example, &a); err != nil {
		t.Fatalf("the README's example is not JSON: %v", err)
	}
	json.Unmarshal(fixture, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("the README's example differs from %s", file)
	}

	data := filepath.Join(t.TempDir(), "datos.json")
	os.WriteFile(data, example, 0o644)
	out := t.TempDir()
	if code, _, errs := run(t, nil, "render", "--type", typ, "--data", data, "--out", out); code != 0 {
		t.Fatalf("rendering the README's example: exit %d: %s", code, errs)
	}
	for _, tanto := range []string{"original", "copia"} {
		if _, err := os.Stat(filepath.Join(out, typ+"-"+tanto+".pdf")); err != nil {
			t.Errorf("the README promises %s-%s.pdf: %v", typ, tanto, err)
		}
	}

	code, stdout, errs := run(t, nil, "types", "--json")
	if code != 0 {
		t.Fatalf("types: %s", errs)
	}
	var types []struct {
		ID     string
		Fields []struct {
			Name, Label, Type string
			Required          bool
			Columns           []struct {
				Name, Label, Type string
				Required          bool
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &types); err != nil {
		t.Fatal(err)
	}
	yes := map[bool]string{true: "sí", false: "no"}
	text := string(readme)
	for _, ty := range types {
		if ty.ID != typ {
			continue
		}
		for _, f := range ty.Fields {
			if row := "| `" + f.Name + "` | " + f.Label + " | `" + f.Type + "` | " + yes[f.Required] + " |"; !strings.Contains(text, row) {
				t.Errorf("the README's table lacks %q", row)
			}
			for _, c := range f.Columns {
				if row := "| `" + f.Name + "[]." + c.Name + "` | " + c.Label + " | `" + c.Type + "` | " + yes[c.Required] + " |"; !strings.Contains(text, row) {
					t.Errorf("the README's table lacks %q", row)
				}
			}
		}
	}
}

// README and docs stand alone: they never send a reader outside the
// repository.
func TestDocsStandAlone(t *testing.T) {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"../shared", "/work/", "reference/"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s points outside the repository: %q", f, bad)
			}
		}
	}
	for _, want := range []string{"ARCHITECTURE.md", "SECURITY.md", "TRUST.md", "REGISTRO.md"} {
		if _, err := os.Stat(filepath.Join("../../docs", want)); err != nil {
			t.Errorf("docs/%s: %v", want, err)
		}
	}
}
