package web

import (
	"net/http"
	"regexp"
)

// technical matches the messages of Go code rather than of people:
// "archive: create …: object exists". The domain's messages for clerks are
// Spanish sentences and never start with a package's name.
var technical = regexp.MustCompile(`^[a-z][a-z0-9_/]*: `)

// plainSpanish replaces a technical note that reached a person with an
// error kind (a storage layer's refusal, in English) by a Spanish sentence
// for its status; the note itself goes to the server's log.
func (s *Server) plainSpanish(r *http.Request, code int, msg string) string {
	if !technical.MatchString(msg) {
		return msg
	}
	s.Logger.Warn("technical message kept from a person", "path", r.URL.Path, "status", code, "msg", msg)
	switch code {
	case http.StatusNotFound:
		return "No se encontró lo que pidió."
	case http.StatusConflict:
		return "Otra operación sobre lo mismo se registró al mismo tiempo. Recargue la página y vuelva a intentarlo."
	}
	return "El archivo no aceptó lo enviado. Si subió un archivo, cambie su nombre por uno sencillo (letras, números y guiones) y vuelva a intentarlo; si se repite, avise al administrador."
}
