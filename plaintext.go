package legajo

import (
	"slices"
	"strings"
)

// PlainText is the readable text of a document of type d with values v, in
// reading order: heading, asunto, recipient, body (texts with their
// placeholders expanded, data grids as «label: value» lines, table rows with
// their cells), closing and c.c.p. lines, then every other field that holds
// a value, as «label: value». It is what search indexes as the document's
// full text without parsing the PDF.
//
// Secret fields never appear: v is reduced to d.Public(v) first and a secret
// placeholder expands to nothing. The folio, date and place placeholders
// expand to nothing as well; they are indexed on their own.
func PlainText(d *DocType, v Values) string {
	pub := d.Public(v)
	shown := map[string]bool{}
	lookup := func(key string) string {
		ref := SplitKey(key)
		f := d.Field(ref.Name)
		val, ok := pub[ref.Name]
		if f == nil || !ok || f.Type == FieldSecret {
			return ""
		}
		shown[ref.Name] = true
		if val.Rows != nil {
			return tableText(f, val.Rows)
		}
		return d.FormatRef(f, val.Text, pub, ref.Form, false)
	}
	var b strings.Builder
	line := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	line(d.Heading.Expand(lookup))
	if s := d.Subject.Expand(lookup); strings.TrimSpace(s) != "" {
		line("Asunto: " + s)
	}
	for _, r := range d.Recipient {
		line(r.Expand(lookup))
	}
	for _, blk := range d.Body {
		if !holds(blk.When, pub) {
			continue
		}
		switch blk.Kind {
		case BlockTitle, BlockHeading, BlockText:
			line(blk.Text.Expand(lookup))
		case BlockData, BlockField:
			for _, name := range blk.Fields {
				f := d.Field(name)
				if f == nil || f.Type == FieldSecret {
					continue
				}
				if s := lookup(name); s != "" {
					line(f.Label + ": " + s)
				}
			}
		case BlockTable:
			for _, name := range blk.Fields {
				line(lookup(name))
			}
		}
	}
	line(d.Closing.Expand(lookup))
	for _, c := range d.Copies {
		if !c.Text.IsZero() {
			line(c.Text.Expand(lookup))
		}
	}
	for i := range d.Fields {
		f := &d.Fields[i]
		if shown[f.Name] || f.Type == FieldSecret {
			continue
		}
		if s := lookup(f.Name); s != "" {
			if f.Type == FieldTable {
				line(f.Label + ":")
				line(s)
			} else {
				line(f.Label + ": " + s)
			}
		}
	}
	return b.String()
}

// tableText writes a table's rows one per line, cells separated by « · ».
func tableText(f *Field, rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		var cells []string
		for i := range f.Columns {
			c := &f.Columns[i]
			if c.Type == FieldSecret {
				continue
			}
			if s := FormatValue(c, r[c.Name], false); s != "" {
				cells = append(cells, s)
			}
		}
		if len(cells) > 0 {
			b.WriteString(strings.Join(cells, " · "))
			b.WriteByte('\n')
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// holds is Document.Holds for bare values.
func holds(c *Condition, v Values) bool {
	if c == nil {
		return true
	}
	val, ok := v[c.Field]
	if !ok {
		return false
	}
	return len(c.In) == 0 || slices.Contains(c.In, val.Text)
}
