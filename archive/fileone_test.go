package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// fileOne on fs stages a file and its manifest together and links them:
// each is whole and durable under its name, the manifest records the
// file's key and hash; when the file's name is taken (another filing in
// the same millisecond) the file takes another name with its manifest
// beside it; when only the manifest's is, the filing fails as it always
// did. Nothing staged is left behind in any case.
func TestFileOneStaged(t *testing.T) {
	ctx := context.Background()
	st := newFSStore(t)
	obs := &countingObserver{}
	a, err := New(Observe(st, "fs", obs), legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	exp, err := a.Expediente("dti")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	file := func(data string) legajo.File {
		return legajo.File{Data: []byte(data), Kind: "pdf", Tanto: "ORIGINAL",
			Manifest: legajo.Manifest{Folio: "SESVER/DA/DTI/OL/0001/2026", Event: legajo.EventEmitido, Tanto: "ORIGINAL"}}
	}
	check := func(objs [2]legajo.Object, data string) {
		t.Helper()
		mustGet(t, st, objs[0].Key, []byte(data))
		if objs[0].SHA256 != sum([]byte(data)) || objs[0].Size != int64(len(data)) {
			t.Errorf("file object %+v does not describe %q", objs[0], data)
		}
		if objs[1].Key != strings.TrimSuffix(objs[0].Key, ".pdf")+".json" || objs[1].Kind != "manifest" {
			t.Errorf("manifest %s beside file %s", objs[1].Key, objs[0].Key)
		}
		b, err := st.Get(ctx, objs[1].Key)
		if err != nil {
			t.Fatal(err)
		}
		var m legajo.Manifest
		if err := json.Unmarshal(b, &m); err != nil || m.File == nil || *m.File != objs[0] || objs[1].SHA256 != sum(b) {
			t.Errorf("manifest %s: %s (%v)", objs[1].Key, b, err)
		}
		if want, _ := json.MarshalIndent(m, "", "  "); !bytes.Equal(b, want) {
			t.Errorf("manifest %s is not encoded as putJSON encodes", objs[1].Key)
		}
	}

	stem := "expedientes/dti/2026/11/x_"
	objs, err := a.fileOne(ctx, exp, at, stem+"original", file("%PDF uno"))
	if err != nil {
		t.Fatal(err)
	}
	if objs[0].Key != stem+"original.pdf" {
		t.Errorf("file filed as %s", objs[0].Key)
	}
	check(objs, "%PDF uno")
	if obs.creates.Load() == 0 {
		t.Error("the staged creates are not told to the store's observer")
	}

	// The same stem again: the file's name is taken.
	objs, err = a.fileOne(ctx, exp, at, stem+"original", file("%PDF dos"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(objs[0].Key, stem+"original-") {
		t.Errorf("second file filed as %s, want another name", objs[0].Key)
	}
	check(objs, "%PDF dos")

	// Only the manifest's name taken: refused, as by the plain creates.
	mustCreate(t, st, stem+"copia.json", []byte("{}"))
	if _, err := a.fileOne(ctx, exp, at, stem+"copia", file("%PDF tres")); !errors.Is(err, legajo.ErrConflict) {
		t.Errorf("manifest name taken: %v, want ErrConflict", err)
	}
	if left, _ := os.ReadDir(st.tmp); len(left) != 0 {
		t.Errorf("%d temporary files left behind", len(left))
	}
	// A cancelled filing writes nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.fileOne(cctx, exp, at, stem+"cancelada", file("%PDF cuatro")); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := st.Stat(ctx, stem+"cancelada.pdf"); !errors.Is(err, legajo.ErrNotFound) {
		t.Errorf("a cancelled filing left its file: %v", err)
	}
}

// countingObserver counts the creates it is told of.
type countingObserver struct{ creates atomic.Int64 }

func (o *countingObserver) ObserveStore(op, backend string, d time.Duration, err error) {
	if op == OpPutIfAbsent {
		o.creates.Add(1)
	}
}
