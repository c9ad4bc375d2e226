package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// testAuditCLI exports a bundle and checks its seal with `legajo audit`,
// and again as a third party would, with the stock note and tlog packages
// and nothing of Legajo.
func testAuditCLI(t *testing.T, data string) {
	env := map[string]string{"LEGAJO_DATA": data}
	bundle := filepath.Join(t.TempDir(), "legajo.pdf")
	if code, _, errs := runAt(t, env, "trail", "--expediente", "dti", "--format", "pdf", "--out", bundle); code != 0 {
		t.Fatalf("trail: %s", errs)
	}
	_, pub, _ := runAt(t, env, "key")
	pub = strings.TrimSpace(pub)
	code, out, errs := runAt(t, nil, "audit", "--bundle", bundle, "--key", pub)
	if code != 0 || strings.Count(out, "incluido") != 8 || !strings.Contains(out, "firma válida") {
		t.Fatalf("audit: exit %d\n%s%s", code, out, errs)
	}
	other := "legajo.prueba+e78c4e07+AZkpFFM88PCwtk5FRoZv52K2S8E012cHxsHbkdeiKuAA"
	if code, _, errs := runAt(t, nil, "audit", "--bundle", bundle, "--key", other); code != 1 {
		t.Errorf("audit with another key: exit %d %s", code, errs)
	}
	if code, _, _ := runAt(t, nil, "audit", "--bundle", bundle); code != 2 {
		t.Errorf("audit without a key: exit %d, want 2", code)
	}

	// The third party: the attachment, the key, note and tlog.
	bin, err := exec.LookPath("pdfdetach")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdfdetach is missing: .ci/run must install poppler-utils")
		}
		t.Skip("pdfdetach not installed (apt-get install poppler-utils)")
	}
	seal := filepath.Join(t.TempDir(), "sello.json")
	if out, err := exec.Command(bin, "-save", "1", "-o", seal, bundle).CombinedOutput(); err != nil {
		t.Fatalf("pdfdetach: %v %s", err, out)
	}
	raw, _ := os.ReadFile(seal)
	n, err := thirdPartyAudit(raw, pub)
	if err != nil || n != 8 {
		t.Fatalf("third-party audit: %d proofs, %v", n, err)
	}
	// A leaf changed in the attachment no longer proves.
	forged := strings.Replace(string(raw), "SESVER/DA/DTI/OL/0001/2026", "SESVER/DA/DTI/OL/0009/2026", 1)
	if _, err := thirdPartyAudit([]byte(forged), pub); err == nil {
		t.Error("a forged leaf passed the third-party audit")
	}
}

// thirdPartyAudit is what docs/REGISTRO.md tells an auditor to write: it
// uses the standard library and golang.org/x/mod/sumdb/{note,tlog} only.
// It returns how many inclusion proofs it checked.
func thirdPartyAudit(sealJSON []byte, vkey string) (int, error) {
	var seal struct {
		Checkpoint string
		Proofs     []struct {
			Entry, Leaf, Stored string
			Index, Size         int64
			Proof               []string
		}
	}
	if err := json.Unmarshal(sealJSON, &seal); err != nil {
		return 0, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return 0, err
	}
	cp, err := note.Open([]byte(seal.Checkpoint), note.VerifierList(v))
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	lines := strings.Split(cp.Text, "\n")
	if len(lines) < 3 || lines[0] != v.Name() {
		return 0, errors.New("checkpoint: bad origin")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, err
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		return 0, errors.New("checkpoint: bad root")
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	for _, p := range seal.Proofs {
		// The entry is a signed note by the same key.
		if _, err := note.Open([]byte(p.Stored), note.VerifierList(v)); err != nil {
			return 0, fmt.Errorf("%s: entry signature: %w", p.Entry, err)
		}
		// The leaf is "<entry key> <SHA-256 of the entry> <folio>".
		f := strings.Fields(p.Leaf)
		sum := sha256.Sum256([]byte(p.Stored))
		if len(f) != 3 || f[0] != p.Entry || f[1] != hex.EncodeToString(sum[:]) {
			return 0, fmt.Errorf("%s: the leaf is not this entry", p.Entry)
		}
		var proof tlog.RecordProof
		for _, s := range p.Proof {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil || len(b) != tlog.HashSize {
				return 0, errors.New("bad proof hash")
			}
			var h tlog.Hash
			copy(h[:], b)
			proof = append(proof, h)
		}
		if err := tlog.CheckRecord(proof, size, root, p.Index, tlog.RecordHash([]byte(p.Leaf))); err != nil {
			return 0, fmt.Errorf("%s: %w", p.Entry, err)
		}
	}
	return len(seal.Proofs), nil
}
