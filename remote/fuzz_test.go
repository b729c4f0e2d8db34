package remote

import (
	"errors"
	"testing"
)

// FuzzDecodeResponse feeds the proxy's decoder arbitrary answers: it
// returns an *Error or decodes, never panics.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(200, []byte(`{"argout": 3}`))
	f.Add(404, []byte(`{"error":{"code":"unknown_device","message":"no"}}`))
	f.Add(500, []byte(`<html>`))
	f.Add(503, []byte(`{"error":null}`))
	f.Fuzz(func(t *testing.T, status int, data []byte) {
		var out CommandResponse
		err := decodeResponse(status, data, &out)
		if err == nil {
			if status/100 != 2 {
				t.Fatalf("status %d decoded without an error", status)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Code == "" {
			t.Fatalf("decode error %v is not a *Error with a code", err)
		}
		if status/100 != 2 && e.HTTPStatus != status {
			t.Fatalf("error carries status %d, want %d", e.HTTPStatus, status)
		}
	})
}
