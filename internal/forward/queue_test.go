package forward

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// testOptions are small segments under the smallest allowed bound.
func testOptions(dir string) queueOptions {
	return queueOptions{dir: dir, segmentBytes: 64 << 10, maxBytes: MinMaxBytes}
}

func openTestQueue(t *testing.T, o queueOptions) *queue {
	t.Helper()
	q, err := openQueue(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.close() })
	return q
}

// payloadOf is record i's payload: its number, then filler up to size.
func payloadOf(i, size int) []byte {
	b := make([]byte, max(size, 8))
	binary.LittleEndian.PutUint64(b, uint64(i))
	for j := 8; j < len(b); j++ {
		b[j] = byte(i + j)
	}
	return b
}

func numberOf(t *testing.T, p []byte) int {
	t.Helper()
	if len(p) < 8 {
		t.Fatalf("payload of %d bytes", len(p))
	}
	return int(binary.LittleEndian.Uint64(p))
}

// sizeOf varies record sizes: 100 bytes to a few KiB.
func sizeOf(i int) int { return 100 + (i*997)%3000 }

func signalOf(i int) Signal { return Signal(1 + i%3/2) } // traces, traces, logs, ...

func appendN(t *testing.T, q *queue, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := q.append(signalOf(i), payloadOf(i, sizeOf(i)), time.Now()); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// drain reads every record one batch at a time (maxBytes 1: one record
// each), acknowledging each, and returns their numbers after checking
// their signals and sizes.
func drain(t *testing.T, q *queue) []int {
	t.Helper()
	var got []int
	for {
		b, err := q.next(1)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return got
		}
		if b.records != 1 {
			t.Fatalf("batch of %d records with maxBytes 1", b.records)
		}
		i := numberOf(t, b.payload)
		if b.signal != signalOf(i) || len(b.payload) != sizeOf(i) {
			t.Fatalf("record %d: %v of %d bytes, want %v of %d", i, b.signal, len(b.payload), signalOf(i), sizeOf(i))
		}
		got = append(got, i)
		q.ack(b)
	}
}

func wantRange(t *testing.T, got []int, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("read %d records, want %d (%d to %d)", len(got), to-from, from, to-1)
	}
	for k, i := range got {
		if i != from+k {
			t.Fatalf("record %d is number %d, want %d", k, i, from+k)
		}
	}
}

func queueStats(q *queue) Stats {
	var st Stats
	q.stats(&st, time.Now())
	return st
}

func segmentFiles(t *testing.T, dir string) []uint64 {
	t.Helper()
	ids, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestQueueOrder reads records back in order, with their signals and
// sizes, across segment rollovers; forwarded segments are deleted.
func TestQueueOrder(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, testOptions(dir))
	appendN(t, q, 0, 500)
	st := queueStats(q)
	if st.Segments < 10 || st.QueueRecords != 500 || len(segmentFiles(t, dir)) != st.Segments {
		t.Fatalf("after 500 appends: %+v, files %v", st, segmentFiles(t, dir))
	}
	var payload int64
	for i := range 500 {
		payload += int64(sizeOf(i))
	}
	if st.QueuePayloadBytes != payload || st.QueueBytes != int64(st.Segments*segHeaderLen)+payload+500*recHeaderLen {
		t.Errorf("payload %d bytes, disk %d bytes; want %d payload", st.QueuePayloadBytes, st.QueueBytes, payload)
	}
	for _, id := range segmentFiles(t, dir) {
		fi, err := os.Stat(segmentPath(dir, id))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > 64<<10 || fi.Mode().Perm() != fileMode {
			t.Errorf("segment %d: %d bytes, mode %v", id, fi.Size(), fi.Mode())
		}
	}
	wantRange(t, drain(t, q), 0, 500)
	st = queueStats(q)
	if st.QueueRecords != 0 || st.QueuePayloadBytes != 0 || st.Segments != 1 || len(segmentFiles(t, dir)) != 1 || st.OldestUnixNano != 0 {
		t.Errorf("after reading all: %+v, files %v", st, segmentFiles(t, dir))
	}
	// Appends go on after everything was read.
	appendN(t, q, 500, 3)
	wantRange(t, drain(t, q), 500, 503)
}

// TestQueueBatches puts consecutive records of one signal together, up
// to maxBytes, within a segment.
func TestQueueBatches(t *testing.T) {
	q := openTestQueue(t, queueOptions{dir: t.TempDir(), segmentBytes: 1 << 20, maxBytes: MinMaxBytes})
	for i, sig := range []Signal{Traces, Traces, Traces, Logs, Logs, Traces} {
		if err := q.append(sig, payloadOf(i, 1000), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var shapes []string
	for {
		b, err := q.next(2500)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		shapes = append(shapes, fmt.Sprintf("%v:%d:%d", b.signal, b.records, len(b.payload)))
		q.ack(b)
	}
	if got := strings.Join(shapes, " "); got != "traces:2:2000 traces:1:1000 logs:2:2000 traces:1:1000" {
		t.Errorf("batches %s", got)
	}
}

// TestQueueRestart resumes at the saved cursor; records read but not
// marked are read again (at least once).
func TestQueueRestart(t *testing.T) {
	dir := t.TempDir()
	q, err := openQueue(testOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, q, 0, 100)
	for range 40 {
		b, err := q.next(1)
		if err != nil || b == nil {
			t.Fatal(b, err)
		}
		q.ack(b)
	}
	if err := q.saveCursor(); err != nil {
		t.Fatal(err)
	}
	// Read ten more without saving, then "crash": no cursor save.
	for range 10 {
		b, _ := q.next(1)
		q.ack(b)
	}
	crash(q)

	q = openTestQueue(t, testOptions(dir))
	if st := queueStats(q); st.QueueRecords != 60 || st.TruncatedBytes != 0 || st.CorruptBytes != 0 {
		t.Errorf("reopened: %+v", st)
	}
	wantRange(t, drain(t, q), 40, 100)
	if err := q.close(); err != nil {
		t.Fatal(err)
	}
	q = openTestQueue(t, testOptions(dir))
	if st := queueStats(q); st.QueueRecords != 0 || st.Segments != 1 {
		t.Errorf("reopened after reading all: %+v", st)
	}
}

// crash drops q as a killed process would: nothing saved or synced.
func crash(q *queue) {
	q.mu.Lock()
	q.closed = true
	_ = q.active.Close()
	q.mu.Unlock()
	q.rd.close()
	_ = q.lock.release()
}

// TestQueueTornTail cuts a partial record (an append cut short) off the
// last segment at open, counts it, and appends after the last good one.
func TestQueueTornTail(t *testing.T) {
	for _, tc := range []struct {
		name string
		tail func() []byte
	}{
		{"partial header", func() []byte { return encodeRecord(Traces, 1, payloadOf(99, 500))[:9] }},
		{"partial payload", func() []byte { return encodeRecord(Traces, 1, payloadOf(99, 500))[:300] }},
		{"bad CRC at the end", func() []byte {
			r := encodeRecord(Traces, 1, payloadOf(99, 500))
			r[len(r)-1] ^= 0xff
			return r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			q := openTestQueue(t, testOptions(dir))
			appendN(t, q, 0, 10)
			crash(q)
			ids := segmentFiles(t, dir)
			path := segmentPath(dir, ids[len(ids)-1])
			before, _ := os.Stat(path)
			tail := tc.tail()
			appendFile(t, path, tail)

			q = openTestQueue(t, testOptions(dir))
			st := queueStats(q)
			if st.TruncatedBytes != int64(len(tail)) || st.CorruptBytes != 0 || st.QueueRecords != 10 {
				t.Errorf("stats %+v, want %d bytes truncated", st, len(tail))
			}
			if after, _ := os.Stat(path); after.Size() != before.Size() {
				t.Errorf("segment is %d bytes, want %d", after.Size(), before.Size())
			}
			appendN(t, q, 10, 2)
			wantRange(t, drain(t, q), 0, 12)
		})
	}
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestQueueCorruptMiddle skips the rest of a segment after a record with
// a bad CRC, counts the bytes lost, and goes on with the next segment.
func TestQueueCorruptMiddle(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, testOptions(dir))
	appendN(t, q, 0, 100)
	crash(q)
	first := segmentPath(dir, segmentFiles(t, dir)[0])
	data, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	// Find record 5 and the records of the first segment.
	off, recs := segHeaderLen, 0
	var off5 int
	for off < len(data) {
		if recs == 5 {
			off5 = off
		}
		off += recHeaderLen + int(binary.LittleEndian.Uint32(data[off:]))
		recs++
	}
	data[off5+recHeaderLen+20] ^= 0x01 // a payload bit of record 5
	if err := os.WriteFile(first, data, fileMode); err != nil {
		t.Fatal(err)
	}

	q = openTestQueue(t, testOptions(dir))
	st := queueStats(q)
	if st.CorruptBytes != int64(len(data)-off5) || st.TruncatedBytes != 0 || st.QueueRecords != int64(100-(recs-5)) {
		t.Errorf("stats %+v, want %d corrupt bytes and %d records", st, len(data)-off5, 100-(recs-5))
	}
	got := drain(t, q)
	wantRange(t, got[:5], 0, 5)
	wantRange(t, got[5:], recs, 100)
}

// TestQueueDamagedWhileRead skips the rest of a segment whose record
// turns out damaged when read (after open), and counts it.
func TestQueueDamagedWhileRead(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, testOptions(dir))
	appendN(t, q, 0, 3)
	path := segmentPath(dir, segmentFiles(t, dir)[0])
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	second := int64(segHeaderLen + recHeaderLen + sizeOf(0))
	if _, err := f.WriteAt([]byte{0xff}, second+recHeaderLen+9); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	wantRange(t, drain(t, q), 0, 1)
	st := queueStats(q)
	if want := int64(2*recHeaderLen + sizeOf(1) + sizeOf(2)); st.CorruptBytes != want || st.QueueRecords != 0 {
		t.Errorf("stats %+v, want %d corrupt bytes", st, want)
	}
	// New appends go to a new segment and are read.
	appendN(t, q, 3, 2)
	wantRange(t, drain(t, q), 3, 5)
}

// TestQueueBlock refuses appends at MaxBytes with ErrFull, keeps the
// bound, drops nothing, and takes appends again once forwarding frees
// whole segments.
func TestQueueBlock(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, queueOptions{dir: dir, segmentBytes: 1 << 20, maxBytes: MinMaxBytes})
	const size = 64 << 10
	n := 0
	var err error
	for ; n < 1000; n++ {
		if err = q.append(Traces, payloadOf(n, size), time.Now()); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), "MaxBytes (16777216)") {
		t.Fatalf("after %d appends: %v, want ErrFull naming MaxBytes", n, err)
	}
	st := queueStats(q)
	if st.QueueBytes > MinMaxBytes || st.QueueBytes < MinMaxBytes-2*(size+recHeaderLen) || st.QueueRecords != int64(n) || st.Dropped.Full != (Count{}) {
		t.Fatalf("full: %+v after %d appends", st, n)
	}
	if err := q.append(Traces, payloadOf(n, size), time.Now()); !errors.Is(err, ErrFull) {
		t.Fatalf("append when full: %v", err)
	}
	// Forward one segment's worth (15 records of 64 KiB + headers fill 1 MiB).
	for range 16 {
		b, _ := q.next(1)
		q.ack(b)
	}
	for i := range 15 {
		if err := q.append(Traces, payloadOf(n+i, size), time.Now()); err != nil {
			t.Fatalf("append %d after forwarding a segment: %v", i, err)
		}
	}
	if st := queueStats(q); st.QueueBytes > MinMaxBytes {
		t.Errorf("queue %d bytes, over MaxBytes", st.QueueBytes)
	}
}
