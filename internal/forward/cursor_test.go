package forward

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCursorDamaged restarts at the oldest segment when the cursor file
// is damaged (records are sent again, none lost), and says so.
func TestCursorDamaged(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, testOptions(dir))
	appendN(t, q, 0, 20)
	for range 5 {
		b, _ := q.next(1)
		q.ack(b)
	}
	if err := q.close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, cursorName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := decodeCursor(b); err != nil || p.off <= int64(segHeaderLen) {
		t.Fatalf("saved cursor %v, %v", p, err)
	}
	b[10] ^= 1
	if err := os.WriteFile(path, b, fileMode); err != nil {
		t.Fatal(err)
	}
	q = openTestQueue(t, testOptions(dir))
	if !strings.Contains(q.warning, "cursor file was damaged") {
		t.Errorf("warning %q", q.warning)
	}
	wantRange(t, drain(t, q), 0, 20)
}

// TestCursorOffBoundary snaps a cursor that is not at a record boundary
// back to the record it falls in (sent again rather than skipped).
func TestCursorOffBoundary(t *testing.T) {
	dir := t.TempDir()
	q := openTestQueue(t, testOptions(dir))
	appendN(t, q, 0, 5)
	crash(q)
	id := segmentFiles(t, dir)[0]
	third := int64(segHeaderLen + 2*recHeaderLen + sizeOf(0) + sizeOf(1))
	if err := writeCursor(dir, position{id, third + 3}, false); err != nil {
		t.Fatal(err)
	}
	q = openTestQueue(t, testOptions(dir))
	wantRange(t, drain(t, q), 2, 5)
}

// TestLag reports the append time of the oldest record not forwarded.
func TestLag(t *testing.T) {
	q := openTestQueue(t, testOptions(t.TempDir()))
	t0 := time.Now().Add(-time.Minute)
	for i := range 3 {
		if err := q.append(Traces, payloadOf(i, 100), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	st := queueStats(q)
	if st.OldestUnixNano != t0.UnixNano() || st.Lag < time.Minute || st.Lag > 2*time.Minute {
		t.Errorf("oldest %d, lag %v; want %d", st.OldestUnixNano, st.Lag, t0.UnixNano())
	}
	b, _ := q.next(1)
	q.ack(b)
	if st := queueStats(q); st.OldestUnixNano != t0.Add(time.Second).UnixNano() {
		t.Errorf("after one: oldest %d", st.OldestUnixNano)
	}
	drain2 := func() {
		for b, _ := q.next(1 << 20); b != nil; b, _ = q.next(1 << 20) {
			q.ack(b)
		}
	}
	drain2()
	if st := queueStats(q); st.OldestUnixNano != 0 || st.Lag != 0 {
		t.Errorf("empty: oldest %d, lag %v", st.OldestUnixNano, st.Lag)
	}
}

// TestQueueLocked refuses a second open of one directory.
func TestQueueLocked(t *testing.T) {
	dir := t.TempDir()
	openTestQueue(t, testOptions(dir))
	if _, err := openQueue(testOptions(dir)); err == nil || !strings.Contains(err.Error(), "in use by another forwarder") {
		t.Errorf("second open: %v", err)
	}
}

// TestSegmentVersion refuses a segment of another format version.
func TestSegmentVersion(t *testing.T) {
	dir := t.TempDir()
	h := segmentHeader()
	h[len(h)-1] = 2
	if err := os.WriteFile(segmentPath(dir, 1), h, fileMode); err != nil {
		t.Fatal(err)
	}
	_, err := openQueue(testOptions(dir))
	if err == nil || !strings.Contains(err.Error(), "unsupported segment format version 2 (this sightline reads version 1)") {
		t.Errorf("open: %v", err)
	}
}
