package forward

import (
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
)

// batch is consecutive records of one signal read at the cursor, all in
// one segment: their payloads concatenated are one valid OTLP request.
type batch struct {
	signal     Signal
	start, end position
	records    int64
	payload    []byte
}

// reader reads records of the segment at the cursor. It is used by one
// goroutine at a time (the forwarder's), outside the queue's lock.
type reader struct {
	seg uint64
	f   *os.File
	hdr [recHeaderLen]byte
}

func (r *reader) close() {
	if r.f != nil {
		_ = r.f.Close()
		r.f = nil
	}
}

// read returns the records of segment cur.seg from cur.off up to end
// that make one batch: same signal, at most maxBytes of payload together
// (a first record larger than that alone). A damaged record ends the batch
// before it; when it is the first, bad is its position and b is nil.
func (r *reader) read(dir string, cur position, end, maxBytes int64) (b *batch, bad *position, err error) {
	if r.f == nil || r.seg != cur.seg {
		r.close()
		f, err := os.Open(segmentPath(dir, cur.seg))
		if err != nil {
			return nil, nil, err
		}
		r.f, r.seg = f, cur.seg
	}
	b = &batch{start: cur, end: cur}
	off := cur.off
	for off < end {
		if _, err := r.f.ReadAt(r.hdr[:], off); err != nil {
			return r.damaged(b, position{cur.seg, off})
		}
		h := parseRecordHeader(r.hdr[:])
		recEnd := off + int64(recHeaderLen) + int64(h.length)
		if h.length > MaxRecordBytes || !h.signal.valid() || recEnd > end {
			return r.damaged(b, position{cur.seg, off})
		}
		if b.records > 0 && (h.signal != b.signal || int64(len(b.payload))+int64(h.length) > maxBytes) {
			break
		}
		if b.records == 0 {
			b.signal = h.signal
			b.payload = make([]byte, 0, max(min(maxBytes, end-off), int64(h.length)))
		}
		n := len(b.payload)
		b.payload = b.payload[:n+int(h.length)]
		if _, err := r.f.ReadAt(b.payload[n:], off+int64(recHeaderLen)); err != nil {
			b.payload = b.payload[:n]
			return r.damaged(b, position{cur.seg, off})
		}
		if crc32.Update(headerCRC(r.hdr[:]), castagnoli, b.payload[n:]) != h.crc {
			b.payload = b.payload[:n]
			return r.damaged(b, position{cur.seg, off})
		}
		off = recEnd
		b.records++
		b.end.off = off
	}
	return b, nil, nil
}

// damaged ends a batch at a damaged record at p: the batch so far, or p
// when there is none.
func (r *reader) damaged(b *batch, p position) (*batch, *position, error) {
	if b.records > 0 {
		return b, nil, nil
	}
	return nil, &p, nil
}

// next returns the batch at the cursor (nil when everything was read),
// skipping damaged parts of segments. It does not move the cursor: ack
// does, once the batch is forwarded.
func (q *queue) next(maxBytes int64) (*batch, error) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, ErrClosed
		}
		q.advance()
		cur, s := q.cursor, q.segs[0]
		end := s.end
		q.mu.Unlock()
		if cur.off >= end {
			return nil, nil
		}
		b, bad, err := q.rd.read(q.opts.dir, cur, end, maxBytes)
		if errors.Is(err, fs.ErrNotExist) {
			// Dropped meanwhile (drop-oldest), or removed by someone else.
			bad = &cur
		} else if err != nil {
			return nil, err
		}
		if bad != nil {
			q.skipDamaged(*bad)
			continue
		}
		return b, nil
	}
}

// skipDamaged gives up the rest of the cursor's segment from p, where
// reading failed, counting it as corrupt. Nothing happens if the cursor
// moved meanwhile.
func (q *queue) skipDamaged(p position) {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := q.segs[0]
	if q.cursor != p || s.id != p.seg {
		return
	}
	q.corruptBytes += s.end - p.off
	q.pendingRecords -= s.records - q.cursorRecords
	q.pendingPayload -= s.payload - q.cursorPayload
	s.records, s.payload, s.end = q.cursorRecords, q.cursorPayload, p.off
	if len(q.segs) == 1 {
		// New appends must not land behind the damage: seal the segment.
		s.sealed = true
		_ = q.roll() // if it fails, the next append rolls
	}
}

// ack moves the cursor past b once it is forwarded (or given up) and
// deletes the segments before it. A batch whose records were dropped
// meanwhile (drop-oldest) changes nothing: then it returns false.
func (q *queue) ack(b *batch) bool {
	return q.ackRange(b.start, b.end, b.records, int64(len(b.payload)))
}

// ackRange is ack of the records from start to end, records of them
// holding payload bytes of payload (their batch need not be kept).
func (q *queue) ackRange(start, end position, records, payload int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cursor != start {
		return false
	}
	q.cursor = end
	q.cursorRecords += records
	q.cursorPayload += payload
	q.pendingRecords -= records
	q.pendingPayload -= payload
	q.advance()
	return true
}

// atCursor reports whether b is still the next batch to forward: false
// once its segment was dropped to make room (drop-oldest), which only
// moves the cursor while a batch is out (the forwarder's goroutine moves
// it otherwise).
func (q *queue) atCursor(b *batch) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.cursor == b.start
}

// undrop takes b's records out of the dropped count: its segment was
// dropped while it was being sent, and the upstream accepted it.
func (q *queue) undrop(b *batch) { q.undropRange(b.records, int64(len(b.payload))) }

// undropRange is undrop of records holding payload bytes.
func (q *queue) undropRange(records, payload int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.droppedFull.Records -= records
	q.droppedFull.Bytes -= payload
}

// headUnixNano is the append time of the oldest record not yet forwarded;
// 0 when there is none or it cannot be read. Called with mu.
func (q *queue) headUnixNano() int64 {
	if q.pendingRecords == 0 {
		return 0
	}
	var p position
	for _, s := range q.segs {
		off := int64(segHeaderLen)
		if s.id == q.cursor.seg {
			off = q.cursor.off
		} else if s.id < q.cursor.seg {
			continue
		}
		if off < s.end {
			p = position{s.id, off}
			break
		}
	}
	if p.seg == 0 {
		return 0
	}
	if p == q.head.pos {
		return q.head.unixNano
	}
	f, err := os.Open(segmentPath(q.opts.dir, p.seg))
	if err != nil {
		return 0
	}
	defer f.Close()
	var hdr [recHeaderLen]byte
	if _, err := f.ReadAt(hdr[:], p.off); err != nil {
		return 0
	}
	q.head.pos, q.head.unixNano = p, parseRecordHeader(hdr[:]).unixNano
	return q.head.unixNano
}
