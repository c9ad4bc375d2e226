package legajo

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ValidateOn is Validate for a document dated date: once every value is
// valid on its own, it checks the rules across fields of the definition
// (Field.RequiredWhen, Min, Max, After, NotBefore) and, when date is not
// zero, that no date lies absurdly far from it. Each problem is reported
// beside the field whose rule failed, worded with the labels the clerk
// sees.
//
// Validate is ValidateOn without a date. Every problem is reported at once:
// the rules are checked on the values that are valid on their own, so a
// clerk sees a missing field and an end before its start together.
func (t *DocType) ValidateOn(raw map[string]any, date time.Time) (Values, error) {
	out, probs := t.validate(raw)
	bad := make(map[string]bool, len(probs))
	for _, p := range probs {
		bad[p.Field] = true
	}
	probs = append(probs, t.checkRules(out, bad, date)...)
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}
	return out, nil
}

// checkRules applies the rules across fields to the valid values v; bad
// names the fields that already have a problem, which no rule repeats.
func (t *DocType) checkRules(v Values, bad map[string]bool, date time.Time) []Problem {
	var probs []Problem
	for i := range t.Fields {
		f := &t.Fields[i]
		if bad[f.Name] {
			continue
		}
		val, has := v[f.Name]
		add := func(msg string) { probs = append(probs, Problem{Field: f.Name, Message: msg}) }
		if f.Gender != "" && has {
			if _, ok := v[f.Gender]; !ok && !bad[f.Gender] {
				g := t.Field(f.Gender)
				probs = append(probs, Problem{Field: g.Name, Message: fmt.Sprintf("Indique «%s» de «%s»: el documento lo dice con las palabras de su género.", g.Label, f.Label)})
			}
		}
		if c := f.RequiredWhen; c != nil && !has && !bad[c.Field] && holds(c, v) {
			if f.Type == FieldTable {
				add(fmt.Sprintf("«%s» requiere al menos un renglón cuando %s.", f.Label, t.condWords(c, v)))
			} else {
				add(fmt.Sprintf("El campo «%s» es obligatorio cuando %s.", f.Label, t.condWords(c, v)))
			}
		}
		if !has {
			continue
		}
		if f.Type == FieldTable {
			for r, row := range val.Rows {
				for j := range f.Columns {
					c := &f.Columns[j]
					cell, ok := row[c.Name]
					if !ok {
						continue
					}
					label := fmt.Sprintf("«%s», renglón %d: «%s»", f.Label, r+1, c.Label)
					if msg := t.scalarRules(c, label, cell, v, date); msg != "" {
						add(msg)
					}
				}
			}
			continue
		}
		if msg := t.scalarRules(f, "«"+f.Label+"»", val.Text, v, date); msg != "" {
			add(msg)
		}
	}
	return probs
}

// scalarRules checks one valid value s of field (or column) f, called
// label in messages; it returns the first rule it breaks.
func (t *DocType) scalarRules(f *Field, label, s string, v Values, date time.Time) string {
	switch f.Type {
	case FieldNumber, FieldMoney:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return ""
		}
		show := func(x float64) string {
			if f.Type == FieldMoney {
				return FormatMoney(strconv.FormatFloat(x, 'f', 2, 64))
			}
			return groupThousands(strconv.FormatFloat(x, 'f', -1, 64))
		}
		if f.Min != nil && n < *f.Min {
			return fmt.Sprintf("%s debe ser al menos %s (se escribió %s).", label, show(*f.Min), show(n))
		}
		if f.Max != nil && n > *f.Max {
			return fmt.Sprintf("%s no puede ser mayor que %s (se escribió %s).", label, show(*f.Max), show(n))
		}
	case FieldDate, FieldTime:
		if other := t.Field(f.After); other != nil {
			if o, ok := v[f.After]; ok && s <= o.Text {
				return fmt.Sprintf("%s (%s) debe ser posterior a «%s» (%s).", label, FormatValue(f, s, false), other.Label, FormatValue(other, o.Text, false))
			}
		}
		if other := t.Field(f.NotBefore); other != nil {
			if o, ok := v[f.NotBefore]; ok && s < o.Text {
				return fmt.Sprintf("%s (%s) no puede ser anterior a «%s» (%s).", label, FormatValue(f, s, false), other.Label, FormatValue(other, o.Text, false))
			}
		}
		if f.Type == FieldDate && !date.IsZero() {
			return dateWindow(f, label, s, date)
		}
	}
	return ""
}

// dateWindow refuses a date too far from the document's: a mistyped year.
func dateWindow(f *Field, label, s string, date time.Time) string {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return ""
	}
	doc := dateOnly(date)
	past, future := f.PastDays, f.FutureDays
	if past == 0 {
		past = DefaultPastDays
	}
	if future == 0 {
		future = DefaultFutureDays
	}
	switch {
	case d.Before(doc.AddDate(0, 0, -past)):
		return fmt.Sprintf("%s (%s) es más de %s anterior a la fecha del documento (%s); revise el año.", label, LongDate(d), span(past), LongDate(doc))
	case d.After(doc.AddDate(0, 0, future)):
		return fmt.Sprintf("%s (%s) es más de %s posterior a la fecha del documento (%s); revise el año.", label, LongDate(d), span(future), LongDate(doc))
	}
	return ""
}

// span words a number of days for people: «un año», «10 años», «90 días».
func span(days int) string {
	if days >= 365 && days%365 <= days/365 {
		return Plural(days/365, "año", "años")
	}
	return Plural(days, "día", "días")
}

// Plural writes n with the noun that agrees with it: «1 foja», «3 fojas»,
// and «un año» rather than «1 año» for nouns of time.
func Plural(n int, singular, plural string) string {
	if n == 1 {
		if singular == "año" || singular == "día" || singular == "mes" {
			return "un " + singular
		}
		return "1 " + singular
	}
	return strconv.Itoa(n) + " " + plural
}

// condWords words a condition that holds for v: «“Tipo de dictamen” es
// “baja de equipo”», or «se llena “Folio”».
func (t *DocType) condWords(c *Condition, v Values) string {
	f := t.Field(c.Field)
	label := c.Field
	if f != nil {
		label = f.Label
	}
	if len(c.In) == 0 {
		return "se llena «" + label + "»"
	}
	shown := v[c.Field].Text
	if f != nil {
		shown = FormatValue(f, shown, false)
	}
	return "«" + label + "» es «" + strings.TrimSpace(shown) + "»"
}
