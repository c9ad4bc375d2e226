package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/sesver/legajo"
)

// A chain entry is stored as its JSON. When the archive holds the
// institution's key, the JSON is the text of a signed note
// (golang.org/x/mod/sumdb/note): the text, a blank line, and a signature
// line "— <key name> <base64 signature>". So an entry written by anyone
// without the key is told apart as soon as it is read, before the log
// seals it, and a third party checks it with the note package alone.

// encodeEntry returns the bytes to store for e.
func (a *Archive) encodeEntry(e *legajo.Entry) ([]byte, error) {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("archive: encode entry: %w", err)
	}
	if a.signer == nil {
		if a.verifier != nil {
			return nil, legajo.Errorf(legajo.ErrInvalid, "Este equipo solo tiene la clave pública de la institución: puede verificar el archivo, no escribir en él.")
		}
		return b, nil
	}
	signed, err := a.signer.sign(string(b) + "\n")
	if err != nil {
		return nil, fmt.Errorf("archive: sign entry: %w", err)
	}
	return signed, nil
}

// sigStart is where a note's signatures begin.
var sigStart = []byte("\n\n\u2014 ")

// entryText returns the JSON of a stored entry, without its signatures,
// and whether it has any.
func entryText(b []byte) ([]byte, bool) {
	if i := bytes.LastIndex(b, sigStart); i >= 0 {
		return b[:i+1], true
	}
	return b, false
}

// decodeEntry parses a stored entry, signed or not. It does not check the
// signature (see checkEntrySignature).
func decodeEntry(b []byte) (legajo.Entry, error) {
	text, _ := entryText(b)
	var e legajo.Entry
	err := json.Unmarshal(text, &e)
	return e, err
}

// checkEntrySignature tells what is wrong with a stored entry's signature
// under v, in Spanish; "" if it is good.
func checkEntrySignature(v *Verifier, b []byte) string {
	if _, signed := entryText(b); !signed {
		return "La entrada no está firmada con la clave de la institución: no la escribió Legajo."
	}
	if _, err := v.open(b); err != nil {
		return fmt.Sprintf("La firma de la entrada no es válida con la clave %s: fue escrita o alterada sin la clave de la institución.", v.Name())
	}
	return ""
}

// signatureProblem applies the archive's rule to the stored entry under
// key: it must carry the institution's signature, unless it is unsigned
// and the first lote adopted it (an archive older than its key). It says
// what is wrong, in Spanish, or "".
func (a *Archive) signatureProblem(ctx context.Context, key string, b []byte) string {
	problem := checkEntrySignature(a.verifier, b)
	if _, signed := entryText(b); problem != "" && !signed && a.adopted(ctx, key) {
		return ""
	}
	return problem
}
