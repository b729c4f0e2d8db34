package otlphttpenc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// classify is the SDK's evaluate for otlptracehttp: a 429, 502, 503 or
// 504 answer (with its Retry-After) and a temporary transport error may be
// retried; a status answer is the server's answer, which the error names
// when the export's deadline cuts a later attempt short.
func classify(err error) otlpretry.Verdict {
	if se, ok := errors.AsType[*otlphttp.StatusError](err); ok {
		return otlpretry.Verdict{Retry: se.Retryable(), Throttle: se.RetryAfter, Answer: true}
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return otlpretry.Verdict{Retry: ue.Temporary()}
	}
	return otlpretry.Verdict{}
}

// attempt makes one request of an export of kind (otlpretry.KindSpans,
// KindLogs). Its error is a *otlphttp.StatusError for a non-2xx answer, a
// *url.Error (wrapped) when no answer came, a
// *otlpretry.PartialSuccessError when the server rejected items, else nil.
func (e *client) attempt(ctx context.Context, b *buffers, payload []byte, kind string) error {
	req := (&http.Request{Method: http.MethodPost, URL: e.url, Header: e.header.Clone(),
		ContentLength: int64(len(payload)), Body: newBody(b, payload),
		// For 307 and 308 redirects, which net/http follows as the SDK's
		// client does.
		GetBody: func() (io.ReadCloser, error) { return newBody(b, payload), nil },
	}).WithContext(ctx)
	resp, err := e.http.Do(req)
	if err != nil {
		return fmt.Errorf("otlphttpenc: %w", err) // *url.Error names the method and URL.
	}
	defer func() {
		drain(resp.Body, b.resp)
		_ = resp.Body.Close()
	}()
	data, readErr := readBounded(b.resp, resp.Body, maxResponse)
	b.resp = data
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		// The server accepted the request: a body that cannot be read or
		// decoded does not change that (the SDK fails the export then).
		return partialSuccess(kind, resp.Header.Get("Content-Type"), data)
	}
	se := &otlphttp.StatusError{URL: e.url.String(), StatusCode: resp.StatusCode, Status: resp.Status,
		Message: errorMessage(resp.Header.Get("Content-Type"), data, readErr)}
	if se.Retryable() {
		se.RetryAfter = otlphttp.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return se
}

// mediaType is the media type of a Content-Type header, without
// parameters.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// partialSuccess reads a 2xx answer, the response to an export of kind,
// in the encoding its Content-Type names (protobuf or JSON; any other is
// not read, as in the SDK) and returns its partial success as an error,
// if any.
func partialSuccess(kind, contentType string, data []byte) error {
	switch mediaType(contentType) {
	case otlphttp.ContentTypeProto:
		return otlpretry.PartialSuccess(kind, data, false)
	case otlphttp.ContentTypeJSON:
		return otlpretry.PartialSuccess(kind, data, true)
	}
	return nil
}

// errorMessage is what an error answer says: the message of the
// google.rpc.Status a protobuf answer holds (the OTLP/HTTP specification's
// error body), else the start of the body as text, at most
// maxErrorMessage bytes, "(empty)" when there is nothing (as the SDK).
func errorMessage(contentType string, data []byte, readErr error) string {
	var msg string
	if mediaType(contentType) == otlphttp.ContentTypeProto {
		var st statuspb.Status
		if proto.Unmarshal(data, &st) == nil {
			msg = st.GetMessage()
		}
	} else {
		msg = string(data[:min(len(data), maxErrorMessage)])
	}
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage]
	}
	msg = strings.TrimSpace(strings.ToValidUTF8(msg, string(utf8.RuneError)))
	switch {
	case readErr != nil:
		msg += fmt.Sprintf(" (reading the body: %v)", readErr)
	case msg == "":
		msg = "(empty)"
	}
	return msg
}
