package store

import (
	"math"
	"sync/atomic"
	"unicode/utf8"
)

// Ingest limits: what one item may carry (Options.MaxAttributes,
// MaxValueBytes, MaxEvents, MaxLinks) and how deep values may nest. The
// encoder cuts what is past them, adds what it drops to the item's
// dropped counts and counts every cut in Stats.

// protoDepthLimit is the nesting pdata's protobuf decoder accepts (its
// internal/proto.RecursionLimit): it counts the KeyValue, AnyValue,
// ArrayValue and KeyValueList messages around a value, starting at 0 for
// an attribute's KeyValue and for a log body's AnyValue. The encoder
// stores a value only as deep as this lets it be served back as OTLP
// protobuf (arrays about 49 levels, key-value lists 32), so whatever an
// OTLP/protobuf receiver accepted is stored exactly; a deeper array or
// list is stored as deepPlaceholder. Nothing that reads or writes values
// recurses past this (or maxDepth, for data written before it).
const protoDepthLimit = 100

// Proto depths of the AnyValue of an attribute (under its KeyValue) and
// of a log body.
const (
	attrValueDepth = 1
	bodyValueDepth = 0
)

// deepPlaceholder replaces an array or key-value list nested too deep.
const deepPlaceholder = "[value nested too deep: not stored]"

// fitsProto reports whether an array (list false) or key-value list (list
// true) with n elements, whose AnyValue is at proto depth pd, can be
// decoded by pdata: its ArrayValue or KeyValueList message is at pd+1,
// and its elements' AnyValues at pd+2 (an array) or pd+3 (a list, under
// each KeyValue at pd+2).
func fitsProto(pd, n int, list bool) bool {
	if pd+1 >= protoDepthLimit {
		return false
	}
	if n == 0 {
		return true
	}
	return childDepth(pd, list) < protoDepthLimit
}

// childDepth is the proto depth of the elements' AnyValues of an array or
// key-value list at pd.
func childDepth(pd int, list bool) int {
	if list {
		return pd + 3
	}
	return pd + 2
}

// limits are Options' ingest limits, defaults applied.
type limits struct {
	attrs, valueBytes, events, links int
	announceBytes                    int // an announcement's body
}

func (o Options) limits() limits {
	return limits{attrs: o.MaxAttributes, valueBytes: o.MaxValueBytes, events: o.MaxEvents, links: o.MaxLinks,
		announceBytes: o.MaxAnnouncementBytes}
}

// cuts counts what the encoder cut from one batch.
type cuts struct {
	truncated int64 // strings and bytes values cut to the limit
	deep      int64 // arrays and lists replaced by deepPlaceholder
	attrs     int64 // attributes (and nested list entries) dropped
	events    int64
	links     int64
}

// cutTotals are a Store's running totals of cuts, for Stats.
type cutTotals struct {
	truncated, deep, attrs, events, links atomic.Int64
}

func (t *cutTotals) add(c cuts) {
	t.truncated.Add(c.truncated)
	t.deep.Add(c.deep)
	t.attrs.Add(c.attrs)
	t.events.Add(c.events)
	t.links.Add(c.links)
}

// truncUTF8 cuts s to at most n bytes without splitting a UTF-8 encoded
// character: it steps back over continuation bytes (at most three) from
// the cut.
func truncUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for j := 0; j < utf8.UTFMax-1 && i > 0 && !utf8.RuneStart(s[i]); j++ {
		i--
	}
	return s[:i]
}

// addDropped adds n to an OTLP dropped count (uint32), saturating.
func addDropped(count uint32, n int) uint64 {
	return min(uint64(count)+uint64(n), math.MaxUint32)
}
