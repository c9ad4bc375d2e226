package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strconv"
	"sync"
)

// fpdf compresses each page with a new zlib writer, whose megabyte of state
// is allocated and cleared every time: that was two thirds of the cost of a
// page. Legajo renders uncompressed and deflates the content streams here,
// with writers that are reused. The document is otherwise byte for byte
// what fpdf wrote; offsets and the cross-reference table are recomputed.

var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// compressStreams deflates every unfiltered stream of an fpdf document.
func compressStreams(in []byte) ([]byte, error) {
	start := bytes.Index(in, []byte("\n1 0 obj\n"))
	if first := bytes.Index(in, []byte(" 0 obj\n")); first < 0 || start < 0 {
		return nil, fmt.Errorf("pdf: compress: not an fpdf document")
	}
	// The header is everything before the first object.
	hdr := bytes.IndexByte(in, '\n') + 1
	out := bytes.NewBuffer(make([]byte, 0, len(in)/3))
	out.Write(in[:hdr])
	offsets := map[int]int{}
	pos := hdr
	var deflated bytes.Buffer
	for {
		if bytes.HasPrefix(in[pos:], []byte("xref\n")) {
			break
		}
		sp := bytes.IndexByte(in[pos:], ' ')
		if sp < 0 {
			return nil, fmt.Errorf("pdf: compress: object expected at %d", pos)
		}
		num, err := strconv.Atoi(string(in[pos : pos+sp]))
		if err != nil || !bytes.HasPrefix(in[pos+sp:], []byte(" 0 obj\n")) {
			return nil, fmt.Errorf("pdf: compress: object expected at %d", pos)
		}
		offsets[num] = out.Len()
		body := pos + sp + len(" 0 obj\n")
		end, streamAt, length, filtered := scanObject(in, body)
		if end < 0 {
			return nil, fmt.Errorf("pdf: compress: object %d is not closed", num)
		}
		if streamAt < 0 || filtered {
			out.Write(in[pos:end])
			pos = end
			continue
		}
		data := in[streamAt : streamAt+length]
		deflated.Reset()
		zw := zlibWriters.Get().(*zlib.Writer)
		zw.Reset(&deflated)
		zw.Write(data)
		err = zw.Close()
		zlibWriters.Put(zw)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "%d 0 obj\n<</Filter /FlateDecode /Length %d>>\nstream\n", num, deflated.Len())
		out.Write(deflated.Bytes())
		out.WriteString("\nendstream\nendobj\n")
		pos = end
	}
	// Rebuild the cross-reference table from the new offsets.
	trailer := bytes.Index(in[pos:], []byte("trailer\n"))
	if trailer < 0 {
		return nil, fmt.Errorf("pdf: compress: no trailer")
	}
	xrefAt := out.Len()
	n := len(offsets) + 1
	fmt.Fprintf(out, "xref\n0 %d\n0000000000 65535 f \n", n)
	for i := 1; i < n; i++ {
		off, ok := offsets[i]
		if !ok {
			return nil, fmt.Errorf("pdf: compress: object %d missing", i)
		}
		fmt.Fprintf(out, "%010d 00000 n \n", off)
	}
	rest := in[pos+trailer:]
	sx := bytes.Index(rest, []byte("startxref\n"))
	if sx < 0 {
		return nil, fmt.Errorf("pdf: compress: no startxref")
	}
	out.Write(rest[:sx])
	fmt.Fprintf(out, "startxref\n%d\n%%%%EOF\n", xrefAt)
	return out.Bytes(), nil
}

// scanObject finds the end of the object whose body starts at i (just past
// "endobj\n"), and for a stream object where its data starts, its length
// and whether it already has a filter.
func scanObject(in []byte, i int) (end, streamAt, length int, filtered bool) {
	const streamTag = ">>\nstream\n"
	// A stream object's dictionary is followed by "stream"; only fpdf's own
	// dictionaries come before it, so the first ">>\nstream\n" after the
	// object start belongs to this object if no "endobj" comes first.
	endobj := bytes.Index(in[i:], []byte("\nendobj\n"))
	st := bytes.Index(in[i:], []byte(streamTag))
	if st < 0 || (endobj >= 0 && endobj < st) {
		if endobj < 0 {
			return -1, -1, 0, false
		}
		return i + endobj + len("\nendobj\n"), -1, 0, false
	}
	dict := in[i : i+st]
	li := bytes.LastIndex(dict, []byte("/Length "))
	if li < 0 {
		return -1, -1, 0, false
	}
	j := li + len("/Length ")
	k := j
	for k < len(dict) && dict[k] >= '0' && dict[k] <= '9' {
		k++
	}
	length, err := strconv.Atoi(string(dict[j:k]))
	if err != nil {
		return -1, -1, 0, false
	}
	streamAt = i + st + len(streamTag)
	tail := streamAt + length
	const closing = "\nendstream\nendobj\n"
	if tail+len(closing) > len(in) || !bytes.Equal(in[tail:tail+len(closing)], []byte(closing)) {
		return -1, -1, 0, false
	}
	return tail + len(closing), streamAt, length, bytes.Contains(dict, []byte("/Filter"))
}
