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
	// A restablecimiento of an account that predates the padrón adds it;
	// one of an account given de baja is issued anyway, and the log says
	// why the padrón did not change.
	rd["cuenta"] = "anterior@ssaver.gob.mx"
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: rd, Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	row, err = o.Registros.Row(legajo.PadronCorreoID, "anterior@ssaver.gob.mx")
	if err != nil || row.Fields["rama"] != legajo.RamaImportada || len(row.History) != 2 || row.History[1].Kind != legajo.RegRestablecimiento {
		t.Fatalf("account from before the padrón: %+v %v", row, err)
	}
	rd["cuenta"] = cuenta
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "restablecimiento-contrasena", Data: rd, Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	if len(*logged) != 1 || !strings.Contains((*logged)[0], cuenta+" fue dada de baja del padrón") {
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

func TestRegistroDocumentsOfEachRegistry(t *testing.T) {
	ctx := context.Background()
	o, _, logged := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	rs := o.Registros
	emit := func(typ string, edit func(map[string]any)) string {
		t.Helper()
		data, err := fixtures.SampleData(typ)
		if err != nil {
			t.Fatal(err)
		}
		edit(data)
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: typ, Data: data, Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Folio
	}
	// An acuse gives Ricardo his e-mail account in the padrón and as an
	// access; two more accesses are registered by hand.
	emit("acuse-cuenta-correo", func(d map[string]any) {
		d["usuario_nombre"], d["cuenta"] = "Ricardo Hernández Montiel", "rhernandez@ssaver.gob.mx"
	})
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.AccesosID, Author: "ana", Changes: []legajo.RegistroChange{
		{Kind: legajo.RegAlta, Fields: map[string]string{"persona": "Ricardo Hernández Montiel", "sistema": "Sistema de Control de Adquisiciones (SICOA)", "cuenta": "rhernandez", "tipo_acceso": "Capturista"}},
		{Kind: legajo.RegAlta, Fields: map[string]string{"persona": "Ricardo Hernandez Montiel", "sistema": "VPN institucional", "cuenta": "rhernandez"}},
	}}); err != nil {
		t.Fatal(err)
	}
	if n := len(rs.OpenAccesses("C. RICARDO HERNANDEZ MONTIEL")); n != 3 {
		t.Fatalf("open accesses before the baja: %d", n)
	}
	// The informe de baja lists the correo and SICOA (and four accesses
	// nobody had registered): those close, the VPN stays open.
	informe := emit("informe-baja-accesos", func(d map[string]any) {})
	open := rs.OpenAccesses("Ricardo Hernández Montiel")
	if len(open) != 1 || open[0].Fields["sistema"] != "VPN institucional" {
		t.Fatalf("open accesses after the informe: %+v", open)
	}
	closed, _ := rs.Row(legajo.AccesosID, legajo.AccesoKey("Ricardo Hernández Montiel", "Sistema de Control de Adquisiciones (SICOA)", "rhernandez"))
	if closed.Active || closed.Fields["fecha_cancelacion"] != "2026-11-06" || closed.History[len(closed.History)-1].Folio != informe {
		t.Fatalf("SICOA access: %+v", closed)
	}
	if n := rs.Count(legajo.AccesosID); n != 3+4 {
		t.Fatalf("accesses registered: %d", n)
	}
	acct, _ := rs.Row(legajo.PadronCorreoID, "rhernandez@ssaver.gob.mx")
	if acct.Active || acct.Fields["fecha_baja"] != "2026-11-06" {
		t.Fatalf("the informe did not close the account in the padrón: %+v", acct)
	}

	// A dictamen de baja with piezas extraídas: the equipment is de baja
	// and the parts are in stock; two equal parts make a quantity of 2.
	emit("dictamen-tecnico", func(d map[string]any) {
		d["variante"], d["motivo_baja"], d["piezas_extraidas"] = "baja de equipo", "obsolescencia del equipo", "Sí"
		d["piezas"] = []any{
			map[string]any{"componente": "Memoria RAM DDR4 de 8 GB", "marca_modelo": "Kingston KVR26N19S8/8", "serie": "A1", "estado": "Funcional"},
			map[string]any{"componente": "Memoria RAM DDR4 de 8 GB", "marca_modelo": "Kingston KVR26N19S8/8", "serie": "A2", "estado": "Funcional"},
			map[string]any{"componente": "Unidad de estado sólido 256 GB", "marca_modelo": "", "serie": "", "estado": "Funcional"},
		}
		delete(d, "refacciones")
		d["motivo"] = "El equipo no admite actualización del sistema operativo y su reparación excede su valor."
		d["conclusion"] = "Se propone su baja."
	})
	if *logged != nil {
		t.Fatalf("log: %q", *logged)
	}
	eq, err := rs.Row(legajo.EquipoID, "SESVER-5151-2021-01264")
	if err != nil || eq.Fields["estado"] != legajo.EquipoDeBaja || eq.Fields["motivo_baja"] != "obsolescencia del equipo" {
		t.Fatalf("equipment: %+v %v", eq, err)
	}
	ram, err := rs.Row(legajo.ComponentesID, "Memoria RAM DDR4 de 8 GB · Kingston KVR26N19S8/8")
	if err != nil || ram.Qty != 2 || ram.Fields["series"] != "A1, A2" {
		t.Fatalf("RAM in stock: %+v %v", ram, err)
	}
	// A part used in a repair goes out; more than there is is refused.
	_, err = rs.File(ctx, legajo.RegistroEvent{Registro: legajo.ComponentesID, Author: "luis", Changes: []legajo.RegistroChange{
		{Row: ram.Key, Kind: legajo.RegSalida, Qty: 3, Note: "Para el equipo SESVER-5151-2019-00873"}}})
	if err == nil || !strings.Contains(err.Error(), "hay 2 y se pidió la salida de 3") {
		t.Fatalf("salida beyond stock: %v", err)
	}
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.ComponentesID, Author: "luis", Changes: []legajo.RegistroChange{
		{Row: ram.Key, Kind: legajo.RegSalida, Qty: 1, Note: "Para el equipo SESVER-5151-2019-00873"}}}); err != nil {
		t.Fatal(err)
	}
	// A formato de servicio of equipment in repair.
	emit("servicio-equipo", func(d map[string]any) { d["estatus"] = "en espera de refacciones" })
	eq, _ = rs.Row(legajo.EquipoID, "SESVER-5151-2019-00873")
	if eq == nil || eq.Fields["estado"] != legajo.EquipoRefacciones {
		t.Fatalf("equipment in repair: %+v", eq)
	}

	// Respaldos: the formato adds the base de datos to the bitácora; a
	// quincenal one made on 24 November and never again is missed by 30
	// December.
	emit("respaldo-bd", func(d map[string]any) {})
	bd, err := rs.Row(legajo.RespaldosID, "sicip_prod · Subdirección de Recursos Humanos")
	if err != nil || bd.Fields["periodicidad"] != "quincenal" || bd.Fields["ultimo_respaldo"] != "2026-11-24" {
		t.Fatalf("respaldo: %+v %v", bd, err)
	}
	if st := legajo.RespaldoCheck(bd, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); len(st.Missed) != 0 || st.Label() != "Al corriente" {
		t.Fatalf("a week later: %+v", st)
	}
	st := legajo.RespaldoCheck(bd, time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC))
	if len(st.Missed) != 1 || !st.Missed[0].Equal(time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)) || st.Label() != "1 respaldo no realizado" {
		t.Fatalf("a month later: %+v", st)
	}
}

func TestRegistroImport(t *testing.T) {
	ctx := context.Background()
	o, _, _ := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	rs := o.Registros
	imp := func(csv string) (legajo.RegistroEvent, error) {
		t.Helper()
		table, err := legajo.ReadCSV([]byte(csv))
		if err != nil {
			return legajo.RegistroEvent{}, err
		}
		return rs.Import(ctx, legajo.PadronCorreoID, table, "padron.csv", "ana")
	}
	bad := "\ufeffCuenta de correo;Nombre del usuario;AREA DE ADSCRIPCION;Fecha de creación\n" +
		"rosa.chazaro@ssaver.gob.mx;Rosa Elena Cházaro Ortega;Recursos Materiales;2019-03-04\n" +
		"luis.perez@ssaver;Luis Pérez;Informática;2020-01-01\n" +
		"ana.ruiz@ssaver.gob.mx;Ana Ruiz;Informática;04/05/2021\n" +
		"ROSA.CHAZARO@ssaver.gob.mx;Rosa Cházaro;Recursos Materiales;2019-03-04\n" +
		";;;\n"
	_, err := imp(bad)
	var ve *legajo.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("bad import: %v", err)
	}
	want := []string{
		"Fila 3: «Cuenta de correo» no es una dirección de correo válida (se recibió «luis.perez@ssaver»).",
		"Fila 4: «Fecha de creación» debe ser una fecha AAAA-MM-DD (se recibió «04/05/2021»).",
		"Fila 5: «ROSA.CHAZARO@ssaver.gob.mx» está repetido.",
	}
	if len(ve.Problems) != len(want) {
		t.Fatalf("problems: %q", err)
	}
	for i, p := range ve.Problems {
		if p.Message != want[i] {
			t.Errorf("problem %d: %q, want %q", i, p.Message, want[i])
		}
	}
	if rs.Count(legajo.PadronCorreoID) != 0 {
		t.Fatal("a refused import left rows")
	}
	// A password column refuses the file before any row is read.
	_, err = imp("Cuenta,Nombre del usuario,Contraseña\na@ssaver.gob.mx,A,x\n")
	if err == nil || !strings.Contains(err.Error(), "Columna «Contraseña»: Legajo nunca guarda contraseñas") {
		t.Fatalf("password column: %v", err)
	}
	_, err = imp("Cuenta de correo,Nombre,Extra\n")
	if err == nil || !strings.Contains(err.Error(), "Columna «Nombre»: no es una columna del registro") {
		t.Fatalf("unknown column: %v", err)
	}
	if _, err := imp(""); err == nil || !strings.Contains(err.Error(), "no tiene filas que importar") {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := imp("Cuenta de correo,Nombre del usuario\n,\n"); err == nil || !strings.Contains(err.Error(), "sólo la de los nombres") {
		t.Fatalf("empty file: %v", err)
	}
	// Windows-1252, comma separated, quoted: imported whole.
	good := "Cuenta de correo,Nombre del usuario,Área de adscripción\r\n" +
		"rosa.chazaro@ssaver.gob.mx,\"Cházaro Ortega, Rosa Elena\",Subdirección de Recursos Materiales\r\n" +
		"luis.perez@ssaver.gob.mx,Luis Pérez Núñez,Informática\r\n"
	latin := []byte{}
	for _, r := range good {
		latin = append(latin, byte(r))
	}
	table, err := legajo.ReadCSV(latin)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := rs.Import(ctx, legajo.PadronCorreoID, table, "padron.csv", "ana")
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Changes) != 2 || rs.Count(legajo.PadronCorreoID) != 2 {
		t.Fatalf("imported: %+v", ev)
	}
	row, _ := rs.Row(legajo.PadronCorreoID, "luis.perez@ssaver.gob.mx")
	if row.Fields["usuario_nombre"] != "Luis Pérez Núñez" || row.Fields["rama"] != legajo.RamaImportada || row.History[0].Source != legajo.RegFromImport {
		t.Fatalf("imported row: %+v", row)
	}
	// The same file again: every row is already there, nothing filed.
	if _, err := rs.Import(ctx, legajo.PadronCorreoID, table, "padron.csv", "ana"); err == nil || !strings.Contains(err.Error(), "Fila 2: «rosa.chazaro@ssaver.gob.mx» ya está en el registro") {
		t.Fatalf("second import: %v", err)
	}
}

func TestReplayRegistros(t *testing.T) {
	ctx := context.Background()
	o, a, _ := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	rs := o.Registros
	o.Registros = nil // documents issued before the registries existed
	data, _ := fixtures.SampleData("acuse-cuenta-correo")
	if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: data, Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	data["cuenta"] = "otra.cuenta@ssaver.gob.mx"
	res, err := o.Emit(ctx, legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: data, Author: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Cancel(ctx, mustFolio(t, res.Folio), "Capturado dos veces por error.", "ana"); err != nil {
		t.Fatal(err)
	}
	o.Registros = rs
	n, err := o.ReplayRegistros(ctx)
	if err != nil || n != 1 || rs.Count(legajo.PadronCorreoID) != 1 || rs.Count(legajo.AccesosID) != 1 {
		t.Fatalf("replay: %d documents, %v; padrón %d", n, err, rs.Count(legajo.PadronCorreoID))
	}
	if _, err := o.ReplayRegistros(ctx); !errors.Is(err, legajo.ErrConflict) {
		t.Fatalf("a second replay: %v", err)
	}
	_ = a
}

// TestRegistroRowSnapshotsKeepTheirHistory: a row read from a registry is a
// snapshot. Later changes to the row, filed while readers go through it,
// never show in the history of a snapshot taken before them (rows share
// their history's array, and appends go past a snapshot's end).
func TestRegistroRowSnapshotsKeepTheirHistory(t *testing.T) {
	ctx := context.Background()
	o, _, _ := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	rs := o.Registros
	const cuenta = "rosa.chazaro@ssaver.gob.mx"
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{{Kind: legajo.RegAlta,
		Fields: map[string]string{"cuenta": cuenta, "usuario_nombre": "Rosa Elena Cházaro Ortega", "area": "Subdirección de Recursos Materiales"}}}}); err != nil {
		t.Fatal(err)
	}
	reset := func(note string) {
		t.Helper()
		if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{
			{Row: cuenta, Kind: legajo.RegRestablecimiento, Note: note}}}); err != nil {
			t.Fatal(err)
		}
	}
	reset("primero")
	before, err := rs.Row(legajo.PadronCorreoID, cuenta)
	if err != nil {
		t.Fatal(err)
	}
	kept := fmt.Sprint(before.History)
	done := make(chan struct{})
	go func() { // a reader going through the snapshot while the row changes
		defer close(done)
		for range 200 {
			for _, h := range before.History {
				_ = h.Note
			}
			if r, err := rs.Row(legajo.PadronCorreoID, cuenta); err == nil {
				_ = r.Last(legajo.RegRestablecimiento)
			}
		}
	}()
	for i := range 20 {
		reset(fmt.Sprintf("cambio %d", i))
	}
	<-done
	if got := fmt.Sprint(before.History); got != kept || len(before.History) != 2 {
		t.Errorf("a snapshot's history changed under its reader:\n%s\nwas\n%s", got, kept)
	}
	after, _ := rs.Row(legajo.PadronCorreoID, cuenta)
	if len(after.History) != 22 || after.History[1].Note != "primero" || after.History[21].Note != "cambio 19" {
		t.Errorf("the row's history: %d steps, %+v", len(after.History), after.History)
	}
}
