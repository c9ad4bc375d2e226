package web

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// printCache holds, for a few minutes and for one download, the exemplar of
// a document that shows a secret (the password on the e-mail account
// forms). It is never stored: the archive keeps that tanto masked.
type printCache struct {
	mu    sync.Mutex
	items map[string]printItem
}

type printItem struct {
	login, folio, tanto string
	pdf                 []byte
	expires             time.Time
}

const printTTL = 15 * time.Minute

func newPrintCache() *printCache { return &printCache{items: map[string]printItem{}} }

func (c *printCache) put(login, folio, tanto string, pdf []byte, now time.Time) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, it := range c.items {
		if now.After(it.expires) {
			delete(c.items, k)
		}
	}
	token := newKey()
	c.items[token] = printItem{login, folio, tanto, pdf, now.Add(printTTL)}
	return token
}

// take returns the exemplar once, to the user who issued it.
func (c *printCache) take(token, login string, now time.Time) (printItem, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[token]
	if !ok || it.login != login || now.After(it.expires) {
		return printItem{}, false
	}
	delete(c.items, token)
	return it, true
}

func (s *Server) printCopy(w http.ResponseWriter, r *http.Request) error {
	it, ok := s.prints.take(r.PathValue("token"), currentUser(r).Login, s.now())
	if !ok {
		return legajo.Errorf(legajo.ErrNotFound, "El ejemplar para imprimir ya se descargó o caducó: por seguridad sólo se entrega una vez y durante 15 minutos.")
	}
	s.logActivity(r, "imprimir", it.folio, it.tanto)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+slug(it.folio)+"-"+strings.ToLower(it.tanto)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(it.pdf)
	return err
}
