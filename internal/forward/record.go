package forward

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// Signal is what an OTLP request in the queue carries.
type Signal uint8

// The signals, as stored in a record (FORMAT.md).
const (
	// Traces is an ExportTraceServiceRequest.
	Traces Signal = 1
	// Logs is an ExportLogsServiceRequest (in-flight span announcements
	// included: they are log records).
	Logs Signal = 2
)

func (s Signal) String() string {
	switch s {
	case Traces:
		return "traces"
	case Logs:
		return "logs"
	}
	return fmt.Sprintf("signal(%d)", uint8(s))
}

func (s Signal) valid() bool { return s == Traces || s == Logs }

// MaxRecordBytes bounds the payload of one record: [Forwarder.Append]
// refuses a larger request (ErrTooLarge), and a reader takes a larger
// length field for corruption, so a damaged file never makes it allocate
// more than this.
const MaxRecordBytes = 64 << 20

// Segment and record layout (FORMAT.md).
const (
	// segMagic and segVersion begin every segment file.
	segMagic   = "SLFWD1\n"
	segVersion = 1
	// segHeaderLen is the size of the segment header.
	segHeaderLen = len(segMagic) + 1
	// recHeaderLen is the size of a record header: u32 payload length,
	// u8 signal, i64 append time (unix ns), u32 CRC-32C, little-endian.
	recHeaderLen = 4 + 1 + 8 + 4
)

// castagnoli is the CRC-32C table (hardware-accelerated where available).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentHeader returns the bytes a segment file begins with.
func segmentHeader() []byte {
	return append([]byte(segMagic), segVersion)
}

// recordHeader is a decoded record header.
type recordHeader struct {
	length   uint32
	signal   Signal
	unixNano int64
	crc      uint32
}

// putRecordHeader writes the header of a record of sig appended at
// unixNano with payload into dst[:recHeaderLen].
func putRecordHeader(dst []byte, sig Signal, unixNano int64, payload []byte) {
	binary.LittleEndian.PutUint32(dst[0:4], uint32(len(payload)))
	dst[4] = byte(sig)
	binary.LittleEndian.PutUint64(dst[5:13], uint64(unixNano))
	crc := crc32.Update(crc32.Checksum(dst[0:13], castagnoli), castagnoli, payload)
	binary.LittleEndian.PutUint32(dst[13:17], crc)
}

// parseRecordHeader decodes b[:recHeaderLen].
func parseRecordHeader(b []byte) recordHeader {
	return recordHeader{
		length:   binary.LittleEndian.Uint32(b[0:4]),
		signal:   Signal(b[4]),
		unixNano: int64(binary.LittleEndian.Uint64(b[5:13])),
		crc:      binary.LittleEndian.Uint32(b[13:17]),
	}
}

// headerCRC is the CRC-32C of the header's checked fields (length,
// signal, time); the record's CRC continues it over the payload.
func headerCRC(b []byte) uint32 { return crc32.Checksum(b[0:13], castagnoli) }

// encodeRecord returns header and payload in one buffer, for one write.
func encodeRecord(sig Signal, unixNano int64, payload []byte) []byte {
	buf := make([]byte, recHeaderLen+len(payload))
	copy(buf[recHeaderLen:], payload)
	putRecordHeader(buf, sig, unixNano, buf[recHeaderLen:])
	return buf
}
