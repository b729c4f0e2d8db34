package forward

import (
	"errors"
	"io/fs"
)

// readAt returns the batch at pos, at or after the cursor, for the
// sampling forwarder, which reads ahead of the cursor: nil when nothing
// more is appended yet. At the end of pos's segment it goes on at the
// start of the next one; a pos behind the cursor (its segment dropped to
// make room) is read from the cursor. The batch's start is where it was
// read. A damaged part is skipped (counted as corrupt) once the cursor
// reaches it; until then readAt returns nil there, so that the records
// before it can be acknowledged first.
func (q *queue) readAt(pos position, maxBytes int64) (*batch, error) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, ErrClosed
		}
		q.advance()
		cur := q.cursor
		if pos.seg < cur.seg || (pos.seg == cur.seg && pos.off < cur.off) {
			pos = cur
		}
		var s *segment
		later := false
		for i, x := range q.segs {
			if x.id < pos.seg {
				continue
			}
			if x.id > pos.seg { // pos's segment is gone: go on at the next
				pos = position{x.id, int64(segHeaderLen)}
			}
			s, later = x, i+1 < len(q.segs)
			break
		}
		if s == nil {
			q.mu.Unlock()
			return nil, nil
		}
		end := s.end
		if pos.off >= end {
			q.mu.Unlock()
			if !later {
				return nil, nil
			}
			pos = position{s.id + 1, int64(segHeaderLen)} // the next segment, or the one after a gap
			continue
		}
		q.mu.Unlock()
		b, bad, err := q.rd.read(q.opts.dir, pos, end, maxBytes)
		if errors.Is(err, fs.ErrNotExist) {
			bad = &pos // dropped meanwhile: the cursor moved past it
		} else if err != nil {
			return nil, err
		}
		if bad != nil {
			if *bad != cur {
				return nil, nil // skipped once the cursor is there
			}
			q.skipDamaged(*bad)
			continue
		}
		return b, nil
	}
}
