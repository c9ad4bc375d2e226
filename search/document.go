package search

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sesver/legajo"
)

// maxFieldText bounds the text one document puts in a stored field.
const maxFieldText = 400_000

// document is what the index holds about one folio: the fields of the
// mapping, built from the record alone (manifests and events), never from
// anything that could hold a secret. Manifests carry only public values,
// and the text is rebuilt with legajo.PlainText, which drops secrets again.
func (x *indexer) document(ctx context.Context, rec *legajo.Record) (map[string]any, error) {
	d := map[string]any{}
	folio := rec.Folio.String()
	d[fFolio] = folio
	d[fFolioKey] = folioKeys(rec.Folio)
	d[fFolioSort] = fmt.Sprintf("%04d/%s/%06d", rec.Folio.Year, rec.Folio.Serie, rec.Folio.Number)
	d[fExpediente] = rec.Expediente
	d[fStatus] = string(rec.Status)
	if rec.Status == legajo.StatusCancelado || rec.Status == legajo.StatusAnulado {
		d[fLive] = "no"
	}

	var m legajo.Manifest
	if len(rec.Manifests) > 0 {
		m = rec.Manifests[0]
	}
	typ := m.Type
	date := m.Date
	if e, ok := rec.Emitted(); ok {
		if typ == "" {
			typ = e.Type
		}
		if date.IsZero() {
			date = e.At
		}
	}
	if len(rec.Entries) > 0 {
		if typ == "" {
			typ = rec.Entries[0].Type
		}
		if date.IsZero() {
			date = rec.Entries[0].At
		}
	}
	d[fType] = typ
	d[fDate] = date
	d[fYear] = strconv.Itoa(date.Year())
	title := m.Title
	dt := x.docType(typ)
	if title == "" && dt != nil {
		title = dt.Title
	}
	d[fTitle] = title
	d[fSubject] = m.Subject
	if m.Area != "" {
		d[fArea] = m.Area
	}
	if m.Tramite != "" {
		d[fTramite] = m.Tramite
	}
	if m.Author != "" {
		d[fAuthor] = m.Author
	}

	var text string
	if dt != nil {
		text = legajo.PlainText(dt, m.Fields)
	} else if len(m.Fields) > 0 {
		text = looseText(m.Fields)
	}
	files, notes, noText, err := x.eventTexts(ctx, rec)
	if err != nil {
		return nil, err
	}
	if noText != "" {
		d[fNoText] = noText
	}
	text, files, notes = clip(text), clip(files), clip(notes)
	d[fText] = text
	if files != "" {
		d[fFiles] = files
	}
	if notes != "" {
		d[fNotes] = notes
	}
	d[fFacet] = facetValue(typ, rec.Expediente, m.Area, string(rec.Status), strconv.Itoa(date.Year()))
	d[fHead] = title + "\n" + m.Subject
	content := strings.Join([]string{title, m.Subject, m.Area, m.Tramite, m.Author, text, files, notes}, "\n")
	// The initials of the areas and institutions named (HGT for Hospital
	// General de Tuxpan) are words of the document too.
	d[fContent] = content + "\n" + strings.Join(initials(content), " ")
	if defs := acronymsIn(content); len(defs) > 0 {
		d[fAcr] = defs
		x.newAcronyms.Store(true)
	}
	return d, nil
}

func (x *indexer) docType(id string) *legajo.DocType {
	if id == legajo.ReceptionType.ID {
		return legajo.ReceptionType
	}
	if x.cat == nil {
		return nil
	}
	t, err := x.cat.Type(id)
	if err != nil {
		return nil
	}
	return t
}

// eventTexts gathers what later events add: the text layer of uploaded PDFs
// (acuses, attachments, received scans) and the words of the events
// themselves (cancellation reason, attachment description), and why the
// text of a file could not be extracted, one file a line.
func (x *indexer) eventTexts(ctx context.Context, rec *legajo.Record) (files, notes, noText string, err error) {
	var fb, nb strings.Builder
	var why []string
	for _, e := range rec.Entries {
		switch e.Event {
		case legajo.EventCancelado:
			nb.WriteString("Cancelado: " + e.Reason + "\n")
			continue
		case legajo.EventAcuse, legajo.EventFirma, legajo.EventAnexo, legajo.EventRecibido:
		default:
			continue
		}
		for _, obj := range e.Objects {
			if obj.Kind != "manifest" || e.Event != legajo.EventAnexo {
				continue
			}
			// An attachment's manifest holds its description.
			em, err := x.manifest(ctx, obj.Key)
			if err != nil {
				return "", "", "", err
			}
			if em.Subject != "" {
				nb.WriteString("Anexo: " + em.Subject + "\n")
			}
		}
		for _, obj := range e.Objects {
			switch obj.Kind {
			case "acuse", "firma", "anexo", "escaneo":
			default:
				continue
			}
			if !strings.HasSuffix(obj.Key, ".pdf") {
				continue // images have no text layer
			}
			name := fileLabel(obj)
			if obj.Size > maxPDFBytes {
				why = append(why, name+": texto no extraído: el PDF pasa de "+strconv.Itoa(maxPDFBytes>>20)+" MiB")
				continue
			}
			b, err := x.src.Get(ctx, obj.Key)
			if err != nil {
				return "", "", "", fmt.Errorf("search: %s: %w", obj.Key, err)
			}
			t, err := pdfText(b)
			if err != nil {
				var cause any
				if e, ok := err.(*noTextError); ok {
					cause = e.Cause
				}
				x.warn("search: no text from %s: %v (%v)", obj.Key, err, cause)
				why = append(why, name+": "+err.Error())
				continue
			}
			if t = strings.TrimSpace(t); t != "" {
				fb.WriteString(t + "\n")
			}
		}
	}
	return fb.String(), nb.String(), strings.Join(why, "\n"), nil
}

// fileLabel names an uploaded file for staff: its kind and the last part of
// its key.
func fileLabel(o legajo.Object) string {
	kind := map[string]string{"acuse": "Acuse", "firma": "Ejemplar firmado", "anexo": "Anexo", "escaneo": "Escaneo"}[o.Kind]
	return kind + " " + o.Key[strings.LastIndexByte(o.Key, '/')+1:]
}

// facetSep separates the values of facetValue; no value a clerk can type
// contains it.
const facetSep = "\x1f"

// facetValue is the combination of a document's facet values (in the order
// of facetNames), kept as one term: counting matches by combination costs
// one doc-values read and one count per matching document, against five
// for five fields, and the combinations are split into facets afterwards.
func facetValue(typ, expediente, area, status, year string) string {
	return strings.Join([]string{typ, expediente, area, status, year}, facetSep)
}

// looseText writes values of a type the catalog no longer has.
func looseText(v legajo.Values) string {
	names := make([]string, 0, len(v))
	for n := range v {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		val := v[n]
		if val.Rows == nil {
			b.WriteString(val.Text + "\n")
			continue
		}
		for _, r := range val.Rows {
			cols := make([]string, 0, len(r))
			for c := range r {
				cols = append(cols, c)
			}
			sort.Strings(cols)
			for _, c := range cols {
				b.WriteString(r[c] + " ")
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func clip(s string) string {
	if len(s) <= maxFieldText {
		return s
	}
	return strings.ToValidUTF8(s[:maxFieldText], "")
}

// folioKeys are the normalised forms a folio is found by: the whole folio,
// serie/number/year, number/year and serie/number, numbers without leading
// zeros, lower case. normalizeFolio maps what a person types to one of them.
func folioKeys(f legajo.Folio) []string {
	s := strings.ToLower(f.Serie)
	n, y := strconv.Itoa(f.Number), strconv.Itoa(f.Year)
	keys := []string{s + "/" + n + "/" + y, n + "/" + y, s + "/" + n}
	if f.Prefix != "" {
		keys = append(keys, strings.ToLower(f.Prefix)+"/"+keys[0])
	}
	return keys
}

// parseFolio reads a folio as the chain writes it, whatever its prefix:
// the last three segments are serie, number and year.
func parseFolio(s string) (legajo.Folio, bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 3 {
		return legajo.Folio{}, false
	}
	k := len(parts)
	n, err1 := strconv.Atoi(parts[k-2])
	y, err2 := strconv.Atoi(parts[k-1])
	if err1 != nil || err2 != nil || n <= 0 || parts[k-3] == "" {
		return legajo.Folio{}, false
	}
	return legajo.Folio{Prefix: strings.Join(parts[:k-3], "/"), Serie: parts[k-3], Number: n, Year: y}, true
}

// recordFrom builds the record of folio from its entries and the manifests
// of the entry that filed it, as Archive.Record does, without going through
// the folio pointers: rebuilding walks the chains and already holds them.
// The tantos' manifests differ only in tanto, destination and acuse flag;
// when the document's type is still at the version that issued it, those
// come from the definition and only the first manifest is read.
func (x *indexer) recordFrom(ctx context.Context, folio legajo.Folio, entries []legajo.Entry) (*legajo.Record, error) {
	rec := &legajo.Record{Folio: folio, Entries: entries}
	sort.SliceStable(rec.Entries, func(i, j int) bool { return rec.Entries[i].At.Before(rec.Entries[j].At) })
	rec.Expediente = rec.Entries[0].Expediente
	e, ok := rec.Emitted()
	if !ok {
		rec.Derive()
		return rec, nil
	}
	var objs []legajo.Object
	for _, obj := range e.Objects {
		if obj.Kind == "manifest" {
			objs = append(objs, obj)
		}
	}
	for i, obj := range objs {
		m, err := x.manifest(ctx, obj.Key)
		if err != nil {
			return nil, err
		}
		rec.Manifests = append(rec.Manifests, m)
		if i == 0 && len(objs) > 1 {
			if t := x.docType(m.Type); t != nil && t.Version == m.TypeVersion && m.Tanto != "" {
				if rest, ok := tantoManifests(t, m, objs[1:]); ok {
					rec.Manifests = append(rec.Manifests, rest...)
					break
				}
			}
		}
	}
	rec.Derive()
	return rec, nil
}

// tantoManifests derives the manifests of the other tantos from the first,
// when the entry's objects name tantos of t.
func tantoManifests(t *legajo.DocType, first legajo.Manifest, objs []legajo.Object) ([]legajo.Manifest, bool) {
	if _, ok := t.Tanto(first.Tanto); !ok {
		return nil, false
	}
	out := make([]legajo.Manifest, 0, len(objs))
	for _, obj := range objs {
		tn, ok := t.Tanto(obj.Tanto)
		if !ok {
			return nil, false
		}
		tn = t.TantoFor(tn, first.Fields) // a variant's own destination
		m := first
		m.Tanto, m.Destination, m.Acuse = tn.Name, tn.Destination, tn.Acuse
		m.Masked = t.HasSecrets() && tn.Delivered
		m.File = nil
		out = append(out, m)
	}
	return out, true
}

func (x *indexer) manifest(ctx context.Context, key string) (legajo.Manifest, error) {
	var m legajo.Manifest
	b, err := x.src.Get(ctx, key)
	if err != nil {
		return m, fmt.Errorf("search: %s: %w", key, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("search: manifest %s: %w", key, err)
	}
	return m, nil
}
