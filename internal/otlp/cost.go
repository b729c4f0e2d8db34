package otlp

import (
	"errors"
	"fmt"
	"io"

	"github.com/sightline-dev/sightline/internal/jsondepth"
)

// What a request costs once decoded, known before it is decoded.
//
// pdata's decoders allocate far more than the bytes they read when the
// fields are small: an empty span is 2 bytes of protobuf and about 250
// bytes of pdata, an empty attribute 2 bytes and about 210, so one 16 MiB
// request of empty spans decodes into 2 GiB. Bounding requests by their size
// alone therefore bounds nothing. Before a request is decoded, one pass over
// its bytes that allocates nothing (protobuf: following the OTLP schema;
// JSON: counting objects and arrays) counts its items and estimates, from
// above, the memory pdata will allocate for it; that estimate is what the
// request reserves of MaxInFlightBytes, and a request whose items or
// estimate could never be admitted is refused before it is decoded.

// Bytes pdata 1.71 allocates per decoded message, measured (amortized over
// 65,536 messages, slice growth included: TotalAlloc) and rounded up by a
// quarter: an empty span allocates 250 bytes, ScopeSpans 154, ResourceSpans
// 170, a KeyValue 212, an array element 85 (101 with a one-byte string), an
// event 106, a link 122, a log record 170. Strings and bytes are copied:
// their length is added (bytesOf). TestCostBoundsDecoding checks the estimate against
// what decoding allocates.
const (
	costResource = 220 // ResourceSpans or ResourceLogs, with its Resource
	costScope    = 200 // ScopeSpans or ScopeLogs, with its scope
	costSpan     = 320
	costEvent    = 140
	costLink     = 160
	costLog      = 220
	costKeyValue = 270 // an attribute, or an entry of a key-value list
	costElement  = 130 // an element of an array value
	// costJSONContainer is charged for every JSON object and array: the
	// most a JSON container can make pdata allocate (a span), so the JSON
	// estimate is from above whatever the container holds.
	costJSONContainer = costSpan
)

// cost is what a request holds: its items (spans or log records) and an
// estimate from above of the bytes pdata allocates to decode it.
type cost struct {
	items int
	bytes int64
}

// errCostTooDeep is the error of a request nesting more messages than
// pdata's protobuf decoder accepts (decodeFailure names the limit).
var errCostTooDeep = errors.New("proto: exceeded max recursion depth")

// coster walks an OTLP request's protobuf, summing its cost.
type coster struct {
	c cost
}

// fields calls f for every length-delimited field of msg (with its number
// and bytes) and skips the others. It parses the wire format exactly as
// pdata's decoder does (wire.go), so that it refuses nothing pdata accepts.
func (w *coster) fields(msg []byte, f func(num int32, v []byte) error) error {
	for pos := 0; pos < len(msg); {
		num, typ, next, err := consumeTag(msg, pos)
		if err != nil {
			return err
		}
		if typ != wireLen {
			if pos, err = skipField(msg, next, typ); err != nil {
				return err
			}
			continue
		}
		n, start, err := consumeVarint(msg, next)
		if err != nil {
			return err
		}
		end := start + int(n)
		if int(n) < 0 || end < start || end > len(msg) {
			return fmt.Errorf("proto: field %d: length %d past the end: %w", num, n, io.ErrUnexpectedEOF)
		}
		if err := f(num, msg[start:end]); err != nil {
			return err
		}
		pos = end
	}
	return nil
}

// bytesOf charges a string or bytes field (pdata copies it), or a message
// whose fields cost no more than its own bytes: its length, plus what the
// allocator rounds a copy of it up to (up to 1/64 for large objects, which
// are whole pages) and a string header.
func (w *coster) bytesOf(v []byte) { w.c.bytes += int64(len(v)) + int64(len(v))/64 + 16 }

// request walks an export request: resource_spans or resource_logs (1),
// each a resource (1) and scope_spans or scope_logs (2), each a scope (1)
// and items (2) of itemCost, walked by item.
func (w *coster) request(msg []byte, itemCost int64, item func([]byte) error) error {
	return w.fields(msg, func(num int32, v []byte) error {
		if num != 1 {
			w.bytesOf(v)
			return nil
		}
		w.c.bytes += costResource
		return w.fields(v, func(num int32, v []byte) error {
			switch num {
			case 1: // resource
				return w.fields(v, w.attrsField(1))
			case 2: // scope_spans, scope_logs
				w.c.bytes += costScope
				return w.fields(v, func(num int32, v []byte) error {
					switch num {
					case 1: // scope
						return w.fields(v, w.attrsField(3))
					case 2: // spans, log_records
						w.c.items++
						w.c.bytes += itemCost
						return item(v)
					}
					w.bytesOf(v)
					return nil
				})
			}
			w.bytesOf(v)
			return nil
		})
	})
}

// attrsField returns a field visitor charging field attrs as attributes and
// any other length-delimited field as its bytes.
func (w *coster) attrsField(attrs int32) func(int32, []byte) error {
	return func(num int32, v []byte) error {
		if num == attrs {
			return w.keyValue(v, 0)
		}
		w.bytesOf(v)
		return nil
	}
}

func (w *coster) span(msg []byte) error {
	return w.fields(msg, func(num int32, v []byte) error {
		switch num {
		case 9: // attributes
			return w.keyValue(v, 0)
		case 11: // events
			w.c.bytes += costEvent
			return w.fields(v, w.attrsField(3))
		case 13: // links
			w.c.bytes += costLink
			return w.fields(v, w.attrsField(4))
		}
		w.bytesOf(v)
		return nil
	})
}

func (w *coster) logRecord(msg []byte) error {
	return w.fields(msg, func(num int32, v []byte) error {
		switch num {
		case 5: // body
			return w.anyValue(v, 0)
		case 6: // attributes
			return w.keyValue(v, 0)
		}
		w.bytesOf(v)
		return nil
	})
}

// The value messages count their nesting as pdata's decoder does: from 0
// at an attribute's KeyValue or a log body's AnyValue, one more for each
// KeyValue, AnyValue, ArrayValue and KeyValueList inside, refused at
// protoRecursionLimit.

// keyValue charges an attribute, or an entry of a key-value list.
func (w *coster) keyValue(msg []byte, depth int) error {
	if depth >= protoRecursionLimit {
		return errCostTooDeep
	}
	w.c.bytes += costKeyValue
	return w.fields(msg, func(num int32, v []byte) error {
		if num == 2 { // value
			return w.anyValue(v, depth+1)
		}
		w.bytesOf(v)
		return nil
	})
}

func (w *coster) anyValue(msg []byte, depth int) error {
	if depth >= protoRecursionLimit {
		return errCostTooDeep
	}
	return w.fields(msg, func(num int32, v []byte) error {
		switch num {
		case 5: // array_value
			return w.list(v, depth+1, func(v []byte, d int) error {
				w.c.bytes += costElement
				return w.anyValue(v, d)
			})
		case 6: // kvlist_value
			return w.list(v, depth+1, w.keyValue)
		}
		w.bytesOf(v) // string_value, bytes_value
		return nil
	})
}

// list walks an ArrayValue or KeyValueList at depth: field 1 holds its
// elements, each one level deeper.
func (w *coster) list(msg []byte, depth int, elem func([]byte, int) error) error {
	if depth >= protoRecursionLimit {
		return errCostTooDeep
	}
	return w.fields(msg, func(num int32, v []byte) error {
		if num == 1 { // values
			return elem(v, depth+1)
		}
		w.bytesOf(v)
		return nil
	})
}

// protoCost returns the cost of an OTLP export request of sig in protobuf,
// or the error that makes it undecodable (pdata's decoder would refuse it
// too, having allocated for what came before the error).
func protoCost(body []byte, sig signal) (cost, error) {
	var w coster
	var err error
	if sig == signalLogs {
		err = w.request(body, costLog, w.logRecord)
	} else {
		err = w.request(body, costSpan, w.span)
	}
	return w.c, err
}

// jsonCost is the cost of a JSON request that opens containers objects and
// arrays: its items are not counted (the decoder counts them), its bytes
// estimated from above.
func jsonCost(body []byte, containers int) cost {
	return cost{items: -1, bytes: int64(len(body)) + int64(containers)*costJSONContainer}
}

// TracesDataCost estimates from above, in one pass that allocates nothing,
// the bytes pdata allocates to decode body, an OTLP TracesData (the wire
// format of an ExportTraceServiceRequest): protobuf, or OTLP/JSON when
// json is set. It fails for protobuf pdata would refuse (nesting past its
// limit included) and for JSON nesting deeper than jsondepth.OTLP. The
// store bounds the decoding of the spans that announcements carry with it
// (internal/store, announce_body.go).
func TracesDataCost(body []byte, json bool) (int64, error) {
	if json {
		containers, err := jsondepth.Count(body, jsondepth.OTLP)
		return jsonCost(body, containers).bytes, err
	}
	c, err := protoCost(body, signalTraces)
	return c.bytes, err
}
