package legajo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

// BenchmarkRegistro measures, on the fs archive: filing one change (the
// conditional claim of its number, the manifest, the chain entry), the
// import of 5,000 accounts as one event, and the replay at start of a
// registry of 5,000 rows filed as 1,000 events (a process starting), and
// of one row changed 5,000 times (an account reset again and again, a
// stock moved every day: a row's history only grows).
func BenchmarkRegistro(b *testing.B) {
	ctx := context.Background()
	newRS := func(b *testing.B) (*legajo.Registros, *archive.Archive) {
		st, err := archive.OpenFS(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		a, err := archive.New(st, legajo.DefaultExpedientes())
		if err != nil {
			b.Fatal(err)
		}
		rs, _ := legajo.NewRegistros(a, legajo.RegistroDefs()...)
		return rs, a
	}
	alta := func(i int) legajo.RegistroChange {
		return legajo.RegistroChange{Kind: legajo.RegAlta, Fields: map[string]string{"cuenta": fmt.Sprintf("usuario.%05d@ssaver.gob.mx", i),
			"usuario_nombre": fmt.Sprintf("Persona Número %d", i), "area": "Subdirección de Recursos Materiales", "fecha_alta": "2020-01-01"}}
	}
	b.Run("change", func(b *testing.B) {
		rs, _ := newRS(b)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{alta(i)}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("import-5000", func(b *testing.B) {
		table := [][]string{{"Cuenta de correo", "Nombre del usuario", "Área de adscripción", "Fecha de creación"}}
		for i := range 5000 {
			c := alta(i).Fields
			table = append(table, []string{c["cuenta"], c["usuario_nombre"], c["area"], c["fecha_alta"]})
		}
		for b.Loop() {
			b.StopTimer()
			rs, _ := newRS(b)
			b.StartTimer()
			if _, err := rs.Import(ctx, legajo.PadronCorreoID, table, "padron.csv", "ana"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("replay-5000-rows", func(b *testing.B) {
		rs, a := newRS(b)
		for e := range 1000 {
			var cs []legajo.RegistroChange
			for k := range 5 {
				cs = append(cs, alta(e*5+k))
			}
			if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: cs}); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for b.Loop() {
			rs2, _ := legajo.NewRegistros(a, legajo.RegistroDefs()...)
			if err := rs2.Sync(ctx); err != nil || rs2.Count(legajo.PadronCorreoID) != 5000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("replay-1-row-5000-changes", func(b *testing.B) {
		rs, a := newRS(b)
		first := alta(0)
		if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{first}}); err != nil {
			b.Fatal(err)
		}
		for range 5000 - 1 {
			c := legajo.RegistroChange{Kind: legajo.RegRestablecimiento, Row: first.Fields["cuenta"], Note: "restablecimiento de contraseña"}
			if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.PadronCorreoID, Author: "ana", Changes: []legajo.RegistroChange{c}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for b.Loop() {
			rs2, _ := legajo.NewRegistros(a, legajo.RegistroDefs()...)
			if err := rs2.Sync(ctx); err != nil {
				b.Fatal(err)
			}
			if row, err := rs2.Row(legajo.PadronCorreoID, first.Fields["cuenta"]); err != nil || len(row.History) != 5000 {
				b.Fatalf("%v %v", row, err)
			}
		}
	})
}
