package legajo

import (
	"errors"
	"testing"
	"time"
)

func TestTransitionError(t *testing.T) {
	at := time.Date(2026, 11, 30, 16, 15, 0, 0, time.UTC).In(time.FixedZone("CST", -6*3600))
	const f = "SESVER/DA/DTI/OL/0042/2026"
	tests := []struct {
		name   string
		err    TransitionError
		want   string
		wanted string // the transition of the event refused
	}{
		{"second cancellation", TransitionError{Folio: f, Wanted: EventCancelado, Event: EventCancelado, Author: "ana", At: at},
			"El documento SESVER/DA/DTI/OL/0042/2026 ya fue cancelado el 30 de noviembre de 2026 a las 10:15 por ana.", "cancelado"},
		{"second acuse", TransitionError{Folio: f, Wanted: EventAcuse, Event: EventAcuse, Author: "beto", At: at},
			"El documento SESVER/DA/DTI/OL/0042/2026 ya tiene su acuse, registrado el 30 de noviembre de 2026 a las 10:15 por beto.", "acuse"},
		{"acuse after the cancellation", TransitionError{Folio: f, Wanted: EventAcuse, Event: EventCancelado, Author: "ana", At: at},
			"El documento SESVER/DA/DTI/OL/0042/2026 fue cancelado el 30 de noviembre de 2026 a las 10:15 por ana; no admite acuse.", "acuse"},
		{"emission after fsck's annulment", TransitionError{Folio: f, Wanted: EventEmitido, Event: EventAnulado, Author: "fsck", At: at},
			"El folio SESVER/DA/DTI/OL/0042/2026 quedó anulado como emisión interrumpida el 30 de noviembre de 2026 a las 10:15 por fsck; el documento no se emitió: vuelva a emitirlo y recibirá otro folio.", "alta"},
		{"annulment after the emission", TransitionError{Folio: f, Wanted: EventAnulado, Event: EventEmitido, Author: "ana", At: at},
			"El folio SESVER/DA/DTI/OL/0042/2026 ya tiene documento, registrado el 30 de noviembre de 2026 a las 10:15 por ana.", "alta"},
		{"unknown when and who", TransitionError{Folio: f, Wanted: EventCancelado, Event: EventCancelado},
			"El documento SESVER/DA/DTI/OL/0042/2026 ya fue cancelado.", "cancelado"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error = &tt.err
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
			if !errors.Is(err, ErrConflict) {
				t.Error("does not match ErrConflict")
			}
			if got := tt.err.Wanted.Transition(); got != tt.wanted {
				t.Errorf("%s.Transition() = %q, want %q", tt.err.Wanted, got, tt.wanted)
			}
		})
	}
	for _, ev := range []EventKind{EventAnexo, EventDescartado} {
		if tr := ev.Transition(); tr != "" {
			t.Errorf("%s changes no status, but its transition is %q", ev, tr)
		}
	}
}
