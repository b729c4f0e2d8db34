package importer

import (
	"bufio"
	"errors"
)

// errRecordTooLarge stops the JSON decoder when one record grows past the
// configured maximum, so that a runaway record (an unterminated string,
// say) cannot take memory in proportion to the file.
var errRecordTooLarge = errors.New("record too large")

// source is what the JSON decoder reads: bytes pushed back after a syntax
// error, then the buffered file. It knows the absolute offset of every
// byte it hands out (offsets count the bytes after NaN filtering; newlines
// are the same either way) and can cap how far a record may extend.
type source struct {
	br      *bufio.Reader
	pending []byte
	off     int64 // absolute offset of the next byte Read returns
	limit   int64 // Read fails with errRecordTooLarge at this offset; < 0: no limit
}

func (s *source) Read(p []byte) (int, error) {
	if s.limit >= 0 {
		room := s.limit - s.off
		if room <= 0 {
			return 0, errRecordTooLarge
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
	}
	var (
		n   int
		err error
	)
	if len(s.pending) > 0 {
		n = copy(p, s.pending)
		s.pending = s.pending[n:]
	} else {
		n, err = s.br.Read(p)
	}
	s.off += int64(n)
	return n, err
}

// unread pushes back b, which must be the last len(b) bytes Read returned.
func (s *source) unread(b []byte) {
	p := make([]byte, 0, len(b)+len(s.pending))
	p = append(p, b...)
	s.pending = append(p, s.pending...)
	s.off -= int64(len(b))
}

// peekByte returns the next byte without consuming it.
func (s *source) peekByte() (byte, error) {
	if len(s.pending) > 0 {
		return s.pending[0], nil
	}
	b, err := s.br.Peek(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// skipSpace consumes JSON whitespace. It stops at the end of the input or
// at a read error, which the next read reports again.
func (s *source) skipSpace() {
	for {
		c, err := s.peekByte()
		if err != nil || (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			return
		}
		s.consume(1)
	}
}

// skipLine consumes everything up to and including the next newline, or
// to the end of the input.
func (s *source) skipLine() {
	for len(s.pending) > 0 {
		for i, c := range s.pending {
			if c == '\n' {
				s.consume(i + 1)
				return
			}
		}
		s.consume(len(s.pending))
	}
	for {
		line, err := s.br.ReadSlice('\n')
		s.off += int64(len(line))
		if !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// consume drops n bytes that peekByte or pending has shown to be there.
func (s *source) consume(n int) {
	if len(s.pending) > 0 {
		s.pending = s.pending[n:]
	} else {
		_, _ = s.br.Discard(n)
	}
	s.off += int64(n)
}
