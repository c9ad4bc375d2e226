package legajo

import "time"

// EmitObserver is told of every emission the Office attempts (Emit, and
// Receive, which gives received correspondence its registry folio), for
// metrics: the document type (the catalog's id or ReceptionType's, or ""
// when the request named no known type, so that a caller cannot make up
// label values), how long it took and its error (nil when a document was
// filed or a retry returned the first one). It is called on the caller's
// goroutine and must be quick and safe for concurrent use.
type EmitObserver interface {
	Emitted(docType string, d time.Duration, err error)
}

// observeEmit tells o.Observer of an emission that started at t0.
func (o *Office) observeEmit(docType string, t0 time.Time, err error) {
	if o.Observer == nil {
		return
	}
	if _, e := o.Catalog.Type(docType); e != nil && docType != ReceptionType.ID {
		docType = ""
	}
	o.Observer.Emitted(docType, time.Since(t0), err)
}
