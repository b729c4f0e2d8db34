package forward

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// queueOptions are the queue's share of a [Config].
type queueOptions struct {
	dir          string
	segmentBytes int64
	maxBytes     int64
	dropOldest   bool
	fsync        bool
}

// segment is what the queue knows of one segment file.
type segment struct {
	id uint64
	// end is where the next record goes (the active segment) or where
	// reading stops (sealed ones): just past the last valid record.
	end      int64
	records  int64 // valid records
	payload  int64 // their payload bytes
	diskSize int64 // bytes on disk (more than end when the rest is damaged)
	// sealed is set on an active segment that must take no more appends
	// (damage was found in it): the next append starts a new one.
	sealed bool
}

// queue is the segment log with its cursor: appends at the end, batches
// read and acknowledged at the cursor, the bound kept by refusing or by
// dropping the oldest segments. It is safe for concurrent use; reads (next)
// come from one goroutine at a time.
type queue struct {
	opts   queueOptions
	lock   *dirLock
	notify chan struct{} // signalled (without blocking) by every append

	mu     sync.Mutex
	closed bool
	segs   []*segment // ascending ids; the last is the active one
	active *os.File   // the last segment, open for appending
	disk   int64      // sum of diskSize
	// cursor: everything before it was forwarded, or dropped; the records
	// and payload bytes of its segment before it.
	cursor                       position
	cursorRecords, cursorPayload int64
	pendingRecords               int64 // after the cursor
	pendingPayload               int64
	written                      uint64 // appends written, for group fsync
	head                         struct {
		pos      position
		unixNano int64
	} // the append time of the record at head.pos, cached for Stats
	truncatedBytes, corruptBytes int64
	droppedFull                  Count
	warning                      string // what Open had to repair, for Stats

	syncMu sync.Mutex // serialises fsyncs of the active segment
	synced uint64     // appends known to be on disk

	cursorMu    sync.Mutex // serialises cursor file writes
	savedCursor position
	rd          reader // the batch reader (next), one goroutine at a time
}

// ErrFull is returned (wrapped) by Append when the queue holds MaxBytes
// and the WhenFull policy is block: nothing was appended, and the caller
// should ask its sender to retry later.
var ErrFull = errors.New("forward: queue full")

// ErrTooLarge is returned (wrapped) by Append for a request that can never
// be queued: larger than MaxRecordBytes or than MaxBytes allows.
var ErrTooLarge = errors.New("forward: request too large to queue")

// ErrClosed is returned by Append after Shutdown.
var ErrClosed = errors.New("forward: closed")

// append writes one record of sig with payload in a single write and
// returns once it is in the operating system's hands, or on disk with
// fsync.
func (q *queue) append(sig Signal, payload []byte, now time.Time) error {
	if !sig.valid() {
		return fmt.Errorf("forward: append: %v is not traces or logs", sig)
	}
	if len(payload) > MaxRecordBytes {
		return fmt.Errorf("%w: %d bytes, more than the %d a record may hold", ErrTooLarge, len(payload), MaxRecordBytes)
	}
	rec := encodeRecord(sig, now.UnixNano(), payload)
	n := int64(len(rec))

	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if err := q.makeRoom(n); err != nil {
		q.mu.Unlock()
		return err
	}
	seg := q.segs[len(q.segs)-1]
	if seg.sealed || (seg.end > int64(segHeaderLen) && seg.end+n > q.opts.segmentBytes) {
		if err := q.roll(); err != nil {
			q.mu.Unlock()
			return fmt.Errorf("forward: append: %w", err)
		}
		seg = q.segs[len(q.segs)-1]
	}
	if _, err := q.active.Write(rec); err != nil {
		q.repairTail(seg)
		q.mu.Unlock()
		return fmt.Errorf("forward: append to %s: %w", segmentName(seg.id), err)
	}
	seg.end += n
	seg.diskSize += n
	seg.records++
	seg.payload += int64(len(payload))
	q.disk += n
	q.pendingRecords++
	q.pendingPayload += int64(len(payload))
	q.written++
	seq := q.written
	q.mu.Unlock()

	select {
	case q.notify <- struct{}{}:
	default:
	}
	if q.opts.fsync {
		if err := q.syncTo(seq); err != nil {
			return fmt.Errorf("forward: append: fsync: %w", err)
		}
	}
	return nil
}

// repairTail undoes a failed write that may have left part of a record:
// it truncates the active segment back to its last record, or, failing
// that, seals it so that the next append starts a new segment.
func (q *queue) repairTail(seg *segment) {
	if err := q.active.Truncate(seg.end); err == nil {
		return
	}
	if fi, err := q.active.Stat(); err == nil && fi.Size() > seg.end {
		q.corruptBytes += fi.Size() - seg.end
		q.disk += fi.Size() - seg.diskSize
		seg.diskSize = fi.Size()
	}
	seg.sealed = true
	_ = q.roll() // if this fails too, the next append tries again
}

// syncTo returns once append number seq is on disk. Appenders share
// fsyncs: one covers every append written before it started.
func (q *queue) syncTo(seq uint64) error {
	q.syncMu.Lock()
	defer q.syncMu.Unlock()
	if q.synced >= seq {
		return nil
	}
	q.mu.Lock()
	upto, f := q.written, q.active
	q.mu.Unlock()
	// Appends before the active segment's are in segments that roll
	// synced before closing them; Sync of a file closed meanwhile
	// fails with ErrClosed after such a sync.
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		return err
	}
	q.synced = upto
	return nil
}

// roll seals the active segment and starts the next one. Called with mu.
func (q *queue) roll() error {
	last := q.segs[len(q.segs)-1]
	f, seg, err := q.createSegment(max(last.id, q.cursor.seg) + 1)
	if err != nil {
		return err
	}
	if q.opts.fsync {
		if err := q.active.Sync(); err != nil {
			_ = f.Close()
			return fmt.Errorf("fsync %s: %w", segmentName(last.id), err)
		}
	}
	_ = q.active.Close()
	q.active = f
	q.segs = append(q.segs, seg)
	q.disk += seg.diskSize
	return nil
}

// createSegment creates segment id with its header.
func (q *queue) createSegment(id uint64) (*os.File, *segment, error) {
	path := segmentPath(q.opts.dir, id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, fileMode)
	if err != nil {
		return nil, nil, fmt.Errorf("create segment: %w", err)
	}
	_, err = f.Write(segmentHeader())
	if err == nil && q.opts.fsync {
		if err = f.Sync(); err == nil {
			err = syncDir(q.opts.dir)
		}
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, nil, fmt.Errorf("create segment %s: %w", path, err)
	}
	h := int64(segHeaderLen)
	return f, &segment{id: id, end: h, diskSize: h}, nil
}

// makeRoom makes the queue able to take n more bytes within maxBytes, or
// says why it cannot. Called with mu.
func (q *queue) makeRoom(n int64) error {
	need := n + int64(segHeaderLen) // room for a new segment's header too
	if q.disk+need <= q.opts.maxBytes {
		return nil
	}
	// A record needs a segment of its own at most: with the active
	// segment's header, two headers.
	if need+int64(segHeaderLen) > q.opts.maxBytes {
		return fmt.Errorf("%w: a record of %d bytes does not fit in MaxBytes (%d)", ErrTooLarge, n, q.opts.maxBytes)
	}
	// Everything forwarded: start afresh, deleting what was forwarded.
	if q.pendingRecords == 0 && q.segs[len(q.segs)-1].end > int64(segHeaderLen) {
		if err := q.roll(); err != nil {
			return fmt.Errorf("forward: append: %w", err)
		}
		q.advance()
		if q.disk+need <= q.opts.maxBytes {
			return nil
		}
	}
	if !q.opts.dropOldest {
		return fmt.Errorf("%w: %d bytes queued, %d records not yet forwarded, and %d more would pass MaxBytes (%d): retry later",
			ErrFull, q.disk, q.pendingRecords, n, q.opts.maxBytes)
	}
	for q.disk+need > q.opts.maxBytes {
		if len(q.segs) == 1 {
			// Only the active segment is left (it holds records, or the
			// check above would have passed): start a new one so that it
			// can go too.
			if err := q.roll(); err != nil {
				return fmt.Errorf("forward: append: %w", err)
			}
		}
		q.dropFirst()
	}
	return nil
}

// dropFirst deletes the oldest segment, counting its records not yet
// forwarded as dropped, and moves the cursor past it. Called with mu and
// at least two segments.
func (q *queue) dropFirst() {
	s := q.segs[0]
	recs, payload := s.records, s.payload
	switch {
	case s.id < q.cursor.seg: // forwarded already
		recs, payload = 0, 0
	case s.id == q.cursor.seg:
		recs, payload = s.records-q.cursorRecords, s.payload-q.cursorPayload
	}
	q.droppedFull.Records += recs
	q.droppedFull.Bytes += payload
	q.pendingRecords -= recs
	q.pendingPayload -= payload
	q.removeFirst()
	if q.cursor.seg <= s.id {
		q.cursor = position{seg: q.segs[0].id, off: int64(segHeaderLen)}
		q.cursorRecords, q.cursorPayload = 0, 0
	}
}

// removeFirst deletes the oldest segment's file. Called with mu.
func (q *queue) removeFirst() {
	s := q.segs[0]
	// A file that cannot be removed is left behind and forgotten: the
	// next Open finds it before the cursor and tries again.
	_ = os.Remove(segmentPath(q.opts.dir, s.id))
	q.disk -= s.diskSize
	q.segs = q.segs[1:]
}

// advance moves the cursor past the ends of sealed segments and deletes
// the segments before it. Called with mu.
func (q *queue) advance() {
	for {
		s := q.segs[0]
		if s.id > q.cursor.seg {
			// Not reached: the cursor's segment is always kept. Should it
			// be gone, the next segment is read from its start.
			q.cursor = position{seg: s.id, off: int64(segHeaderLen)}
			q.cursorRecords, q.cursorPayload = 0, 0
		}
		if len(q.segs) == 1 && s.id < q.cursor.seg {
			// Not reached either: a cursor past the active segment.
			q.cursor = position{seg: s.id, off: s.end}
			q.cursorRecords, q.cursorPayload = s.records, s.payload
		}
		if s.id == q.cursor.seg && (q.cursor.off < s.end || len(q.segs) == 1) {
			return
		}
		if s.id == q.cursor.seg {
			q.cursor = position{seg: q.segs[1].id, off: int64(segHeaderLen)}
			q.cursorRecords, q.cursorPayload = 0, 0
		}
		q.removeFirst()
	}
}

// close saves the cursor, syncs and closes the active segment and
// releases the directory; later appends fail with ErrClosed.
func (q *queue) close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	var err error
	if q.opts.fsync {
		err = q.active.Sync()
	}
	if cerr := q.active.Close(); err == nil {
		err = cerr
	}
	q.mu.Unlock()
	if serr := q.saveCursor(); err == nil {
		err = serr
	}
	q.rd.close()
	if lerr := q.lock.release(); err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("forward: close %s: %w", q.opts.dir, err)
	}
	return nil
}

// saveCursor writes the cursor file if the cursor moved since the last
// write.
func (q *queue) saveCursor() error {
	q.cursorMu.Lock()
	defer q.cursorMu.Unlock()
	q.mu.Lock()
	p := q.cursor
	q.mu.Unlock()
	if p == q.savedCursor {
		return nil
	}
	if err := writeCursor(q.opts.dir, p, q.opts.fsync); err != nil {
		return fmt.Errorf("save cursor %v: %w", p, err)
	}
	q.savedCursor = p
	return nil
}
