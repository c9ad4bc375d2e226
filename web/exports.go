package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Exporter makes the auditors' trails and the archival instruments; the
// program that wires the server provides it.
type Exporter interface {
	// Trail writes the trail selected by f in format (xlsx, csv, json, pdf)
	// and returns what it wrote, with the verification of the chains.
	Trail(ctx context.Context, w io.Writer, f legajo.TrailFilter, format, by string) (legajo.TrailInfo, error)
	// Caratula prints the carátula of an expediente for a year; by is who
	// prints it, by name.
	Caratula(ctx context.Context, w io.Writer, expediente string, year int, by string) error
	// Inventario writes an inventario documental (general, transferencia
	// or baja) in format xlsx or pdf. by is who makes it, by name.
	Inventario(ctx context.Context, w io.Writer, kind, format, expediente, by string) error
}

var exportTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
	"json": "application/json",
	"pdf":  "application/pdf",
}

// sendFile writes an export to a temporary file first, so that a failure
// halfway is an error page and never half a file, then sends it.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, name, format string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp("", "legajo-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := write(tmp); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w.Header().Set("Content-Type", exportTypes[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.Copy(w, tmp)
	return err
}

// trailFilter reads the trail's filters from the query.
func trailFilter(r *http.Request) (legajo.TrailFilter, error) {
	v := r.URL.Query()
	f := legajo.TrailFilter{Expediente: v.Get("expediente"), Tramite: v.Get("tramite"), Area: v.Get("area"),
		Type: v.Get("tipo"), Person: v.Get("persona")}
	var err error
	if d := v.Get("desde"); d != "" {
		if f.From, err = time.ParseInLocation(legajo.DateLayout, d, zone); err != nil {
			return f, legajo.Errorf(legajo.ErrInvalid, "«Desde» no es una fecha válida: escríbala completa o elíjala en el calendario.")
		}
	}
	if d := v.Get("hasta"); d != "" {
		if f.To, err = time.ParseInLocation(legajo.DateLayout, d, zone); err != nil {
			return f, legajo.Errorf(legajo.ErrInvalid, "«Hasta» no es una fecha válida: escríbala completa o elíjala en el calendario.")
		}
		f.To = f.To.AddDate(0, 0, 1)
	}
	return f, nil
}

func (s *Server) exportTrail(w http.ResponseWriter, r *http.Request) error {
	if s.Exports == nil {
		return legajo.Errorf(legajo.ErrNotFound, "Las exportaciones no están disponibles en este servidor.")
	}
	f, err := trailFilter(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("formato")
	if _, ok := exportTypes[format]; !ok {
		return legajo.Errorf(legajo.ErrInvalid, "El formato debe ser xlsx, csv, json o pdf.")
	}
	what := "archivo"
	if f.Expediente != "" {
		what = f.Expediente
	}
	name := fmt.Sprintf("rastro-%s-%s.%s", what, s.now().In(zone).Format("20060102-1504"), format)
	var info legajo.TrailInfo
	err = s.sendFile(w, r, name, format, func(out io.Writer) error {
		var err error
		info, err = s.Exports.Trail(r.Context(), out, f, format, currentUser(r).Login)
		return err
	})
	if err != nil {
		return err
	}
	s.logActivity(r, "exportar", what, format+": "+legajo.Plural(info.Events, "fila", "filas")+"; "+strings.Join(info.VerificationLines(), " "))
	return nil
}

func (s *Server) exportCaratula(w http.ResponseWriter, r *http.Request) error {
	if s.Exports == nil {
		return legajo.Errorf(legajo.ErrNotFound, "Las exportaciones no están disponibles en este servidor.")
	}
	exp, err := s.Office.Archive.Expediente(r.PathValue("id"))
	if err != nil {
		return err
	}
	year := s.now().In(zone).Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("anio")); err == nil {
		year = y
	}
	name := fmt.Sprintf("caratula-%s-%d.pdf", exp.ID, year)
	if err := s.sendFile(w, r, name, "pdf", func(out io.Writer) error {
		return s.Exports.Caratula(r.Context(), out, exp.ID, year, s.personName(r.Context(), currentUser(r).Login))
	}); err != nil {
		return err
	}
	s.logActivity(r, "caratula", exp.ID, strconv.Itoa(year))
	return nil
}

func (s *Server) exportInventario(w http.ResponseWriter, r *http.Request) error {
	if s.Exports == nil {
		return legajo.Errorf(legajo.ErrNotFound, "Las exportaciones no están disponibles en este servidor.")
	}
	kind := r.URL.Query().Get("tipo")
	switch kind {
	case legajo.InventoryGeneral, legajo.InventoryTransferencia, legajo.InventoryBaja:
	default:
		return legajo.Errorf(legajo.ErrInvalid, "El inventario debe ser general, transferencia o baja.")
	}
	exp := r.URL.Query().Get("expediente")
	if exp != "" {
		if _, err := s.Office.Archive.Expediente(exp); err != nil {
			return err
		}
	}
	format := r.URL.Query().Get("formato")
	switch format {
	case "":
		format = "xlsx"
	case "xlsx", "pdf":
	default:
		return legajo.Errorf(legajo.ErrInvalid, "El formato del inventario debe ser xlsx o pdf.")
	}
	name := fmt.Sprintf("inventario-%s-%s.%s", kind, s.now().In(zone).Format("20060102"), format)
	if err := s.sendFile(w, r, name, format, func(out io.Writer) error {
		return s.Exports.Inventario(r.Context(), out, kind, format, exp, s.personName(r.Context(), currentUser(r).Login))
	}); err != nil {
		return err
	}
	s.logActivity(r, "inventario", exp, kind+" ("+format+")")
	return nil
}
