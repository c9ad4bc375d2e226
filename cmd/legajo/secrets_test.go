package main

import (
	"bytes"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2"

	"github.com/sesver/legajo/templates"
)

// TestSecretNotRecoverable plays the attacker who has a copy of the data
// directory (the fs archive, the search index) but not the server's keys:
// with the real password of the e-mail account form among 1,000
// candidates, it derives from each candidate every value the application
// could have stored (digests of the value, of the data and of the
// canonical request, in hex, base64 and raw; the value itself in clear and
// escaped) and looks for them in every stored object, in the inflated
// streams of every PDF and in the terms and stored fields of the index.
// Any match recovers the password.
func TestSecretNotRecoverable(t *testing.T) {
	const sample = "../../fixtures/documents/acuse-cuenta-correo.json"
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "USER": "ana"}
	raw, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	secret, _ := fields["contrasena"].(string)
	if secret == "" {
		t.Fatalf("no contrasena in %s", sample)
	}
	withSecret := func(pw string) map[string]any {
		m := make(map[string]any, len(fields))
		for k, v := range fields {
			m[k] = v
		}
		m["contrasena"] = pw
		return m
	}
	dataFile := func(pw string) string {
		b, _ := json.Marshal(withSecret(pw))
		p := filepath.Join(t.TempDir(), "datos.json")
		os.WriteFile(p, b, 0o600)
		return p
	}
	emit := func(args ...string) (int, string, string) {
		t.Helper()
		return run(t, env, append([]string{"emit", "--type", "acuse-cuenta-correo", "--json"}, args...)...)
	}

	// Everything that stores something about a request: issuing with an
	// idempotency key, its retry, a retry with another password (refused),
	// an emission in a trámite without key, an acuse, a cancellation, and
	// the search index built from all of it.
	code, out, errs := emit("--data", sample, "--idempotency-key", "alta-correo-61582", "--tramite", "Alta de cuenta 61582")
	if code != 0 {
		t.Fatalf("emit: exit %d: %s", code, errs)
	}
	var first struct{ Folio string }
	json.Unmarshal([]byte(out), &first)
	code, out, errs = emit("--data", sample, "--idempotency-key", "alta-correo-61582", "--tramite", "Alta de cuenta 61582")
	if code != 0 || !strings.Contains(out, first.Folio) {
		t.Fatalf("retry: exit %d: %s%s", code, out, errs)
	}
	code, out, errs = emit("--data", dataFile("Otra#Clave-2026"), "--idempotency-key", "alta-correo-61582", "--tramite", "Alta de cuenta 61582")
	if code != 1 || !strings.Contains(out+errs, "clave de idempotencia") {
		t.Errorf("a retry with another password was taken as the same request: exit %d: %s%s", code, out, errs)
	}
	code, out, errs = emit("--data", sample)
	if code != 0 {
		t.Fatalf("emit without key: exit %d: %s", code, errs)
	}
	var second struct{ Folio string }
	json.Unmarshal([]byte(out), &second)
	scan := filepath.Join(t.TempDir(), "acuse.pdf")
	os.WriteFile(scan, []byte("%PDF-1.4\n%acuse firmado\n%%EOF\n"), 0o600)
	if code, _, errs := run(t, env, "acuse", first.Folio, scan); code != 0 {
		t.Fatalf("acuse: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, env, "cancel", second.Folio, "--reason", "Emitido por duplicado"); code != 0 {
		t.Fatalf("cancel: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, env, "search", "montiel"); code != 0 {
		t.Fatalf("search: exit %d: %s", code, errs)
	}

	typ, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	doctype, err := typ.Type("acuse-cuenta-correo")
	if err != nil {
		t.Fatal(err)
	}
	needles := map[string]string{}
	for i, pw := range candidates(secret, 1000) {
		label := fmt.Sprintf("candidate %d %q", i, pw)
		for _, s := range clearForms(pw) {
			needles[s] = label + " in clear"
		}
		d := withSecret(pw)
		vals, err := doctype.Validate(d)
		if err != nil {
			t.Fatalf("candidate %q: %v", pw, err)
		}
		var preimages [][]byte
		add := func(v any) {
			b, _ := json.Marshal(v)
			preimages = append(preimages, b)
		}
		preimages = append(preimages, []byte(pw))
		add(pw)
		add(d)
		add(vals)
		add(map[string]any{"contrasena": pw})
		for _, exp := range []string{"", "correos"} {
			for _, tramite := range []string{"", "Alta de cuenta 61582"} {
				add([]any{doctype.ID, exp, tramite, d})
				add([]any{doctype.ID, exp, tramite, vals})
			}
		}
		for j, p := range preimages {
			for _, sum := range digests(p) {
				for _, enc := range encodings(sum) {
					needles[enc] = fmt.Sprintf("%s: digest of preimage %d", label, j)
				}
			}
		}
	}
	lengths := map[int]bool{}
	for n := range needles {
		lengths[len(n)] = true
	}

	scanned := 0
	look := func(where string, b []byte) {
		t.Helper()
		scanned++
		for n := range lengths {
			for i := 0; i+n <= len(b); i++ {
				if what, ok := needles[string(b[i:i+n])]; ok {
					t.Errorf("%s: %s (at byte %d)", where, what, i)
					return
				}
			}
		}
	}
	err = filepath.Walk(data, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(data, p)
		look(rel, b)
		for i, s := range inflatedStreams(b) {
			look(fmt.Sprintf("%s, stream %d", rel, i), s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 20 {
		t.Fatalf("only %d objects scanned: the walk missed the archive", scanned)
	}

	// The index compresses what it stores: read its terms and stored
	// fields through bleve.
	cur, err := os.ReadFile(filepath.Join(data, "index", "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.Open(filepath.Join(data, "index", strings.TrimSpace(string(cur))))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	dump, terms := indexDump(t, idx)
	look("index (terms and stored fields)", dump)
	if !terms["montiel"] {
		t.Fatal("the index dump does not hold the form's public fields: it read nothing")
	}
	for _, tok := range passwordTokens(secret) {
		if terms[tok] {
			t.Errorf("the index holds the term %q of the password", tok)
		}
	}
}

// candidates returns n passwords of the form's kind, the real one among
// them at a place that depends on nothing the archive could reveal.
func candidates(real string, n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#-_!."
	seen := map[string]bool{real: true}
	out := []string{real}
	for len(out) < n {
		b := make([]byte, len(real))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		if !seen[string(b)] {
			seen[string(b)] = true
			out = append(out, string(b))
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// clearForms are the ways a value can be written without hashing.
func clearForms(pw string) []string {
	j, _ := json.Marshal(pw)
	forms := []string{pw, strings.ToLower(pw), string(j[1 : len(j)-1]), html.EscapeString(pw),
		url.QueryEscape(pw), url.PathEscape(pw), hex.EncodeToString([]byte(pw)),
		base64.StdEncoding.EncodeToString([]byte(pw)), base64.RawURLEncoding.EncodeToString([]byte(pw))}
	var u16 []byte // as a PDF text string in UTF-16BE
	for _, r := range pw {
		u16 = append(u16, byte(r>>8), byte(r))
	}
	return append(forms, string(u16))
}

func digests(b []byte) [][]byte {
	s256 := sha256.Sum256(b)
	s512 := sha512.Sum512(b)
	s1 := sha1.Sum(b)
	m5 := md5.Sum(b)
	return [][]byte{s256[:], s512[:], s1[:], m5[:]}
}

func encodings(sum []byte) []string {
	h := hex.EncodeToString(sum)
	return []string{string(sum), h, strings.ToUpper(h), h[:16],
		base64.StdEncoding.EncodeToString(sum), base64.RawStdEncoding.EncodeToString(sum),
		base64.URLEncoding.EncodeToString(sum), base64.RawURLEncoding.EncodeToString(sum)}
}

var streamRe = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// inflatedStreams returns the deflated streams of a PDF, inflated.
func inflatedStreams(b []byte) [][]byte {
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return nil
	}
	var out [][]byte
	for _, m := range streamRe.FindAllSubmatch(b, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		if s, err := io.ReadAll(io.LimitReader(zr, 64<<20)); err == nil || len(s) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// indexDump returns every term of every field and every stored field of
// every document of idx, as text, and the set of terms.
func indexDump(t *testing.T, idx bleve.Index) ([]byte, map[string]bool) {
	t.Helper()
	var buf bytes.Buffer
	terms := map[string]bool{}
	names, err := idx.Fields()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, f := range names {
		d, err := idx.FieldDict(f)
		if err != nil {
			t.Fatal(err)
		}
		for e, err := d.Next(); e != nil && err == nil; e, err = d.Next() {
			terms[e.Term] = true
			buf.WriteString(e.Term)
			buf.WriteByte('\n')
		}
		d.Close()
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 10000, 0, false)
	req.Fields = []string{"*"}
	res, err := idx.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		b, _ := json.Marshal(h.Fields)
		buf.Write(b)
		fmt.Fprintf(&buf, "\n%v\n", h.Fields)
	}
	return buf.Bytes(), terms
}

// passwordTokens are the terms an analyzer would make of a password.
func passwordTokens(pw string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(strings.ToLower(pw), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(tok) >= 3 {
			out = append(out, tok)
		}
	}
	return out
}
