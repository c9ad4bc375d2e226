package legajo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
)

// registroOffice is caseOffice with the registries on, and the archive's
// directory.
func registroOffice(t testing.TB, at time.Time) (*legajo.Office, *archive.Archive, *[]string) {
	t.Helper()
	o, _ := caseOffice(t, at)
	a := o.Archive.(*archive.Archive)
	rs, err := legajo.NewRegistros(a, legajo.RegistroDefs()...)
	if err != nil {
		t.Fatal(err)
	}
	var logged []string
	rs.Zone, rs.Now = mexico, o.Now
	rs.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	if err := rs.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.Registros = rs
	return o, a, &logged
}

func TestRegistroChangesAreFiledAndReplayed(t *testing.T) {
	ctx := context.Background()
	o, a, _ := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	rs := o.Registros
	alta := legajo.RegistroChange{Kind: legajo.RegAlta, Fields: map[string]string{"cuenta": "rosa.chazaro@ssaver.gob.mx",
		"usuario_nombre": "Rosa Elena Cházaro Ortega", "area": "Subdirección de Recursos Materiales", "rama": legajo.RamaImportada}}
	ev, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{alta}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 1 || ev.Changes[0].Row != "rosa.chazaro@ssaver.gob.mx" {
		t.Fatalf("filed: %+v", ev)
	}
	// The same account again, written otherwise: refused, nothing filed.
	alta.Fields["cuenta"] = "  ROSA.chazaro@ssaver.gob.mx"
	_, err = rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{alta}})
	if !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "ya está en el registro") {
		t.Fatalf("second alta: %v", err)
	}
	// A field that is not a column (a password) is refused, naming it.
	_, err = rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{
		{Row: "rosa.chazaro@ssaver.gob.mx", Kind: legajo.RegModificacion, Fields: map[string]string{"contrasena": "Secreta123"}}}})
	if !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), "«contrasena» no es una columna") {
		t.Fatalf("password field: %v", err)
	}
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "luis", Note: "Renuncia", Changes: []legajo.RegistroChange{
		{Row: "Rosa.Chazaro@ssaver.gob.mx", Kind: legajo.RegBaja, Fields: map[string]string{"fecha_baja": "2026-11-30"}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "luis", Changes: []legajo.RegistroChange{
		{Row: "rosa.chazaro@ssaver.gob.mx", Kind: legajo.RegBaja}}})
	if err == nil || !strings.Contains(err.Error(), "ya fue dado de baja") {
		t.Fatalf("second baja: %v", err)
	}

	// Another process replays the same state from the archive.
	rs2, err := legajo.NewRegistros(a, legajo.RegistroDefs()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := rs2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	row, err := rs2.Row(legajo.PadronCorreoID, "rosa.chazaro@SSAVER.gob.mx")
	if err != nil {
		t.Fatal(err)
	}
	if row.Active || len(row.History) != 2 || row.History[1].Author != "luis" || row.History[1].Note != "Renuncia" ||
		row.Fields["fecha_baja"] != "2026-11-30" || row.Fields["usuario_nombre"] != "Rosa Elena Cházaro Ortega" {
		t.Fatalf("replayed row: %+v", row)
	}
	// Two processes filing at once: the one behind gets the number taken,
	// syncs, checks again and files the next one.
	for i, r := range []*legajo.Registros{rs, rs2} {
		c := legajo.RegistroChange{Kind: legajo.RegAlta, Fields: map[string]string{"cuenta": []string{"a@ssaver.gob.mx", "b@ssaver.gob.mx"}[i],
			"usuario_nombre": "Persona"}}
		if _, err := r.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{c}}); err != nil {
			t.Fatal(err)
		}
	}
	rs.Sync(ctx)
	if n := rs.Count(legajo.PadronCorreoID); n != 3 {
		t.Fatalf("rows after two processes filed: %d", n)
	}
	rows, _ := rs.Rows(legajo.PadronCorreoID, legajo.RegistroQuery{Q: "chazaro"})
	if len(rows) != 1 {
		t.Fatalf("search without accents: %d rows", len(rows))
	}
}

func TestRegistroFollowsDocuments(t *testing.T) {
	ctx := context.Background()
	o, _, logged := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	data, err := fixtures.SampleData("acuse-cuenta-correo")
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Emit(ctx, legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: data, Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	cuenta := data["cuenta"].(string)
	row, err := o.Registros.Row(legajo.PadronCorreoID, cuenta)
	if err != nil {
		t.Fatalf("the acuse did not add the account: %v (log %v)", err, *logged)
	}
	if !row.Active || row.Fields["rama"] != legajo.RamaNueva || row.History[0].Folio != res.Folio || row.History[0].Source != legajo.RegFromDocument {
		t.Fatalf("row: %+v", row)
	}
	for k, v := range row.Fields {
		if strings.Contains(v, data["contrasena"].(string)) || strings.Contains(k, "contrasena") {
			t.Fatalf("the password reached the padrón: %s=%s", k, v)
		}
	}
	// A restablecimiento records itself on the account.
	rd, _ := fixtures.SampleData("restablecimiento-contrasena")
	rd["cuenta"] = cuenta
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: rd, Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	row, _ = o.Registros.Row(legajo.PadronCorreoID, cuenta)
	if s := row.Last(legajo.RegRestablecimiento); s == nil || row.Fields["motivo"] != rd["motivo"] {
		t.Fatalf("restablecimiento not recorded: %+v", row)
	}
	// Cancelling the acuse gives the account it added de baja, as a new
	// change.
	if _, err := o.Cancel(ctx, mustFolio(t, res.Folio), "Se entregó a otra persona por error.", "ana"); err != nil {
		t.Fatal(err)
	}
	row, _ = o.Registros.Row(legajo.PadronCorreoID, cuenta)
	if row.Active || row.History[len(row.History)-1].Source != legajo.RegFromCancelled {
		t.Fatalf("after cancelling the acuse: %+v", row)
	}
	// A restablecimiento of an account not in the padrón is issued anyway
	// and the log says why the padrón did not change.
	rd["cuenta"] = "nadie@ssaver.gob.mx"
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: rd, Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if len(*logged) != 1 || !strings.Contains((*logged)[0], "nadie@ssaver.gob.mx no está vigente") {
		t.Fatalf("log: %q", *logged)
	}
}

// TestRegistroNeverStoresPasswords reads every object the archive holds
// after an acuse and a restablecimiento: the password typed is nowhere.
func TestRegistroNeverStoresPasswords(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := archive.OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	o, _, _ := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	o.Archive = a
	o.Registros, _ = legajo.NewRegistros(a, legajo.RegistroDefs()...)
	data, _ := fixtures.SampleData("acuse-cuenta-correo")
	data["contrasena"] = "Zq7-Unica-Clave-91"
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: data, Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if o.Registros.Count(legajo.PadronCorreoID) != 1 {
		t.Fatal("the acuse did not reach the padrón")
	}
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "Zq7-Unica-Clave-91") {
			t.Errorf("%s holds the password", p)
		}
		if strings.Contains(p, "registros") && json.Valid(b) {
			n++
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no registry object read")
	}
}

func mustFolio(t testing.TB, s string) legajo.Folio {
	t.Helper()
	f, err := legajo.ParseFolio(s, fixtures.Institution().FolioPrefix)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
