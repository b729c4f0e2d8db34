package forward

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Files in the queue directory (FORMAT.md).
const (
	segPrefix = "seg-"
	segSuffix = ".log"
	// fileMode and dirMode keep the queue private to its owner.
	fileMode = 0o600
	dirMode  = 0o700
)

// segmentName is the file name of segment id.
func segmentName(id uint64) string { return fmt.Sprintf("%s%016x%s", segPrefix, id, segSuffix) }

// parseSegmentName returns the id of a segment file name, exactly as
// segmentName writes it.
func parseSegmentName(name string) (uint64, bool) {
	hex, ok := strings.CutPrefix(name, segPrefix)
	if !ok {
		return 0, false
	}
	if hex, ok = strings.CutSuffix(hex, segSuffix); !ok || len(hex) != 16 {
		return 0, false
	}
	id, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || segmentName(id) != name {
		return 0, false
	}
	return id, true
}

// listSegments returns the ids of the segment files in dir, ascending.
func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range entries {
		if id, ok := parseSegmentName(e.Name()); ok && e.Type().IsRegular() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// errVersion is a segment written by another version of the format.
var errVersion = errors.New("unsupported segment format version")

// scanResult is what scanning a segment file found.
type scanResult struct {
	size     int64 // of the file
	headerOK bool  // the segment header is this version's
	// end is the offset just past the last valid record (segHeaderLen
	// for a segment without one, or with a bad header); bytes past it
	// are damaged.
	end     int64
	records int64 // valid records
	payload int64 // their payload bytes
	// torn says the damaged rest, if any, looks like an interrupted
	// append: a partial header, a length that runs past the end of the
	// file, or a bad CRC in the very last record.
	torn bool
	// atOff is the last record boundary at or before the offset asked
	// for (the cursor's), and atRecords and atPayload count the records
	// before it.
	atOff                int64
	atRecords, atPayload int64
}

// scanSegment reads a segment of size bytes from r and checks every
// record's length and CRC. It never allocates more than a fixed buffer,
// whatever the file holds. It fails only on a read error or a header of
// another version; damage is reported in the result.
func scanSegment(r io.ReaderAt, size, cursorOff int64) (scanResult, error) {
	res := scanResult{size: size, end: int64(segHeaderLen), atOff: int64(segHeaderLen)}
	hdr := make([]byte, segHeaderLen)
	n, err := r.ReadAt(hdr, 0)
	if n < segHeaderLen {
		if err != nil && !errors.Is(err, io.EOF) {
			return res, err
		}
		// A segment created by a process that died before its header was
		// written whole.
		res.torn = bytes.HasPrefix([]byte(segMagic), hdr[:min(n, len(segMagic))])
		return res, nil
	}
	if string(hdr[:len(segMagic)]) != segMagic {
		return res, nil
	}
	if v := hdr[len(segMagic)]; v != segVersion {
		return res, fmt.Errorf("%w %d (this sightline reads version %d)", errVersion, v, segVersion)
	}
	res.headerOK = true

	br := bufio.NewReaderSize(io.NewSectionReader(r, int64(segHeaderLen), size-int64(segHeaderLen)), 256<<10)
	rh := make([]byte, recHeaderLen)
	crc := crc32.New(castagnoli)
	off := int64(segHeaderLen)
	for {
		if off <= cursorOff {
			res.atOff, res.atRecords, res.atPayload = off, res.records, res.payload
		}
		n, err := io.ReadFull(br, rh)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return res, nil // clean end
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				res.torn = n > 0
				return res, nil
			}
			return res, err
		}
		h := parseRecordHeader(rh)
		recEnd := off + int64(recHeaderLen) + int64(h.length)
		if h.length > MaxRecordBytes || !h.signal.valid() {
			return res, nil // corrupt: not a header this format writes
		}
		if recEnd > size {
			res.torn = true
			return res, nil
		}
		crc.Reset()
		_, _ = crc.Write(rh[0:13])
		if _, err := io.CopyN(crc, br, int64(h.length)); err != nil {
			return res, err // the file is shorter than its size said
		}
		if crc.Sum32() != h.crc {
			res.torn = recEnd == size
			return res, nil
		}
		off = recEnd
		res.end, res.records, res.payload = off, res.records+1, res.payload+int64(h.length)
	}
}

// syncDir makes a directory's entries durable (a created, renamed or
// removed file).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// segmentPath is the path of segment id in dir.
func segmentPath(dir string, id uint64) string { return filepath.Join(dir, segmentName(id)) }
