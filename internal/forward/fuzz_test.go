package forward

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"testing"
	"time"
)

// FuzzSegment opens a queue whose only segment holds what the fuzzer
// makes, and reads it all: nothing panics, memory stays bounded by the
// file (a length field is checked against MaxRecordBytes and the file's
// size before anything is allocated), every record read has a good CRC
// (checked here apart from the reader), and the records read are the
// ones Open counted.
func FuzzSegment(f *testing.F) {
	valid := segmentHeader()
	for i := range 3 {
		valid = append(valid, encodeRecord(signalOf(i), int64(i), payloadOf(i, 20+i))...)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-5])
	f.Add(segmentHeader())
	f.Add([]byte("SLFWD"))
	f.Add([]byte{})
	huge := append(segmentHeader(), encodeRecord(Traces, 1, []byte("x"))...)
	binary.LittleEndian.PutUint32(huge[segHeaderLen:], 1<<31)
	f.Add(huge)
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := segmentPath(dir, 1)
		if err := os.WriteFile(path, data, fileMode); err != nil {
			t.Fatal(err)
		}
		q, err := openQueue(testOptions(dir))
		if err != nil {
			return // another version: refused, not read
		}
		defer q.close()
		want := queueStats(q).QueueRecords
		onDisk, _ := os.ReadFile(path) // as Open left it
		var got int64
		for {
			b, err := q.next(1)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			got += b.records
			if b.start.seg == 1 {
				checkRecord(t, onDisk, b)
			}
			q.ack(b)
		}
		if got != want {
			t.Errorf("read %d records, Open counted %d", got, want)
		}
		// The queue still takes appends, and reads them back.
		if err := q.append(Logs, []byte("after"), time.Now()); err != nil {
			t.Fatal(err)
		}
		if b, err := q.next(1 << 20); err != nil || b == nil || string(b.payload) != "after" {
			t.Fatalf("append after damage: %v, %v", b, err)
		}
	})
}

// checkRecord recomputes the CRC of the one record of b from the file.
func checkRecord(t *testing.T, file []byte, b *batch) {
	t.Helper()
	rec := file[b.start.off:b.end.off]
	n := binary.LittleEndian.Uint32(rec)
	if int(n) != len(rec)-recHeaderLen || string(rec[recHeaderLen:]) != string(b.payload) {
		t.Fatalf("record at %d: length %d, %d bytes read", b.start.off, n, len(b.payload))
	}
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	crc.Write(rec[:13])
	crc.Write(rec[recHeaderLen:])
	if crc.Sum32() != binary.LittleEndian.Uint32(rec[13:17]) {
		t.Fatalf("record at %d read with a bad CRC", b.start.off)
	}
}

// FuzzCursor decodes arbitrary cursor files without panicking; what it
// accepts encodes back to the same bytes.
func FuzzCursor(f *testing.F) {
	f.Add(encodeCursor(position{3, 100}))
	f.Add([]byte("SLFWDC1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeCursor(data)
		if err == nil && string(encodeCursor(p)) != string(data) {
			t.Errorf("%v encodes to other bytes", p)
		}
	})
}
