package forward

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// openQueue opens (creating it if needed) the queue in o.dir: it checks
// every segment, cuts a torn tail off the last one, finds the cursor and
// deletes the segments wholly before it.
func openQueue(o queueOptions) (*queue, error) {
	if err := os.MkdirAll(o.dir, dirMode); err != nil {
		return nil, fmt.Errorf("forward: open %s: %w", o.dir, err)
	}
	lock, err := lockDir(o.dir)
	if err != nil {
		return nil, fmt.Errorf("forward: open %s: %w", o.dir, err)
	}
	q := &queue{opts: o, lock: lock, notify: make(chan struct{}, 1)}
	if err := q.load(); err != nil {
		if q.active != nil {
			_ = q.active.Close()
		}
		_ = lock.release()
		return nil, fmt.Errorf("forward: open %s: %w", o.dir, err)
	}
	return q, nil
}

// load reads the directory into q.
func (q *queue) load() error {
	dir := q.opts.dir
	_ = os.Remove(filepath.Join(dir, cursorTmpName)) // a save cut short
	ids, err := listSegments(dir)
	if err != nil {
		return err
	}
	saved, found, err := readCursor(dir)
	if err != nil && !errors.Is(err, errBadCursor) {
		return fmt.Errorf("read cursor: %w", err)
	}
	if errors.Is(err, errBadCursor) {
		q.warning = "the cursor file was damaged: forwarding restarted at the oldest segment (records may be sent twice)"
	}
	if found && len(ids) > 0 && saved.seg > ids[len(ids)-1] {
		q.warning = fmt.Sprintf("the cursor (%v) was past the last segment: forwarding restarted at the oldest segment (records may be sent twice)", saved)
		found = false
	}
	// Segments wholly before the cursor were forwarded: a crash came
	// between the cursor's save and their deletion.
	for len(ids) > 0 && found && ids[0] < saved.seg {
		if err := os.Remove(segmentPath(dir, ids[0])); err != nil {
			return err
		}
		ids = ids[1:]
	}

	var lastScan scanResult
	for i, id := range ids {
		cursorOff := int64(-1)
		if found && id == saved.seg {
			cursorOff = saved.off
		}
		res, err := scanFile(segmentPath(dir, id), cursorOff)
		if err != nil {
			return fmt.Errorf("segment %s: %w", segmentName(id), err)
		}
		// A segment shorter than its header "ends" at its size.
		s := &segment{id: id, end: min(res.end, res.size), records: res.records, payload: res.payload, diskSize: res.size}
		q.segs = append(q.segs, s)
		q.disk += s.diskSize
		if cursorOff >= 0 {
			q.cursor = position{id, res.atOff}
			q.cursorRecords, q.cursorPayload = res.atRecords, res.atPayload
		}
		if i == len(ids)-1 {
			lastScan = res
		} else {
			q.corruptBytes += s.diskSize - s.end
		}
	}
	if err := q.openActive(lastScan, saved, found); err != nil {
		return err
	}
	switch {
	case !found:
		// No cursor: the oldest segment's start.
		q.cursor = position{q.segs[0].id, int64(segHeaderLen)}
	case !q.hasSegment(saved.seg):
		// The cursor's segment is gone (dropped, or empty and removed):
		// the start of the next one. There is one: every segment left
		// is at or after the cursor's, and a new one was created after
		// it if need be.
		for _, s := range q.segs {
			if s.id > saved.seg {
				q.cursor = position{s.id, int64(segHeaderLen)}
				break
			}
		}
	}
	for _, s := range q.segs {
		switch {
		case s.id > q.cursor.seg:
			q.pendingRecords += s.records
			q.pendingPayload += s.payload
		case s.id == q.cursor.seg:
			q.pendingRecords += s.records - q.cursorRecords
			q.pendingPayload += s.payload - q.cursorPayload
		}
	}
	q.savedCursor = q.cursor
	if !found || q.cursor != saved {
		q.savedCursor = position{} // write it at the first save
	}
	q.advance()
	return nil
}

// scanFile scans the segment file at path.
func scanFile(path string, cursorOff int64) (scanResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return scanResult{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return scanResult{}, err
	}
	return scanSegment(f, fi.Size(), cursorOff)
}

// openActive opens the last segment for appending, cutting off a torn or
// damaged tail, or creates a new segment when there is none, or the last
// one is full or has a bad header.
func (q *queue) openActive(last scanResult, saved position, found bool) error {
	if n := len(q.segs); n > 0 {
		s := q.segs[n-1]
		rest := s.diskSize - s.end
		switch {
		case last.headerOK:
			f, err := os.OpenFile(segmentPath(q.opts.dir, s.id), os.O_WRONLY|os.O_APPEND, fileMode)
			if err != nil {
				return err
			}
			if rest > 0 {
				err = f.Truncate(s.end)
				if err == nil && q.opts.fsync {
					err = f.Sync()
				}
				if err != nil {
					_ = f.Close()
					return fmt.Errorf("truncate %s to %d bytes: %w", segmentName(s.id), s.end, err)
				}
				q.countDamage(rest, last.torn)
				q.disk -= rest
				s.diskSize = s.end
			}
			if s.end < q.opts.segmentBytes {
				q.active = f
				return nil
			}
			_ = f.Close() // full: a new segment follows
		case last.torn:
			// Created by a process that died before writing its header:
			// nothing in it.
			if err := os.Remove(segmentPath(q.opts.dir, s.id)); err != nil {
				return err
			}
			q.truncatedBytes += s.diskSize
			q.disk -= s.diskSize
			q.segs = q.segs[:n-1]
		default:
			q.countDamage(rest, false) // a bad header: skipped whole
		}
	}
	id := uint64(1)
	if n := len(q.segs); n > 0 {
		id = q.segs[n-1].id + 1
	}
	if found {
		id = max(id, saved.seg+1)
	}
	f, s, err := q.createSegment(id)
	if err != nil {
		return err
	}
	q.active = f
	q.segs = append(q.segs, s)
	q.disk += s.diskSize
	return nil
}

// countDamage counts n bytes cut off or skipped: torn tails apart from
// other damage.
func (q *queue) countDamage(n int64, torn bool) {
	if torn {
		q.truncatedBytes += n
	} else {
		q.corruptBytes += n
	}
}

// hasSegment reports whether segment id is in the queue. Called with mu.
func (q *queue) hasSegment(id uint64) bool {
	for _, s := range q.segs {
		if s.id == id {
			return true
		}
	}
	return false
}
