package forward

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

// The cursor file (FORMAT.md): magic, segment id, offset, CRC-32C.
const (
	cursorName    = "cursor"
	cursorTmpName = "cursor.tmp"
	cursorMagic   = "SLFWDC1\n"
	cursorLen     = len(cursorMagic) + 8 + 8 + 4
)

// position is a place in the log: a segment and a byte offset in it.
type position struct {
	seg uint64
	off int64
}

func (p position) String() string { return fmt.Sprintf("%s@%d", segmentName(p.seg), p.off) }

// errBadCursor is a cursor file that is not one this format writes.
var errBadCursor = errors.New("not a valid cursor file")

func encodeCursor(p position) []byte {
	b := make([]byte, cursorLen)
	copy(b, cursorMagic)
	binary.LittleEndian.PutUint64(b[8:16], p.seg)
	binary.LittleEndian.PutUint64(b[16:24], uint64(p.off))
	binary.LittleEndian.PutUint32(b[24:28], crc32.Checksum(b[:24], castagnoli))
	return b
}

func decodeCursor(b []byte) (position, error) {
	if len(b) != cursorLen || string(b[:len(cursorMagic)]) != cursorMagic ||
		binary.LittleEndian.Uint32(b[24:28]) != crc32.Checksum(b[:24], castagnoli) {
		return position{}, errBadCursor
	}
	p := position{seg: binary.LittleEndian.Uint64(b[8:16]), off: int64(binary.LittleEndian.Uint64(b[16:24]))}
	if p.off < int64(segHeaderLen) {
		return position{}, errBadCursor
	}
	return p, nil
}

// readCursor reads dir's cursor file; found is false when there is none.
func readCursor(dir string) (p position, found bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, cursorName))
	if errors.Is(err, fs.ErrNotExist) {
		return position{}, false, nil
	}
	if err != nil {
		return position{}, false, err
	}
	p, err = decodeCursor(b)
	return p, err == nil, err
}

// writeCursor replaces dir's cursor file with p atomically: it writes a
// temporary file and renames it over the cursor; with fsync it waits for
// the disk before and after the rename.
func writeCursor(dir string, p position, fsync bool) error {
	tmp := filepath.Join(dir, cursorTmpName)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return err
	}
	_, err = f.Write(encodeCursor(p))
	if err == nil && fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, cursorName)); err != nil {
		return err
	}
	if fsync {
		return syncDir(dir)
	}
	return nil
}
