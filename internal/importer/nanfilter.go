package importer

import "io"

// nanTokens are the bare tokens Python's json module writes for non-finite
// floats. None is a prefix of another, so a token is complete as soon as it
// matches.
var nanTokens = [...]string{"NaN", "Infinity", "-Infinity"}

// maxNaNToken is the length of the longest of nanTokens.
const maxNaNToken = len("-Infinity")

// nanFilter rewrites the bare tokens NaN, Infinity and -Infinity outside
// JSON strings into the strings "NaN", "Infinity" and "-Infinity", so that
// Python's output becomes JSON. Its string and escape state and a partly
// matched token carry over from one Read to the next, so a token or an
// escape split across reads is handled like any other. A newline ends a
// string, as a string cut short (the record was truncated) would otherwise
// swap inside and outside for the rest of the file; JSON strings cannot
// contain one. Everything else, newlines included, passes through
// unchanged.
type nanFilter struct {
	r     io.Reader
	in    []byte
	out   []byte // filtered bytes not yet returned
	buf   []byte // backing array of out
	tok   [maxNaNToken]byte
	ntok  int  // bytes of tok matched so far
	inStr bool // inside a string
	esc   bool // the previous byte in a string was an unescaped '\'
	err   error
}

func newNaNFilter(r io.Reader) *nanFilter {
	return &nanFilter{r: r, in: make([]byte, 32<<10)}
}

func (f *nanFilter) Read(p []byte) (int, error) {
	for len(f.out) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		n, err := f.r.Read(f.in)
		f.buf = f.filter(f.buf[:0], f.in[:n])
		if err != nil {
			// A token cut short by the end of the input is left as it was.
			f.buf = append(f.buf, f.tok[:f.ntok]...)
			f.ntok = 0
			f.err = err
		}
		f.out = f.buf
	}
	n := copy(p, f.out)
	f.out = f.out[n:]
	return n, nil
}

// filter appends the filtered form of in to dst.
func (f *nanFilter) filter(dst, in []byte) []byte {
	for i := 0; i < len(in); {
		if f.inStr {
			j := i
			for j < len(in) {
				c := in[j]
				j++
				if c == '\n' {
					// JSON strings cannot hold a newline: this one was cut
					// short, and its line ended it.
					f.inStr, f.esc = false, false
					break
				}
				if f.esc {
					f.esc = false
				} else if c == '\\' {
					f.esc = true
				} else if c == '"' {
					f.inStr = false
					break
				}
			}
			dst = append(dst, in[i:j]...)
			i = j
			continue
		}
		if f.ntok > 0 {
			dst = f.matchByte(dst, in[i])
			i++
			continue
		}
		// Copy up to the next byte that starts a string or a token.
		j := i
		for j < len(in) && in[j] != '"' && in[j] != 'N' && in[j] != 'I' && in[j] != '-' {
			j++
		}
		dst = append(dst, in[i:j]...)
		i = j
		if i == len(in) {
			break
		}
		if in[i] == '"' {
			f.inStr = true
			dst = append(dst, '"')
		} else {
			f.tok[0] = in[i]
			f.ntok = 1
		}
		i++
	}
	return dst
}

// matchByte extends the partly matched token with c. A completed token is
// written quoted; a byte that matches no token releases the bytes held so
// far unchanged and is then looked at afresh.
func (f *nanFilter) matchByte(dst []byte, c byte) []byte {
	f.tok[f.ntok] = c
	cand := f.tok[:f.ntok+1]
	for _, t := range nanTokens {
		if len(t) < len(cand) || t[:len(cand)] != string(cand) {
			continue
		}
		if len(t) == len(cand) {
			f.ntok = 0
			dst = append(dst, '"')
			dst = append(dst, t...)
			return append(dst, '"')
		}
		f.ntok++
		return dst
	}
	dst = append(dst, f.tok[:f.ntok]...)
	f.ntok = 0
	switch c {
	case '"':
		f.inStr = true
		return append(dst, c)
	case 'N', 'I', '-':
		f.tok[0] = c
		f.ntok = 1
		return dst
	}
	return append(dst, c)
}
