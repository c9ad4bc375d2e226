package pdf

import (
	"bytes"
	"compress/zlib"
	"strconv"
	"sync"
)

// fpdf compresses each page with a new zlib writer, whose megabyte of state
// is allocated and cleared every time: that was two thirds of the cost of a
// page. Legajo lets fpdf write uncompressed and deflates the streams while
// it makes the file PDF/A (pdfa.go), with writers that are reused.

var zlibWriters = sync.Pool{New: func() any {
	w, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return w
}}

// deflate appends the zlib compression of data to dst.
func deflate(dst *bytes.Buffer, data []byte) error {
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(dst)
	zw.Write(data)
	err := zw.Close()
	zlibWriters.Put(zw)
	return err
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
