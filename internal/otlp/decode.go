package otlp

import (
	"fmt"
	"strings"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/jsondepth"
)

// protoRecursionLimit is pdata's proto.RecursionLimit (internal to pdata):
// how many KeyValue, AnyValue, ArrayValue and KeyValueList messages may nest
// in one attribute or body before the protobuf decoder refuses the request.
const protoRecursionLimit = 100

// codec is what pdata's export requests and responses share.
type codec interface {
	MarshalProto() ([]byte, error)
	UnmarshalProto([]byte) error
	MarshalJSON() ([]byte, error)
	UnmarshalJSON([]byte) error
}

// requestCost returns what body, an export request of sig, will cost once
// decoded (cost.go), or the error that makes it undecodable. A JSON body is
// checked, in the same pass that counts it, to nest at most jsondepth.OTLP
// levels: pdata's JSON decoder recurses without a bound, so a deep body
// would take memory (and stack) in proportion to its depth. The bound
// accepts every request whose protobuf form pdata accepts.
func requestCost(body []byte, enc encoding, sig signal) (cost, error) {
	if enc == encodingJSON {
		containers, err := jsondepth.Count(body, jsondepth.OTLP)
		return jsonCost(body, containers), err
	}
	return protoCost(body, sig)
}

// admitCost reserves, before a request is decoded, what its decoding will
// allocate. The request holds held bytes of MaxInFlightBytes already (its
// body's, or the gRPC tap's); resident bytes of its own (its body, and any
// copy of it) stay in memory while it is decoded. Decoding needs resident +
// c.bytes in all, so it reserves what held does not cover. A request with
// more items than MaxInFlightItems, or one that needs more than
// MaxInFlightBytes on its own, can never be admitted: it is refused as too
// large (413 / RESOURCE_EXHAUSTED, not retryable). One that does not fit
// now is refused as memory, retryably.
func (r *Receiver) admitCost(c cost, sig signal, resident, held int64) (*reservation, *exportError) {
	if c.items > r.cfg.MaxInFlightItems {
		return nil, refuseErr(failTooLarge, reasonTooLarge,
			"request carries %d %s, over the limit of %d in flight: send smaller batches", c.items, sig.itemName(), r.cfg.MaxInFlightItems)
	}
	if resident+c.bytes > r.admission.maxBytes {
		return nil, refuseErr(failTooLarge, reasonTooLarge,
			"request would take about %s to decode, beside its own %s, over the limit of %s of requests in flight: send smaller batches",
			bytesize.Human(c.bytes), bytesize.Human(resident), bytesize.Human(r.admission.maxBytes))
	}
	return r.reserveBytes(max(0, resident+c.bytes-held))
}

// decode unmarshals body into c; a panic of the decoder is an error.
func decode(c codec, body []byte, enc encoding) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panicked: %v", p)
		}
	}()
	if enc == encodingJSON {
		return c.UnmarshalJSON(body)
	}
	return c.UnmarshalProto(body)
}

func encode(c codec, enc encoding) ([]byte, error) {
	if enc == encodingJSON {
		return c.MarshalJSON()
	}
	return c.MarshalProto()
}

// decodeFailure is the answer to a request of sig that failed to decode,
// the same on both transports: 400 / INVALID_ARGUMENT, counted as
// malformed, with a message "decode traces JSON: ..." that says, for a
// request nested too deeply, how deep it may nest.
func decodeFailure(sig signal, enc encoding, err error) *exportError {
	if enc == encodingProto && strings.Contains(err.Error(), "exceeded max recursion depth") {
		return refuseErr(failMalformed, reasonMalformed,
			"decode %s %s: values nest deeper than the limit of %d protobuf messages: %w", sig, enc, protoRecursionLimit, err)
	}
	return refuseErr(failMalformed, reasonMalformed, "decode %s %s: %w", sig, enc, err)
}
