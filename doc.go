// Package legajo holds the domain of Legajo, the paper trail of the
// Departamento de Tecnologías de la Información of Servicios de Salud de
// Veracruz (SESVER): document types, the documents clerks issue from them,
// folios, expedientes and tantos.
//
// Vocabulary, kept in Spanish where English loses meaning:
//
//   - DocType: a kind of official document the procedures manual demands
//     (oficio de liberación de sistema, minuta, dictamen técnico …), defined
//     as data in the templates directory.
//   - Folio: the consecutive number of an issued document within its serie
//     and year, e.g. SESVER/DA/DTI/OL/0042/2026.
//   - Tanto: one printed exemplar of a document (ORIGINAL, COPIA). The
//     manual asks for most documents "en original y copia": one goes to the
//     addressee, the other is filed, often after it comes back signed as an
//     acuse de recibido.
//   - Expediente: the archive file documents are filed into in date order.
//   - Signatory (firmante): the person in office for a role on a date.
//   - Procedimiento: one of the manual's 20 procedures as data (activities,
//     who does each, documents, decisions, waits, plazos), defined in
//     templates/procedures.
//   - Case (trámite): one run of a procedure for one request, numbered
//     TR/0001/2026; every movement is a chain entry of the expediente
//     «tramites», and the case is what its movements say. Turnar: to assign
//     it to a section and a person. Bandeja: a person's or a section's
//     queue of open cases.
//   - Días hábiles: working days, without weekends, the rest days of the Ley
//     Federal del Trabajo (art. 74) and the institution's own closing days.
//
// This package imports only the standard library. Adapters (templates,
// generators/pdf, archive, search, web) import it and never each other.
package legajo
