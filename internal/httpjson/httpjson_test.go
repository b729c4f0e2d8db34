package httpjson

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		v           any
		preset      string
		wantStatus  int
		wantBody    string
		wantContent string
	}{
		{"value", 200, map[string]int{"n": 1}, "", 200, `{"n":1}` + "\n", "application/json"},
		{"error answer", 404, Error{Message: "no such trace"}, "", 404, `{"error":"no such trace"}` + "\n", "application/json"},
		{"cannot encode", 200, math.NaN(), "", 500,
			`{"error":"encode the answer: json: unsupported value: NaN"}` + "\n", "application/json"},
		{"content type kept", 201, []int{1}, "application/json; charset=utf-8", 201, "[1]\n", "application/json; charset=utf-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if tc.preset != "" {
				rec.Header().Set("Content-Type", tc.preset)
			}
			Write(rec, tc.status, tc.v)
			h := rec.Result().Header
			if rec.Code != tc.wantStatus || rec.Body.String() != tc.wantBody || h.Get("Content-Type") != tc.wantContent ||
				h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%d %q %v; want %d %q %s", rec.Code, rec.Body.String(), h, tc.wantStatus, tc.wantBody, tc.wantContent)
			}
		})
	}
}

func TestWriteBody(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteBody(rec, http.StatusOK, "application/protobuf", []byte{1, 2})
	if rec.Header().Get("Content-Type") != "application/protobuf" || rec.Body.Len() != 2 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%v %v", rec.Header(), rec.Body.Bytes())
	}
}
