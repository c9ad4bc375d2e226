package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOperationsGuideNamesEveryVariable: the operators' guide promises
// every environment variable a node reads; each LEGAJO_ name the program
// reads (a variable, or a prefix such as LEGAJO_BACKUP_S3_ whose
// ACCESS_KEY and the rest it reads) is in it.
func TestOperationsGuideNamesEveryVariable(t *testing.T) {
	guide, err := os.ReadFile("../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`"(LEGAJO_[A-Z0-9_]+)"`)
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range name.FindAllSubmatch(b, -1) {
			seen[string(m[1])] = true
		}
	}
	if len(seen) < 20 {
		t.Fatalf("found only %d LEGAJO_ names in the program: %v", len(seen), seen)
	}
	for v := range seen {
		if !strings.Contains(string(guide), "`"+v) {
			t.Errorf("docs/OPERATIONS.md does not name %s", v)
		}
	}
}
