package importer

import (
	"bytes"
	"errors"
	"io"
	"sort"
)

// countingReader counts the bytes read from the file, reports them to the
// progress callback and remembers the first read error other than io.EOF,
// so that a failing file is told apart from a malformed record.
type countingReader struct {
	r        io.Reader
	n        int64
	progress func(int64)
	err      error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 && c.progress != nil {
		c.progress(c.n)
	}
	if err != nil && !errors.Is(err, io.EOF) && c.err == nil {
		c.err = err
	}
	return n, err
}

// lineTracker records the offsets of the newlines that pass through it, so
// that the line of any byte read but not yet committed can be computed.
// Only newlines after the last commit are kept: at most those in the
// buffers above it (the bufio.Reader's and the JSON decoder's, which holds
// at most one record and the bytes read ahead of it).
type lineTracker struct {
	r    io.Reader
	off  int64   // bytes passed through so far
	nl   []int64 // offsets of newlines; those from head on are not committed
	head int
	base int // newlines before the committed point
}

func (t *lineTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		t.nl = append(t.nl, t.off+int64(i+j))
		i += j + 1
	}
	t.off += int64(n)
	return n, err
}

// line returns the 1-based line of the byte at offset off, which must not
// be before the last committed offset.
func (t *lineTracker) line(off int64) int {
	return t.base + t.before(off) + 1
}

// commit forgets the newlines before off: later calls of line must pass
// offsets from off on.
func (t *lineTracker) commit(off int64) {
	k := t.before(off)
	t.base += k
	t.head += k
	// Slide the rest down once at least as many have been dropped as are
	// left, so that the copying is paid for by the dropped ones.
	if t.head >= len(t.nl)-t.head {
		n := copy(t.nl, t.nl[t.head:])
		t.nl = t.nl[:n]
		t.head = 0
	}
}

// before counts the uncommitted newlines before off.
func (t *lineTracker) before(off int64) int {
	rest := t.nl[t.head:]
	return sort.Search(len(rest), func(i int) bool { return rest[i] >= off })
}
