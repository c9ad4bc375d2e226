package main

import (
	"sync/atomic"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/xlsx"
)

// telephonyOf is the monthly telephony analysis on office: bills read from
// CSV or (through generators/xlsx) XLSX, in the layouts of the settings in
// force, which apply changes while the server runs; each line's plan, área
// and responsable from the register of líneas telefónicas y servicios.
func telephonyOf(o *legajo.Office, layouts *atomic.Pointer[[]legajo.BillLayout]) *legajo.Telephony {
	return &legajo.Telephony{Office: o, Sheets: xlsx.ReadSheet, Plans: legajo.RegisteredPlans(o.Registros),
		Layouts: func() []legajo.BillLayout {
			if l := layouts.Load(); l != nil {
				return *l
			}
			return nil
		}}
}
