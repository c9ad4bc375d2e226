package archive

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/sesver/legajo"
)

// The archive's log: one Merkle tree (RFC 6962 hashing, as in Certificate
// Transparency and the Go checksum database) over every chain entry of
// every expediente, whose size and root hash are published in signed
// checkpoints. The chains prove what each expediente holds; the log proves
// the set: an entry deleted with everything after it, a whole expediente
// deleted, or a checkpoint rolled back no longer matches a checkpoint that
// an auditor or the witness kept.
//
// Layout (docs/REGISTRO.md describes it for third parties):
//
//	registro/lotes/<n, 12 digits>.json   the n-th sealing: its leaves and its checkpoint
//
// A lote is created with a conditional create, so of two sealers racing
// for the same number exactly one wins; the loser reads the winner's lote
// and seals what is left over next time. Lotes are never rewritten: the
// log grows only by new lotes.
const (
	logRoot    = "registro/"
	loteRoot   = logRoot + "lotes/"
	loteDigits = 12
)

// lote is one sealing: the leaves it added to the log, in order, and the
// signed checkpoint of the tree they make with every leaf before them.
type lote struct {
	Seq   int64 `json:"lote"`
	Start int64 `json:"inicio"` // index of its first leaf
	// Leaves are the records hashed into the tree: "<entry key> <SHA-256
	// of the entry's stored bytes> <folio or ->".
	Leaves []string `json:"hojas"`
	// Heads is, per expediente, the last entry of its chain in the log
	// after this lote.
	Heads map[string]int64 `json:"cabezas"`
	// Frontier holds the hashes of the perfect subtrees that make up the
	// tree after this lote, left to right: enough to extend it.
	Frontier   []string  `json:"frontera"`
	Checkpoint string    `json:"punto"` // signed note: origin, size, root, date
	Sealer     string    `json:"sellador"`
	At         time.Time `json:"fecha"`
}

func loteKey(seq int64) string { return fmt.Sprintf("%s%0*d.json", loteRoot, loteDigits, seq) }

func loteSeq(key string) (int64, bool) {
	s, ok := strings.CutPrefix(key, loteRoot)
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".json")
	if !ok || len(s) != loteDigits {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// leafText is the record of a chain entry in the log.
func leafText(key, hash, folio string) string {
	if folio == "" {
		folio = "-"
	}
	return key + " " + hash + " " + folio
}

// Leaf is one record of the log, parsed.
type Leaf struct {
	Entry  string // key of the chain entry
	SHA256 string // of the entry's stored bytes
	Folio  string // "" when the entry concerns no folio
}

// ParseLeaf parses a leaf record.
func ParseLeaf(s string) (Leaf, error) {
	f := strings.Split(s, " ")
	if len(f) != 3 || len(f[1]) != 64 {
		return Leaf{}, fmt.Errorf("hoja mal formada: %q", s)
	}
	l := Leaf{Entry: f[0], SHA256: f[1], Folio: f[2]}
	if l.Folio == "-" {
		l.Folio = ""
	}
	return l, nil
}

// Checkpoint is a signed statement of the log's size and root hash, in the
// signed-note format of the Go checksum database and of C2SP's
// tlog-checkpoint: origin, size, base64 root hash, then an extension line
// with the date it was signed.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	At     time.Time
	Note   string // the whole signed note, as stored
}

func checkpointText(origin string, size int64, root tlog.Hash, at time.Time) string {
	return fmt.Sprintf("%s\n%d\n%s\nfecha %s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]), at.UTC().Format(time.RFC3339))
}

// OpenCheckpoint checks a signed checkpoint against v and parses it.
func (v *Verifier) OpenCheckpoint(msg []byte) (Checkpoint, error) {
	text, err := v.open(msg)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("la firma del punto de control no es válida para la clave %s: %w", v.Name(), err)
	}
	c, err := parseCheckpointText(text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("el punto de control es del registro «%s», no de «%s»", c.Origin, v.Name())
	}
	c.Note = string(msg)
	return c, nil
}

func parseCheckpointText(text string) (Checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, errors.New("punto de control mal formado")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, errors.New("punto de control mal formado: tamaño")
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return Checkpoint{}, errors.New("punto de control mal formado: raíz")
	}
	c := Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], raw)
	for _, l := range lines[3:] {
		if d, ok := strings.CutPrefix(l, "fecha "); ok {
			c.At, _ = time.Parse(time.RFC3339, d)
		}
	}
	return c, nil
}

// tree is the log's Merkle tree as far as this process knows it. Whole, it
// holds every stored hash (tlog's numbering), enough to prove any leaf;
// light, only the hashes of the perfect subtrees at its right edge
// (the frontier), enough to extend it and compute its root.
type tree struct {
	size     int64
	base     int64       // stored-hash index of hashes[0]
	hashes   []tlog.Hash // stored hashes from base on
	frontier map[int64]tlog.Hash
	whole    bool
	leaves   []string         // whole only: every leaf record
	index    map[string]int64 // whole only: entry key → leaf index
	folios   map[string]int   // whole only: how many sealed entries each folio has
}

func newTree(whole bool) *tree {
	t := &tree{frontier: map[int64]tlog.Hash{}, whole: whole}
	if whole {
		t.index, t.folios = map[string]int64{}, map[string]int{}
	}
	return t
}

// holds tells whether a whole tree has a leaf for every one of keys.
func (t *tree) holds(keys []string) bool {
	for _, k := range keys {
		if _, ok := t.index[k]; !ok {
			return false
		}
	}
	return true
}

// ReadHashes implements tlog.HashReader.
func (t *tree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		switch {
		case x >= t.base && x-t.base < int64(len(t.hashes)):
			out[i] = t.hashes[x-t.base]
		default:
			h, ok := t.frontier[x]
			if !ok {
				return nil, fmt.Errorf("archive: log: stored hash %d not at hand", x)
			}
			out[i] = h
		}
	}
	return out, nil
}

// add appends a leaf.
func (t *tree) add(leaf string) error {
	hs, err := tlog.StoredHashes(t.size, []byte(leaf), t)
	if err != nil {
		return err
	}
	if t.whole {
		t.index[leafEntry(leaf)] = t.size
		t.leaves = append(t.leaves, leaf)
		if f := leafFolio(leaf); f != "" {
			t.folios[f]++
		}
	}
	t.hashes = append(t.hashes, hs...)
	t.size++
	return nil
}

func leafFolio(leaf string) string {
	if i := strings.LastIndexByte(leaf, ' '); i > 0 && leaf[i+1:] != "-" {
		return leaf[i+1:]
	}
	return ""
}

// frontierIndexes returns the stored-hash indexes of the perfect subtrees
// making up a tree of n leaves, left to right.
func frontierIndexes(n int64) []int64 {
	var out []int64
	var off int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, off>>level))
			off += 1 << level
		}
	}
	return out
}

// frontierHashes returns the tree's frontier, encoded as in a lote.
func (t *tree) frontierHashes() ([]string, error) {
	hs, err := t.ReadHashes(frontierIndexes(t.size))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out, nil
}

// restart makes t a light tree of size n from a lote's frontier.
func (t *tree) restart(n int64, frontier []string) error {
	idx := frontierIndexes(n)
	if len(idx) != len(frontier) {
		return fmt.Errorf("archive: log: frontier of %d hashes for a tree of %d leaves", len(frontier), n)
	}
	f := map[int64]tlog.Hash{}
	for i, s := range frontier {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			return fmt.Errorf("archive: log: bad frontier hash")
		}
		var h tlog.Hash
		copy(h[:], raw)
		f[idx[i]] = h
	}
	*t = tree{size: n, base: tlog.StoredHashCount(n), frontier: f}
	return nil
}

// prune drops, in a light tree, the stored hashes no longer needed to
// extend it.
func (t *tree) prune() error {
	if t.whole {
		return nil
	}
	f := map[int64]tlog.Hash{}
	idx := frontierIndexes(t.size)
	hs, err := t.ReadHashes(idx)
	if err != nil {
		return err
	}
	for i, x := range idx {
		f[x] = hs[i]
	}
	t.frontier, t.base, t.hashes = f, tlog.StoredHashCount(t.size), nil
	return nil
}

func (t *tree) root() (tlog.Hash, error) {
	if t.size == 0 {
		return tlog.Hash{}, nil
	}
	return tlog.TreeHash(t.size, t)
}

// readLote reads and decodes lote seq.
func readLote(ctx context.Context, st Store, seq int64) (*lote, []byte, error) {
	b, err := st.Get(ctx, loteKey(seq))
	if err != nil {
		return nil, nil, err
	}
	var l lote
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, b, fmt.Errorf("archive: lote %d: %w", seq, err)
	}
	return &l, b, nil
}

// lastLote finds the number of the last lote without listing them all:
// lotes are numbered from 1 with no gaps (see probeLast).
func lastLote(ctx context.Context, st Store) (int64, error) {
	return probeLast(ctx, st, loteKey, 0)
}

// exists tells whether st holds key (one HEAD on S3).
func exists(ctx context.Context, st Store, key string) (bool, error) {
	_, err := st.Stat(ctx, key)
	if errors.Is(err, legajo.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// probeLast finds the last of objects numbered without gaps, key(n) each,
// by HEAD requests from lo, which exists (or is 0, before the first):
// doubling the step while they exist, then halving it. About 2·log₂ of
// the distance, where a listing on a file-backed S3 server reads every
// object's name.
func probeLast(ctx context.Context, st Store, key func(int64) string, lo int64) (int64, error) {
	has := func(n int64) (bool, error) { return exists(ctx, st, key(n)) }
	step := int64(1) // lo exists (or is 0); lo+step is to probe
	for {
		ok, err := has(lo + step)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, step = lo+step, step*2
	}
	for hi := lo + step; hi-lo > 1; { // hi does not exist
		mid := lo + (hi-lo)/2
		ok, err := has(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}
