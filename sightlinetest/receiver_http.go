package sightlinetest

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// OTLP/HTTP content types.
const (
	contentTypeProto = "application/x-protobuf"
	contentTypeJSON  = "application/json"
)

// encoding is the body encoding of one request, and so of its response.
type encoding struct {
	json bool
}

func (e encoding) contentType() string {
	if e.json {
		return contentTypeJSON
	}
	return contentTypeProto
}

func (e encoding) String() string {
	if e.json {
		return "JSON"
	}
	return "protobuf"
}

// httpSignal is what differs between the trace and the log endpoint.
type httpSignal struct {
	name string
	// ingest decodes body and records its content.
	ingest func(body []byte, enc encoding) error
	// response returns the encoded empty (fully successful) export response.
	response func(enc encoding) ([]byte, error)
}

// httpHandler routes the OTLP/HTTP signal paths; anything else is 404.
func (r *Receiver) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/traces", r.handleSignal(httpSignal{
		name: "traces",
		ingest: func(body []byte, enc encoding) error {
			req := ptraceotlp.NewExportRequest()
			if err := unmarshal(req, body, enc); err != nil {
				return err
			}
			r.store.addTraces(req.Traces(), TransportHTTP)
			return nil
		},
		response: func(enc encoding) ([]byte, error) {
			return marshal(ptraceotlp.NewExportResponse(), enc)
		},
	}))
	mux.Handle("/v1/logs", r.handleSignal(httpSignal{
		name: "logs",
		ingest: func(body []byte, enc encoding) error {
			req := plogotlp.NewExportRequest()
			if err := unmarshal(req, body, enc); err != nil {
				return err
			}
			r.store.addLogs(req.Logs(), TransportHTTP)
			return nil
		},
		response: func(enc encoding) ([]byte, error) {
			return marshal(plogotlp.NewExportResponse(), enc)
		},
	}))
	return mux
}

// handleSignal answers export requests for one signal as the OTLP/HTTP
// specification says: the response, success or Status, is in the request's
// encoding.
func (r *Receiver) handleSignal(sig httpSignal) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, fmt.Sprintf("method %s not allowed: OTLP/HTTP export uses POST", req.Method), http.StatusMethodNotAllowed)
			return
		}
		ct := req.Header.Get("Content-Type")
		enc, err := parseContentType(ct)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnsupportedMediaType)
			return
		}
		body, code, err := readBody(w, req)
		if err != nil {
			r.failReqs.Add(1)
			if code == http.StatusUnsupportedMediaType {
				w.Header().Set("Accept-Encoding", "gzip")
			}
			writeStatus(w, enc, code, err.Error())
			return
		}
		if r.failing.Load() {
			r.failReqs.Add(1)
			w.Header().Set("Retry-After", strconv.Itoa(int(retryDelay.Seconds())))
			writeStatus(w, enc, http.StatusServiceUnavailable, errFailing.Error())
			return
		}
		if err := sig.ingest(body, enc); err != nil {
			r.failReqs.Add(1)
			writeStatus(w, enc, http.StatusBadRequest, errDecode(sig.name, enc.String(), err).Error())
			return
		}
		r.okReqs.Add(1)
		resp, err := sig.response(enc)
		if err != nil {
			writeStatus(w, enc, http.StatusInternalServerError, fmt.Sprintf("encode %s response: %v", sig.name, err))
			return
		}
		w.Header().Set("Content-Type", enc.contentType())
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(resp)
	})
}

// parseContentType accepts the two OTLP/HTTP media types, with parameters.
func parseContentType(ct string) (encoding, error) {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		switch mt {
		case contentTypeProto:
			return encoding{}, nil
		case contentTypeJSON:
			return encoding{json: true}, nil
		}
	}
	return encoding{}, fmt.Errorf("unsupported Content-Type %q: OTLP/HTTP accepts %s or %s", ct, contentTypeProto, contentTypeJSON)
}

// readBody reads the request body, gunzipping it if needed, and caps it at
// maxBodyBytes both before and after decompression. On error it returns the
// HTTP status to answer with.
func readBody(w http.ResponseWriter, req *http.Request) ([]byte, int, error) {
	raw := http.MaxBytesReader(w, req.Body, maxBodyBytes)
	var rd io.Reader = raw
	switch ce := strings.ToLower(strings.TrimSpace(req.Header.Get("Content-Encoding"))); ce {
	case "", "identity":
	case "gzip":
		gz, err := gzip.NewReader(raw)
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("read gzip body: %w", err)
		}
		defer func() { _ = gz.Close() }()
		rd = io.LimitReader(gz, maxBodyBytes+1)
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("unsupported Content-Encoding %q: use gzip or none", ce)
	}
	body, err := io.ReadAll(rd)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("request body larger than %d bytes", maxBodyBytes)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("decompressed body larger than %d bytes", maxBodyBytes)
	}
	return body, 0, nil
}

// writeStatus answers with an error: a google.rpc.Status in the request's
// encoding whose message says what was wrong.
func writeStatus(w http.ResponseWriter, enc encoding, httpCode int, msg string) {
	st := status.New(grpcCode(httpCode), msg).Proto()
	var (
		b   []byte
		err error
	)
	if enc.json {
		b, err = protojson.Marshal(st)
	} else {
		b, err = proto.Marshal(st)
	}
	if err != nil {
		http.Error(w, msg, httpCode)
		return
	}
	w.Header().Set("Content-Type", enc.contentType())
	w.WriteHeader(httpCode)
	_, _ = w.Write(b)
}

// grpcCode maps the HTTP statuses the receiver sends to Status codes.
func grpcCode(httpCode int) codes.Code {
	switch httpCode {
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	case http.StatusRequestEntityTooLarge:
		return codes.ResourceExhausted
	case http.StatusInternalServerError:
		return codes.Internal
	default:
		return codes.InvalidArgument
	}
}

// codec is what pdata's export requests and responses have in common.
type codec interface {
	MarshalProto() ([]byte, error)
	UnmarshalProto([]byte) error
	MarshalJSON() ([]byte, error)
	UnmarshalJSON([]byte) error
}

func unmarshal(c codec, body []byte, enc encoding) error {
	if enc.json {
		return c.UnmarshalJSON(body)
	}
	return c.UnmarshalProto(body)
}

func marshal(c codec, enc encoding) ([]byte, error) {
	if enc.json {
		return c.MarshalJSON()
	}
	return c.MarshalProto()
}

// errDecode wraps the error of a body that could not be decoded.
func errDecode(signal, encoding string, err error) error {
	return fmt.Errorf("decode %s %s request: %w", signal, encoding, err)
}
