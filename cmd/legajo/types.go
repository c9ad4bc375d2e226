package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/templates"
)

// typeJSON and fieldJSON are the contract of `legajo types --json`.
type typeJSON struct {
	ID         string             `json:"id"`
	Title      string             `json:"title"`
	Version    int                `json:"version"`
	Serie      string             `json:"serie"`
	Expediente string             `json:"expediente"`
	Layout     string             `json:"layout"`
	Procedures []legajo.Procedure `json:"procedures"`
	Tantos     []legajo.Tanto     `json:"tantos"`
	Fields     []fieldJSON        `json:"fields"`
}

type fieldJSON struct {
	Name     string      `json:"name"`
	Label    string      `json:"label"`
	Type     string      `json:"type"`
	Required bool        `json:"required"`
	Help     string      `json:"help,omitempty"`
	MaxLen   int         `json:"max_len"`
	Options  []string    `json:"options"`
	Columns  []fieldJSON `json:"columns"`
}

func toFieldJSON(fs []legajo.Field) []fieldJSON {
	out := make([]fieldJSON, len(fs))
	for i, f := range fs {
		out[i] = fieldJSON{Name: f.Name, Label: f.Label, Type: string(f.Type), Required: f.Required, Help: f.Help,
			MaxLen: f.Limit(), Options: append([]string{}, f.Options...), Columns: toFieldJSON(f.Columns)}
		if f.Type == legajo.FieldTable {
			out[i].MaxLen = 0
		}
	}
	return out
}

func (m *Main) runTypes(ctx context.Context, args []string) error {
	fs := m.flags("types")
	asJSON := fs.Bool("json", false, "print one JSON array")
	if err := parse(fs, args); err != nil {
		return err
	}
	cat, err := templates.Load()
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]typeJSON, 0, len(cat.Types()))
		for _, t := range cat.Types() {
			out = append(out, typeJSON{ID: t.ID, Title: t.Title, Version: t.Version, Serie: t.Serie,
				Expediente: t.Expediente, Layout: string(t.Layout), Procedures: t.Procedures, Tantos: t.Tantos,
				Fields: toFieldJSON(t.Fields)})
		}
		return m.printJSON(out)
	}
	var b strings.Builder
	for _, t := range cat.Types() {
		fmt.Fprintf(&b, "%-28s %-4s v%d  %s\n", t.ID, t.Serie, t.Version, t.Title)
		for _, f := range t.Fields {
			req := ""
			if f.Required {
				req = " *"
			}
			fmt.Fprintf(&b, "    %-26s %-9s %s%s\n", f.Name, f.Type, f.Label, req)
			for _, c := range f.Columns {
				fmt.Fprintf(&b, "      · %-22s %-9s %s\n", c.Name, c.Type, c.Label)
			}
		}
	}
	fmt.Fprintf(&b, "%d tipos de documento (* obligatorio)\n", len(cat.Types()))
	_, err = fmt.Fprint(m.Stdout, b.String())
	return err
}

func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
