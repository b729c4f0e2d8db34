package otlp

import (
	"fmt"
	"strings"

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

// decodeRequest decodes an export request's body into c. A JSON body is
// first checked, in one pass that allocates nothing, to nest at most
// jsondepth.OTLP levels: pdata's JSON decoder recurses without a bound, so
// a deep body would take memory (and stack) in proportion to its depth.
// The bound accepts every request whose protobuf form pdata accepts.
func decodeRequest(c codec, body []byte, enc encoding) error {
	if enc == encodingJSON {
		if err := jsondepth.Check(body, jsondepth.OTLP); err != nil {
			return err
		}
	}
	return decode(c, body, enc)
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
