package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// utf8BOM is skipped at the start of a file.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// record is one top-level JSON value of the input.
type record struct {
	raw  []byte // the value; valid until the next call of next
	line int    // the line it starts on
}

// capture receives one top-level value from the JSON decoder, copied into
// a buffer reused from record to record.
type capture struct {
	b  []byte
	ok bool
}

func (c *capture) UnmarshalJSON(b []byte) error {
	c.b = append(c.b[:0], b...)
	c.ok = true
	return nil
}

// recordReader splits the input into top-level JSON values with a
// json.Decoder, which holds one record (and the bytes read ahead of it) at
// a time, and finds the line each starts on. After a syntax error it
// resynchronises at the next line that starts with '{' (in Python's
// pretty-printed output only top-level objects start a line with '{'; in
// the compact output every line does) and reports the skipped input as one
// rejection.
type recordReader struct {
	src     *source
	lines   *lineTracker
	readErr func() error // the file's read error, if any
	dec     *json.Decoder
	base    int64 // absolute offset of the decoder's first byte
	max     int64 // largest record accepted, in bytes
	cap     capture
}

func newRecordReader(br *bufio.Reader, lines *lineTracker, readErr func() error, maxRecord int64) *recordReader {
	src := &source{br: br, limit: -1}
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
		src.off = int64(len(utf8BOM))
	}
	r := &recordReader{src: src, lines: lines, readErr: readErr, max: maxRecord}
	r.restart()
	return r
}

// restart starts a new decoder at the source's current position.
func (r *recordReader) restart() {
	r.dec = json.NewDecoder(r.src)
	r.base = r.src.off
}

// next returns the next record, or a rejection describing input that is
// not JSON, or io.EOF at the end of the input, or the file's read error.
func (r *recordReader) next() (record, *Rejection, error) {
	r.src.limit = r.base + r.dec.InputOffset() + r.max
	r.cap.ok = false
	err := r.dec.Decode(&r.cap)
	if err == nil {
		end := r.base + r.dec.InputOffset()
		if !r.cap.ok {
			// Not passed to UnmarshalJSON (a top-level null, at most).
			r.lines.commit(end)
			return record{raw: []byte("null"), line: r.lines.line(end)}, nil, nil
		}
		start := end - int64(len(r.cap.b))
		line := r.lines.line(start)
		r.lines.commit(start)
		return record{raw: r.cap.b, line: line}, nil, nil
	}
	if rerr := r.readErr(); rerr != nil {
		return record{}, nil, rerr
	}
	if errors.Is(err, io.EOF) {
		return record{}, nil, io.EOF
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, errRecordTooLarge) {
		return record{}, nil, fmt.Errorf("read records: %w", err)
	}
	return record{}, r.resync(err, se), nil
}

// resync skips the bad record after a decoding error and returns the
// rejection that describes it.
func (r *recordReader) resync(err error, se *json.SyntaxError) *Rejection {
	// The decoder has not consumed the bad record: push back what it has
	// buffered and find where the record starts.
	buffered, _ := io.ReadAll(r.dec.Buffered())
	r.src.limit = -1
	r.src.unread(buffered)
	r.src.skipSpace()
	start := r.src.off
	rej := &Rejection{Line: r.lines.line(start)}

	cut := false
	switch {
	case se != nil && strings.HasSuffix(se.Error(), "exceeded max depth"):
		at := max(r.base+se.Offset-1, start)
		rej.Reason = fmt.Sprintf("record nests deeper than %d levels of objects and arrays at line %d; the limit is %d", jsonMaxDepth, r.lines.line(at), MaxDepth)
	case se != nil:
		// Offset counts the bytes the decoder had read when it stopped,
		// the offending byte included.
		at := max(r.base+se.Offset-1, start)
		rej.Reason = fmt.Sprintf("JSON syntax error at line %d: %s", r.lines.line(at), se.Error())
	case errors.Is(err, errRecordTooLarge):
		rej.Reason = fmt.Sprintf("record larger than %d bytes", r.max)
	default:
		rej.Reason = "record cut short by the end of the file"
		cut = true
	}

	r.src.skipLine()
	for {
		c, perr := r.src.peekByte()
		if perr != nil {
			if !cut {
				rej.Reason += "; skipped to the end of the file"
			}
			break
		}
		if c == '{' {
			rej.Reason += fmt.Sprintf("; skipped to line %d", r.lines.line(r.src.off))
			break
		}
		r.src.skipLine()
	}
	r.lines.commit(r.src.off)
	r.restart()
	return rej
}
