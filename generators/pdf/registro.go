package pdf

import (
	"io"

	"github.com/sesver/legajo"
)

// Registro writes the rows of a registry as legajo.RegistroReport defines
// them, to print: landscape Letter like the inventarios, the table's
// header on every page, the columns the web's table shows (the others are
// in the spreadsheet).
func (r *Renderer) Registro(w io.Writer, def *legajo.Instrument, info legajo.InstrumentInfo) error {
	printed(def)
	return r.instrument(w, def, "REGISTRO", "registro del Departamento", info)
}
