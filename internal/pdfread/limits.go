// Copyright 2026 SESVER. Use of this source code is governed by the
// BSD-style license in the LICENSE file.

package pdfread

import (
	"bytes"
	"fmt"
	"io"
	"time"
)

// This file is what this copy of github.com/ledongthuc/pdf adds to it:
// every read of a Reader is metered, so that a hostile file (a deflate bomb
// in a content stream, a huge object stream, millions of operands, nested
// arrays, a reference loop) costs bounded memory and time whatever it holds.
// The library cannot be bounded from outside: it inflates streams itself
// and keeps what it parses in memory.

// Limits bound the work of one Reader, over all its pages and objects.
type Limits struct {
	// Inflated is the number of decoded stream bytes that may be read, all
	// streams and every re-read together.
	Inflated int64
	// Read is the number of bytes that may be read from the file, every
	// re-read of an object included.
	Read int64
	// Deadline, when not zero, ends the work.
	Deadline time.Time
}

// Fixed bounds on what one parsed value may hold; legitimate files stay far
// below them.
const (
	maxValues    = 1 << 18 // values in one object, nested ones included
	maxToken     = 1 << 20 // bytes of one string, name or keyword
	maxStack     = 1 << 14 // operands waiting for an operator
	maxXref      = 1 << 21 // objects in the cross-reference table
	maxObjStm    = 8 << 20 // decoded bytes of one object stream
	maxCmapSize  = 1 << 14 // entries of one ToUnicode CMap
	maxCmapRepl  = 512     // bytes a CMap maps one code to
	maxPageDepth = 64      // levels of the page tree
)

// A LimitError says which bound stopped the work. It is raised as a panic
// inside the package, like the library's parse errors, and returned as an
// error by the functions that recover them.
type LimitError struct {
	What string // "inflated", "read", "values", "token", "stack", "xref", "objstm", "cmap", "time"
}

func (e *LimitError) Error() string { return fmt.Sprintf("pdf: over the limit of %s", e.What) }

func limit(what string) { panic(&LimitError{What: what}) }

// meter counts what a Reader has read against its Limits.
type meter struct {
	Limits
	inflated, read int64
}

func (m *meter) check() {
	if m == nil {
		return
	}
	if !m.Deadline.IsZero() && time.Now().After(m.Deadline) {
		limit("time")
	}
}

func (m *meter) addRead(n int) {
	if m == nil {
		return
	}
	m.read += int64(n)
	if m.Read > 0 && m.read > m.Read {
		limit("read")
	}
	m.check()
}

func (m *meter) addInflated(n int) {
	if m == nil {
		return
	}
	m.inflated += int64(n)
	if m.Inflated > 0 && m.inflated > m.Inflated {
		limit("inflated")
	}
	m.check()
}

// meteredFile counts the bytes read from the file.
type meteredFile struct {
	f io.ReaderAt
	m *meter
}

func (f meteredFile) ReadAt(p []byte, off int64) (int, error) {
	f.m.check()
	n, err := f.f.ReadAt(p, off)
	f.m.addRead(n)
	return n, err
}

// meteredStream counts the decoded bytes of a stream.
type meteredStream struct {
	r io.Reader
	m *meter
}

func (s meteredStream) Read(p []byte) (int, error) {
	s.m.check()
	n, err := s.r.Read(p)
	s.m.addInflated(n)
	return n, err
}

// lazyStreams reads the streams of a page's Contents array one after the
// other, opening each (and its decompressor) only when the one before is
// done.
type lazyStreams struct {
	v   Value
	i   int
	cur io.Reader
}

func (l *lazyStreams) Read(p []byte) (int, error) {
	for {
		if l.cur == nil {
			if l.i >= l.v.Len() {
				return 0, io.EOF
			}
			l.cur = l.v.Index(l.i).Reader()
			l.i++
		}
		n, err := l.cur.Read(p)
		if err == io.EOF {
			l.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

// NewReaderLimits is NewReader with every read metered against lim.
func NewReaderLimits(f io.ReaderAt, size int64, lim Limits) (*Reader, error) {
	m := &meter{Limits: lim}
	r, err := newReader(meteredFile{f, m}, size, nil, m)
	return r, err
}

// Check reads every object of a PDF and decodes every stream that is not an
// image, within lim: a file that passes costs bounded work to a library
// that decodes whatever it reads (such as pdfcpu, which merges and stamps
// PDFs). Its error is a *LimitError when a limit stopped the reading.
func Check(data []byte, lim Limits) (err error) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("malformed PDF: %v", x)
			}
		}
	}()
	r, err := NewReaderLimits(bytes.NewReader(data), int64(len(data)), lim)
	if err != nil {
		return err
	}
	for _, x := range r.xref {
		if x.ptr == (objptr{}) {
			continue
		}
		v := r.resolve(objptr{}, x.ptr)
		if v.Kind() != Stream || v.Key("Subtype").Name() == "Image" || !decodable(v.Key("Filter")) {
			continue
		}
		if _, err := io.Copy(io.Discard, v.Reader()); err != nil {
			return err
		}
	}
	return nil
}

// decodable tells whether this package decodes a stream with filter.
func decodable(filter Value) bool {
	ok := func(n string) bool { return n == "FlateDecode" || n == "ASCII85Decode" }
	switch filter.Kind() {
	case Null:
		return true
	case Name:
		return ok(filter.Name())
	case Array:
		for i := 0; i < filter.Len(); i++ {
			if !ok(filter.Index(i).Name()) {
				return false
			}
		}
		return true
	}
	return false
}
