package leanspan

import "go.opentelemetry.io/otel/attribute"

// dedupeByMap is the attribute count above which deduplication indexes
// keys in a map; below it a linear scan is cheaper and allocates nothing.
const dedupeByMap = 32

// SetAttributes sets attributes as the SDK's recordingSpan.SetAttributes
// does: an invalid attribute is dropped and counted; values are
// normalised (string, byte-slice and string-slice values cut to
// AttributeValueLengthLimit characters or bytes; slice and map values
// deduplicated, depth-limited and cut as the SDK's attrnorm does); a key
// set twice keeps its first position and its last value. While the
// attributes cannot exceed AttributeCountLimit they are appended as they
// come and deduplicated when read; past it they are deduplicated on the
// way in, a repeated key still updates, and new keys past the limit are
// dropped and counted. A limit of 0 drops (and counts) every attribute.
func (s *Span) SetAttributes(attributes ...attribute.KeyValue) {
	if len(attributes) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.end.IsZero() {
		return
	}
	limit := s.tracer.cfg.Limits.AttributeCountLimit
	if limit == 0 {
		s.droppedAttrs += len(attributes)
		return
	}
	maxCap := len(s.attrs) + len(attributes)
	if limit > 0 {
		maxCap = min(maxCap, limit)
	}
	s.ensureWritable(maxCap)
	if limit > 0 && len(s.attrs)+len(attributes) > limit {
		s.addOverCap(limit, attributes)
		return
	}
	s.grow(len(attributes))
	for _, a := range attributes {
		if !a.Valid() {
			s.droppedAttrs++
			continue
		}
		s.attrs = append(s.attrs, s.tracer.norm.attr(a))
		s.dirty = true
	}
}

// ensureWritable gives s.attrs a backing array of its own, of at least
// capacity, when a reader holds the current one.
func (s *Span) ensureWritable(capacity int) {
	if !s.shared {
		return
	}
	attrs := make([]attribute.KeyValue, len(s.attrs), max(capacity, len(s.attrs)))
	copy(attrs, s.attrs)
	s.attrs = attrs
	s.shared = false
}

// grow makes room for n more attributes: out of the inline array to room
// for exactly what is needed (a span's attributes mostly come in one
// SetAttributes call just after Start), later doubling.
func (s *Span) grow(n int) {
	if cap(s.attrs)-len(s.attrs) >= n {
		return
	}
	c := len(s.attrs) + n
	if cap(s.attrs) > inlineAttrs {
		c = max(c, 2*len(s.attrs))
	}
	attrs := make([]attribute.KeyValue, len(s.attrs), c)
	copy(attrs, s.attrs)
	clear(s.attrs)
	s.attrs = attrs
}

// addOverCap adds attrs when they may take s past limit (> 0): the SDK's
// addOverCapAttrs.
func (s *Span) addOverCap(limit int, attrs []attribute.KeyValue) {
	var index map[attribute.Key]int
	if len(s.attrs)+len(attrs) > dedupeByMap {
		index = make(map[attribute.Key]int, len(s.attrs))
	}
	s.dedupe(index)
	s.grow(min(len(attrs)+len(s.attrs), limit) - len(s.attrs))
	for _, a := range attrs {
		if !a.Valid() {
			s.droppedAttrs++
			continue
		}
		if i := s.find(index, a.Key); i >= 0 {
			s.attrs[i] = s.tracer.norm.attr(a)
			continue
		}
		if len(s.attrs) >= limit {
			s.droppedAttrs++
			continue
		}
		s.attrs = append(s.attrs, s.tracer.norm.attr(a))
		if index != nil {
			index[a.Key] = len(s.attrs) - 1
		}
	}
}

// find returns the position of key in s.attrs (deduplicated), or -1;
// index, when not nil, holds every key's position.
func (s *Span) find(index map[attribute.Key]int, key attribute.Key) int {
	if index != nil {
		if i, ok := index[key]; ok {
			return i
		}
		return -1
	}
	for i := range s.attrs {
		if s.attrs[i].Key == key {
			return i
		}
	}
	return -1
}

// dedupe removes repeated keys from s.attrs in place, each key at its
// first position with its last value (the SDK's dedupeAttrsFromRecord),
// filling index when it is not nil.
func (s *Span) dedupe(index map[attribute.Key]int) {
	unique := s.attrs[:0]
	for _, a := range s.attrs {
		i := -1
		if index != nil {
			if j, ok := index[a.Key]; ok {
				i = j
			}
		} else {
			for j := range unique {
				if unique[j].Key == a.Key {
					i = j
					break
				}
			}
		}
		if i >= 0 {
			unique[i] = a
			continue
		}
		unique = append(unique, a)
		if index != nil {
			index[a.Key] = len(unique) - 1
		}
	}
	clear(s.attrs[len(unique):])
	s.attrs = unique
	s.dirty = false
}

// dedupeForRead deduplicates s.attrs for a reader, as the SDK's dedupeAttrs.
func (s *Span) dedupeForRead() {
	if !s.dirty {
		return
	}
	s.ensureWritable(len(s.attrs))
	var index map[attribute.Key]int
	if len(s.attrs) > dedupeByMap {
		index = make(map[attribute.Key]int, len(s.attrs))
	}
	s.dedupe(index)
}
