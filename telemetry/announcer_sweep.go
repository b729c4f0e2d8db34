package telemetry

import (
	"time"
)

// watchedSpan is a span the sweeper watches: registered, and open when it
// was last looked at. Times are offsets from the announcer's epoch.
type watchedSpan struct {
	s     liveSpan
	start time.Duration
	// freq is the interval sent with the last heartbeat; 0 means the span
	// has not been announced yet.
	freq time.Duration
	last time.Duration // when the last heartbeat was sent
}

// sweep takes the spans registered since the last sweep (dropping those
// that have ended: short spans cost nothing more), then walks every
// watched span once, starting where the last sweep ran out of budget:
//
//   - ended and announced: emit its stop record and forget it;
//   - ended and never announced: forget it;
//   - open and older than the threshold, not yet announced: first heartbeat;
//   - open and announced, its next heartbeat due: heartbeat. A heartbeat is
//     due one interval after the last, using the shorter of the interval
//     sent with the last and the current one, so that raising the interval
//     at runtime never makes a collector wait past the three intervals it
//     allows before it calls a span lost.
//
// At most budget records are emitted; the other due spans are counted as
// deferred and come first at the next sweep.
func (a *announcer) sweep(now time.Time, timing InFlightSettings, budget int) {
	a.drain()
	n := len(a.watched)
	if n == 0 {
		return
	}
	at := now.Sub(a.epoch)
	start := a.cursor % n
	firstDeferred := -1
	for k := range n {
		i := (start + k) % n
		w := &a.watched[i]
		ended := !w.s.EndTime().IsZero()
		due := ended && w.freq > 0 ||
			!ended && w.freq == 0 && at-w.start >= timing.Threshold ||
			!ended && w.freq > 0 && at-w.last >= min(w.freq, timing.Interval)
		if !due {
			if ended {
				a.forget(*w)
				w.s = nil
			}
			continue
		}
		if budget == 0 {
			a.c.inflight.deferred.Add(1)
			if firstDeferred < 0 {
				firstDeferred = i
			}
			continue
		}
		budget--
		if ended {
			a.emit(readOnly(w.s), eventStop, 0, now)
			a.c.inflight.stops.Add(1)
			a.forget(*w)
			w.s = nil
			continue
		}
		a.emit(readOnly(w.s), eventHeartbeat, timing.Interval, now)
		a.c.inflight.heartbeats.Add(1)
		if w.freq == 0 {
			a.c.inflight.open.Add(1)
		}
		w.freq, w.last = timing.Interval, at
	}
	a.compact(firstDeferred)
}

// forget stops watching w.
func (a *announcer) forget(w watchedSpan) {
	a.c.inflight.watched.Add(-1)
	if w.freq > 0 {
		a.c.inflight.open.Add(-1)
	}
}

// compact removes the forgotten spans, keeping the order, and sets the
// cursor on the first deferred span (at index firstDeferred before).
func (a *announcer) compact(firstDeferred int) {
	j := 0
	a.cursor = 0
	for i := range a.watched {
		if i == firstDeferred {
			a.cursor = j
		}
		if a.watched[i].s != nil {
			a.watched[j] = a.watched[i]
			j++
		}
	}
	clear(a.watched[j:])
	a.watched = a.watched[:j]
}

// drain moves the spans registered since the last sweep into the watched
// list, dropping those that have ended. Beyond maxWatched, spans are not
// watched (counted in overflow).
func (a *announcer) drain() {
	for i := range a.spare {
		buf := a.live.take(i, a.spare[i])
		for _, s := range buf {
			if !s.EndTime().IsZero() {
				continue
			}
			if len(a.watched) >= maxWatched {
				a.c.inflight.overflow.Add(1)
				continue
			}
			a.watched = append(a.watched, watchedSpan{s: s, start: s.StartTime().Sub(a.epoch)})
			a.c.inflight.watched.Add(1)
		}
		clear(buf) // the buffer is reused: let the spans go
		a.spare[i] = buf[:0]
	}
}
