package search

import (
	"context"
	"slices"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

func TestAcronymsIn(t *testing.T) {
	for text, want := range map[string][]string{
		"Fallas del Sistema Integral de Control de Inventarios y Pedidos (SICIP) en almacén": {"sicip=Sistema Integral de Control de Inventarios y Pedidos"},
		"traslado al Hospital General de Tuxpan (HGT) del paciente":                          {"hgt=Hospital General de Tuxpan"},
		"el Departamento de Tecnologías de la Información (DTI).":                            {"dti=Departamento de Tecnologías de la Información"},
		"Laboratorio Estatal de Salud Pública (LESP) y Jurisdicción Sanitaria No. V (JS5)":   {"lesp=Laboratorio Estatal de Salud Pública"},
		"se cambió el equipo (HP) del área":                                                  nil, // no name spells it
		"el Sistema (SI) y la red (LAN)":                                                     nil, // a name is two words at least
		"véase el anexo (ver tabla)":                                                         nil,
		"Sistema de Control (SC":                                                             nil, // unclosed
		"Sistema de Control(SC) y Sistema de Control (SC)":                                   {"sc=Sistema de Control"},
		"un (X) solo": nil,
	} {
		if got := acronymsIn(text); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

// An acronym defined in one document finds the documents that spell its
// name out, and only those.
func TestAcronymAcrossDocuments(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	receive := func(asunto string, lines ...string) legajo.Folio {
		res, err := e.office.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
			"tipo": "Oficio", "referencia": "SESVER/HRX/DIR/0917/2026", "fecha_recepcion": "2026-03-03", "hora_recepcion": "10:20",
			"remitente": "Dr. Arturo Cabrera Montano", "cargo": "Director", "area": "Hospital Regional de Xalapa", "asunto": asunto,
		}, Scan: fixtures.TextPDF(lines...), ScanName: "oficio.pdf", Author: "capturista1"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := legajo.ParseFolio(res.Folio, fixtures.Institution().FolioPrefix)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	defines := receive("Fallas en almacén", "Reportamos fallas del Sistema Integral de Control de Inventarios y Pedidos (SICIP) en el almacén central.")
	spells := receive("Capacitación en inventarios", "Solicitamos capacitación en el Sistema Integral de Control de Inventarios y Pedidos para el personal de farmacia.")
	other := receive("Capacitación en correo", "Solicitamos capacitación en el uso del correo institucional para el personal de farmacia.")
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	res := search(t, e.index, legajo.SearchQuery{Text: "SICIP"})
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Folio)
	}
	if !slices.Contains(got, defines.String()) || !slices.Contains(got, spells.String()) || slices.Contains(got, other.String()) {
		t.Errorf("SICIP: %v, want %s and %s, not %s", got, defines, spells, other)
	}
	res = search(t, e.index, legajo.SearchQuery{Text: "sicip capacitacion"})
	if len(res.Hits) == 0 || res.Hits[0].Folio != spells.String() || res.Partial {
		t.Errorf("sicip capacitacion: %+v", res.Hits)
	}
	// Another process opening the index (a private snapshot beside the
	// server's) knows the acronyms as well.
	other2, err := Open(e.index.Dir(), e.cat, e.archive)
	if err != nil {
		t.Fatal(err)
	}
	defer other2.Close()
	if res := search(t, other2, legajo.SearchQuery{Text: "sicip capacitacion"}); len(res.Hits) == 0 || res.Hits[0].Folio != spells.String() {
		t.Errorf("sicip capacitacion, from a second opening of the index: %+v", res.Hits)
	}
	// A word no document defines is searched as itself.
	if res := search(t, e.index, legajo.SearchQuery{Text: "SIGAP"}); res.Total != 0 {
		t.Errorf("SIGAP: %d hits", res.Total)
	}
}

// BenchmarkAcronymLookup is what looking a typed word up among the defined
// acronyms adds to a search, beside a search of a rare word (the cheapest
// query) on the same index, in one run:
//
//	LEGAJO_BENCH_DOCS=20000 go test -run '^$' -bench AcronymLookup ./search/
func BenchmarkAcronymLookup(b *testing.B) {
	x := corpusIndex(b, benchDocs())
	rare := rareWord(b, x)
	r, err := x.reader()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	lex, err := newLexicon(r)
	if err != nil {
		b.Fatal(err)
	}
	lex.acronyms = x.acronymTable()
	b.Logf("%d acronyms defined", len(lex.acronyms))
	b.Run("lookup", func(b *testing.B) {
		for b.Loop() {
			lex.acronymMeanings(rare)
		}
		if lex.err != nil {
			b.Fatal(lex.err)
		}
	})
	b.Run("rare-word-search", func(b *testing.B) {
		for b.Loop() {
			if _, err := x.Search(context.Background(), legajo.SearchQuery{Text: rare}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
