package xlsx_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/xlsx"
	"github.com/sesver/legajo/templates"
)

var update = flag.Bool("update", false, "rewrite the golden dumps in testdata")

var zone = func() *time.Location {
	z, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		panic(err)
	}
	return z
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
	if err != nil {
		panic(err)
	}
	return t
}

// golden compares got with testdata/name; -update rewrites it. A missing
// golden file fails: look at the new dump before committing it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file (run go test -update and look at it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from its golden file; if intended, run with -update and look at the dump.\n%s", name, diff(string(want), got))
	}
}

// diff shows the first differing lines.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return ""
}

func dump(t *testing.T, b []byte) string {
	t.Helper()
	d, err := xlsx.Dump(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// events builds trail events from the fixture samples, as the archive's
// manifests carry them (public fields only).
type events struct {
	t   *testing.T
	cat *legajo.Catalog
	all []legajo.TrailEvent
	seq int64
}

func newEvents(t *testing.T) *events {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &events{t: t, cat: cat}
}

func (e *events) emit(sample, folio, when string, status legajo.Status) {
	e.t.Helper()
	list, err := fixtures.Samples()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range list {
		if s.Name != sample {
			continue
		}
		ty, err := e.cat.Type(s.Type)
		if err != nil {
			e.t.Fatal(err)
		}
		vals, err := ty.Validate(s.Data)
		if err != nil {
			e.t.Fatal(err)
		}
		e.seq++
		for _, tanto := range ty.Tantos {
			e.all = append(e.all, legajo.TrailEvent{Expediente: ty.Expediente, Seq: e.seq, At: at(when), Event: legajo.EventEmitido,
				Folio: folio, Type: ty.ID, Title: ty.Title, Date: at(when), Subject: "Asunto de " + ty.Title, Area: vals["area"].Text,
				Tanto: tanto.Name, Status: status, Author: "ana", Kind: "pdf", Filed: tanto.Filed,
				Key:    "expedientes/" + ty.Expediente + "/" + strings.ReplaceAll(folio, "/", "-") + "_" + strings.ToLower(tanto.Name) + ".pdf",
				SHA256: strings.Repeat("ab", 32), Size: 25000, Fojas: 1, Fields: ty.Public(vals)})
		}
		return
	}
	e.t.Fatalf("no sample %s", sample)
}

func (e *events) later(folio, when string, ev legajo.EventKind, status legajo.Status, reason string) {
	for _, x := range e.all {
		if x.Folio == folio {
			e.seq++
			y := legajo.TrailEvent{Expediente: x.Expediente, Seq: e.seq, At: at(when), Event: ev, Folio: folio, Type: x.Type,
				Title: x.Title, Date: x.Date, Subject: x.Subject, Area: x.Area, Status: status, Author: "beto", Reason: reason}
			if ev == legajo.EventAcuse {
				y.Kind, y.Key, y.SHA256, y.Size, y.Fojas, y.Filed = "acuse", strings.TrimSuffix(x.Key, ".pdf")+"-acuse.jpg", strings.Repeat("cd", 32), 9000, 1, true
			}
			e.all = append(e.all, y)
			return
		}
	}
}

func info(verified bool) legajo.TrailInfo {
	v := legajo.Verification{Expediente: "dti", Entries: 4, Objects: 14, Findings: []legajo.Finding{}, Head: strings.Repeat("ef", 32)}
	if !verified {
		v.Findings = []legajo.Finding{{Expediente: "dti", Key: "expedientes/dti/SESVER-DA-DTI-OL-0001-2026_copia.pdf", Problem: "modificado",
			Detail: "El contenido no coincide con el registrado en la entrada 1."}}
	}
	return legajo.TrailInfo{
		Criteria:   []legajo.Criterion{{Label: "Expediente", Value: "SESVER.08C.09 Expediente del DTI (dti)"}, {Label: "Periodo", Value: "del 01/01/2026 al 31/12/2026"}},
		ExportedBy: "auditor.oic", ExportedAt: at("2027-01-15 10:00"), Verifications: []legajo.Verification{v},
		Institution: fixtures.Institution(),
	}
}

func writeTrail(t *testing.T, evs []legajo.TrailEvent, inf legajo.TrailInfo) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw, err := xlsx.NewTrail(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := tw.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(inf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sampleTrail(t *testing.T) *events {
	e := newEvents(t)
	e.emit("oficio-liberacion", "SESVER/DA/DTI/OL/0001/2026", "2026-03-02 09:30", legajo.StatusPendiente)
	e.emit("minuta", "SESVER/DA/DTI/MI/0001/2026", "2026-03-05 11:00", legajo.StatusEmitido)
	e.later("SESVER/DA/DTI/OL/0001/2026", "2026-03-09 13:15", legajo.EventAcuse, legajo.StatusAcusado, "")
	e.later("SESVER/DA/DTI/MI/0001/2026", "2026-04-01 17:45", legajo.EventCancelado, legajo.StatusCancelado,
		"Se sustituye por la minuta corregida con los acuerdos completos.")
	return e
}

func TestTrailGolden(t *testing.T) {
	golden(t, "trail.golden", dump(t, writeTrail(t, sampleTrail(t).all, info(true))))
}

func TestTrailTampered(t *testing.T) {
	d := dump(t, writeTrail(t, sampleTrail(t).all, info(false)))
	_, second, _ := strings.Cut(d, `== hoja "Verificación"`)
	for _, want := range []string{"VERIFICACIÓN FALLIDA", "modificado", "expedientes/dti/SESVER-DA-DTI-OL-0001-2026_copia.pdf", "1 problema"} {
		if !strings.Contains(second, want) {
			t.Errorf("the verification sheet lacks %q:\n%s", want, second)
		}
	}
}

func TestTrailEmpty(t *testing.T) {
	d := dump(t, writeTrail(t, nil, info(true)))
	if !strings.Contains(d, "A1 texto No.") || !strings.Contains(d, "autofiltro $A$1:$S$2") {
		t.Errorf("an empty trail still has its header and filter:\n%s", d)
	}
}

func summaries() []legajo.ExpedienteSummary {
	exps := legajo.DefaultExpedientes()
	find := func(id string) legajo.Expediente {
		for _, e := range exps {
			if e.ID == id {
				return e
			}
		}
		panic(id)
	}
	dti, correos := find("dti"), find("correos")
	return []legajo.ExpedienteSummary{
		{Expediente: dti, Year: 2024, Number: 1, Documents: 12, Cancelled: 1, Events: 20, Files: 16, Fojas: 31,
			Apertura: at("2024-01-08 00:00"), Cierre: at("2024-12-10 00:00"), Closed: true,
			TransferDue: at("2026-12-10 00:00"), DisposalDue: at("2031-12-10 00:00"),
			Types:      []legajo.TypeCount{{Type: "oficio-liberacion", Title: "Oficio de liberación de sistema", Count: 7}, {Type: "minuta", Title: "Minuta de acuerdos", Count: 5}},
			Series:     []legajo.SerieRange{{Serie: "MI", Count: 5, First: "SESVER/DA/DTI/MI/0001/2024", Last: "SESVER/DA/DTI/MI/0005/2024"}, {Serie: "OL", Count: 7, First: "SESVER/DA/DTI/OL/0001/2024", Last: "SESVER/DA/DTI/OL/0007/2024"}},
			Originales: 5, Copias: 7, EnPapel: 12},
		{Expediente: correos, Year: 2020, Number: 1, Documents: 40, Events: 70, Files: 70, Fojas: 70,
			Apertura: at("2020-02-03 00:00"), Cierre: at("2020-11-30 00:00"), Closed: true,
			TransferDue: at("2022-11-30 00:00"), DisposalDue: at("2025-11-30 00:00"),
			Types:      []legajo.TypeCount{{Type: "acuse-cuenta-correo", Title: "Formato de acuse de recibido de cuenta de correo electrónico", Count: 40}},
			Series:     []legajo.SerieRange{{Serie: "CC", Count: 40, First: "SESVER/DA/DTI/CC/0001/2020", Last: "SESVER/DA/DTI/CC/0040/2020"}},
			Originales: 40, EnPapel: 40},
		{Expediente: dti, Year: 2026, Number: 1, Documents: 3, Events: 5, Files: 4, Fojas: 8,
			Apertura: at("2026-03-02 00:00"), Cierre: at("2026-07-01 00:00"),
			Types:  []legajo.TypeCount{{Type: "oficio-liberacion", Title: "Oficio de liberación de sistema", Count: 3}},
			Series: []legajo.SerieRange{{Serie: "OL", Count: 3, First: "SESVER/DA/DTI/OL/0008/2026", Last: "SESVER/DA/DTI/OL/0010/2026"}},
			Copias: 3, EnPapel: 3},
	}
}

func instrumentInfo() xlsx.Info {
	return xlsx.Info{Institution: fixtures.Institution(), By: "Rosa Elena Durán Vázquez", At: at("2027-01-15 10:00"),
		Responsable: "Ing. Laura Patricia Méndez Ortiz, Jefa del Departamento de Tecnologías de la Información"}
}

func TestInventarioGolden(t *testing.T) {
	now := at("2027-01-15 10:00")
	for _, kind := range []string{legajo.InventoryGeneral, legajo.InventoryTransferencia, legajo.InventoryBaja} {
		t.Run(kind, func(t *testing.T) {
			rows, err := legajo.InventoryRows(kind, summaries(), now)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := xlsx.Inventario(&buf, kind, rows, instrumentInfo()); err != nil {
				t.Fatal(err)
			}
			d := dump(t, buf.Bytes())
			// Every row names its medium and where it is in words; no
			// storage path reaches an inventory.
			located := strings.Contains(d, "Híbrido") && strings.Contains(d, "Sistema Legajo, expediente SESVER.08C.")
			if strings.Contains(d, "expedientes/") || strings.Contains(d, "Electrónico") || (kind != legajo.InventoryBaja && !located) {
				t.Errorf("inventario %s: soporte or ubicación wrong:\n%s", kind, d)
			}
			golden(t, "inventario-"+kind+".golden", d)
		})
	}
	if err := xlsx.Inventario(&bytes.Buffer{}, "otro", nil, instrumentInfo()); err == nil {
		t.Error("an unknown kind is accepted")
	}
}

func TestRetencionGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := xlsx.Retencion(&buf, legajo.Retention(summaries(), at("2027-01-15 10:00")), instrumentInfo()); err != nil {
		t.Fatal(err)
	}
	golden(t, "retencion.golden", dump(t, buf.Bytes()))
}

func TestRegistroGolden(t *testing.T) {
	e := newEvents(t)
	e.emit("acuse-cuenta-correo", "SESVER/DA/DTI/CC/0001/2026", "2026-03-05 11:00", legajo.StatusPendiente)
	e.later("SESVER/DA/DTI/CC/0001/2026", "2026-03-06 13:15", legajo.EventAcuse, legajo.StatusAcusado, "")
	e.emit("restablecimiento-contrasena", "SESVER/DA/DTI/RC/0001/2026", "2026-06-15 12:00", legajo.StatusPendiente)
	e.emit("dictamen-tecnico.baja", "SESVER/DA/DTI/DT/0001/2026", "2026-05-20 10:00", legajo.StatusPendiente)
	e.emit("dictamen-tecnico", "SESVER/DA/DTI/DT/0002/2026", "2026-05-21 10:00", legajo.StatusPendiente)
	e.emit("reporte-cierre", "SESVER/DA/DTI/CS/0001/2026", "2026-11-16 16:00", legajo.StatusEmitido)
	secrets := secretValues(t)
	for _, r := range legajo.Registries() {
		t.Run(r.ID, func(t *testing.T) {
			var evs []legajo.TrailEvent
			for _, ev := range e.all {
				for _, ty := range r.Types {
					if ev.Type == ty {
						evs = append(evs, ev)
					}
				}
			}
			var buf bytes.Buffer
			if err := xlsx.Registro(&buf, r, evs, instrumentInfo()); err != nil {
				t.Fatal(err)
			}
			d := dump(t, buf.Bytes())
			for _, s := range secrets {
				if strings.Contains(d, s) || bytes.Contains(buf.Bytes(), []byte(s)) {
					t.Errorf("a password reached the registry %s", r.ID)
				}
			}
			for _, h := range headerCells(d) {
				if strings.Contains(strings.ToLower(h), "contraseña") {
					t.Errorf("the registry has a password column: %s", h)
				}
			}
			golden(t, "registro-"+r.ID+".golden", d)
		})
	}
}

// headerCells are the cells of a dump's table header: the row whose
// column A says "No.".
func headerCells(d string) []string {
	var row string
	var out []string
	for _, line := range strings.Split(d, "\n") {
		cell, rest, _ := strings.Cut(line, " ")
		if rest == "texto No." && strings.HasPrefix(cell, "A") {
			row = cell[1:]
		}
		if row != "" && strings.TrimLeft(cell, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == row {
			out = append(out, line)
		}
	}
	return out
}

// secretValues are the passwords of the fixture samples.
func secretValues(t *testing.T) []string {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	list, err := fixtures.Samples()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		ty, err := cat.Type(s.Type)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ty.Fields {
			if f.Type == legajo.FieldSecret {
				if v, ok := s.Data[f.Name].(string); ok && v != "" {
					out = append(out, v)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the fixtures have no password to look for")
	}
	return out
}
