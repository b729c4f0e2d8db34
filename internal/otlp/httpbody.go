package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/bytesize"
)

// bodyReadTimeout bounds reading one request body or gRPC message, so that
// a client that sends slowly cannot keep the bytes reserved for its request
// for long.
const bodyReadTimeout = time.Minute

// encoding is the payload encoding of a request, and so of its response.
type encoding int

const (
	encodingProto encoding = iota
	encodingJSON
)

// The OTLP/HTTP media types (spec: Binary Protobuf Encoding, JSON Protobuf
// Encoding).
const (
	contentTypeProto = "application/x-protobuf"
	contentTypeJSON  = "application/json"
)

func (e encoding) contentType() string {
	if e == encodingJSON {
		return contentTypeJSON
	}
	return contentTypeProto
}

func (e encoding) String() string {
	if e == encodingJSON {
		return "JSON"
	}
	return "protobuf"
}

// parseContentType accepts the two OTLP/HTTP media types, with parameters
// (such as charset=utf-8) and in any case.
func parseContentType(ct string) (encoding, *exportError) {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		switch mt {
		case contentTypeProto:
			return encodingProto, nil
		case contentTypeJSON:
			return encodingJSON, nil
		}
	}
	return 0, refuseErr(failUnsupportedMedia, reasonUnsupportedMedia,
		"unsupported Content-Type %q: OTLP/HTTP accepts %s or %s", ct, contentTypeProto, contentTypeJSON)
}

// responseEncoding is the encoding of any answer to a request with content
// type ct: JSON for a JSON request, binary protobuf otherwise (the spec's
// default when the request's encoding is unknown).
func responseEncoding(ct string) encoding {
	if enc, err := parseContentType(ct); err == nil {
		return enc
	}
	return encodingProto
}

// readBody reads the request body within the limits: Content-Encoding gzip
// or none, at most MaxRequestBytes as sent and after decompression, within
// bodyReadTimeout, and within MaxInFlightBytes: it reserves the body's size
// (its Content-Length, or MaxRequestBytes when that is not known or the
// body is gzipped) before reading, refusing at once what does not fit, and
// shrinks the reservation to the decompressed size once read. The caller
// releases the reservation when it is done with the request.
//
// Reading takes no decode slot: a client that sends its body slowly holds
// only its reservation (for bodyReadTimeout at most), never a slot that
// others need to have their bodies decoded.
func (r *Receiver) readBody(w http.ResponseWriter, req *http.Request) ([]byte, *reservation, *exportError) {
	limit := r.cfg.MaxRequestBytes
	gzipped := false
	switch ce := strings.ToLower(strings.TrimSpace(req.Header.Get("Content-Encoding"))); ce {
	case "", "identity":
	case "gzip", "x-gzip":
		gzipped = true
	default:
		return nil, nil, refuseErr(failUnsupportedMedia, reasonUnsupportedMedia,
			"unsupported Content-Encoding %q: send gzip or no Content-Encoding", ce)
	}
	if req.ContentLength > limit {
		return nil, nil, refuseErr(failTooLarge, reasonTooLarge,
			"body is %s, over the %s limit", bytesize.Human(req.ContentLength), bytesize.Human(limit))
	}

	want := limit
	if req.ContentLength >= 0 && !gzipped {
		want = req.ContentLength
	}
	res, rerr := r.reserveBytes(want)
	if rerr != nil {
		return nil, nil, rerr
	}
	body, rerr := r.readBodyBytes(w, req, gzipped)
	if rerr != nil {
		res.release()
		return nil, nil, rerr
	}
	res.shrink(int64(len(body)))
	return body, res, nil
}

func (r *Receiver) readBodyBytes(w http.ResponseWriter, req *http.Request, gzipped bool) ([]byte, *exportError) {
	limit := r.cfg.MaxRequestBytes
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(r.readTimeout)) == nil {
		// Clear it once read: the server's background read must not time
		// out (and cancel the request's context) while the sink works.
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}

	raw := http.MaxBytesReader(w, req.Body, limit)
	var src io.Reader = raw
	var buf bytes.Buffer
	if gzipped {
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return nil, bodyError(req.Context(), "read gzip body", err, limit)
		}
		defer func() { _ = gz.Close() }()
		// One byte over the limit tells a body that decompresses past it.
		src = io.LimitReader(gz, limit+1)
	} else if req.ContentLength > 0 {
		buf.Grow(int(req.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(src); err != nil {
		what := "read body"
		if gzipped {
			what = "read gzip body"
		}
		return nil, bodyError(req.Context(), what, err, limit)
	}
	if int64(buf.Len()) > limit {
		return nil, refuseErr(failTooLarge, reasonTooLarge,
			"gzip body decompresses to over the %s limit", bytesize.Human(limit))
	}
	return buf.Bytes(), nil
}

// bodyError classifies an error reading the body: over the limit (413),
// client gone or too slow (canceled), or malformed (400).
func bodyError(ctx context.Context, what string, err error, limit int64) *exportError {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return refuseErr(failTooLarge, reasonTooLarge, "body is over the %s limit", bytesize.Human(limit))
	}
	if ne, ok := errors.AsType[net.Error](err); (ok && ne.Timeout()) || ctx.Err() != nil {
		return refuseErr(failUnavailable, reasonCanceled, "%s: %w", what, err)
	}
	return refuseErr(failMalformed, reasonMalformed, "%s: %w", what, err)
}
