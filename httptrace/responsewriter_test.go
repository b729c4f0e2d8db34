package httptrace

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// TestResponseRecorder checks, over loopback, what the ResponseHook learns,
// and that the recorder passes Flush and ReadFrom on.
func TestResponseRecorder(t *testing.T) {
	tp, _ := newRecorder(t)
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantSize   int64
		wantBody   string
	}{
		{
			name: "informational then final",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.WriteHeader(http.StatusAccepted)
				_, _ = io.WriteString(w, "ab")
			},
			wantStatus: 202, wantSize: 2, wantBody: "ab",
		},
		{
			name: "flush",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if err := http.NewResponseController(w).Flush(); err != nil {
					t.Errorf("flush: %v", err)
				}
				_, _ = io.WriteString(w, "late")
			},
			wantStatus: 200, wantSize: 4, wantBody: "late",
		},
		{
			name: "read from",
			handler: func(w http.ResponseWriter, r *http.Request) {
				rf, ok := w.(io.ReaderFrom)
				if !ok {
					t.Error("not an io.ReaderFrom")
					return
				}
				_, _ = rf.ReadFrom(strings.NewReader("hello"))
			},
			wantStatus: 200, wantSize: 5, wantBody: "hello",
		},
		{
			name:       "nothing written",
			handler:    func(w http.ResponseWriter, r *http.Request) {},
			wantStatus: 200, wantSize: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hooks hookSpans
			srv := httptest.NewServer(mustMiddleware(t, tt.handler, WithTracerProvider(tp), WithResponseHook(hooks.responseHook)))
			defer srv.Close()
			res, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			srv.Close()
			if res.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("response %d %q, want %d %q", res.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if len(hooks.infos) != 1 {
				t.Fatalf("%d ResponseHook calls", len(hooks.infos))
			}
			if info := hooks.infos[0]; info.Status != tt.wantStatus || info.Size != tt.wantSize {
				t.Errorf("ResponseInfo status %d size %d, want %d %d", info.Status, info.Size, tt.wantStatus, tt.wantSize)
			}
		})
	}
}

func TestResponseRecorderHijackNotSupported(t *testing.T) {
	tp, _ := newRecorder(t)
	var hooks hookSpans
	h := mustMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := http.NewResponseController(w).Hijack(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("hijack error %v, want http.ErrNotSupported", err)
		}
		w.WriteHeader(http.StatusNoContent)
	}), WithTracerProvider(tp), WithResponseHook(hooks.responseHook))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if len(hooks.infos) != 1 || hooks.infos[0].Status != 204 {
		t.Errorf("ResponseInfo %+v", hooks.infos)
	}
}

// TestResponseRecorderHijack hijacks a real connection through the
// recorder.
func TestResponseRecorderHijack(t *testing.T) {
	tp, exp := newRecorder(t)
	h := mustMiddleware(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
		_ = buf.Flush()
	}), WithTracerProvider(tp), WithResponseHook(func(trace.Span, ResponseInfo) {}))
	// The client can read the body before the handler returns and the
	// span ends; served is closed after both.
	served := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(served)
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	<-served
	srv.Close()
	if string(body) != "hi" {
		t.Errorf("body %q", body)
	}
	if n := len(exp.GetSpans()); n != 1 {
		t.Errorf("%d spans", n)
	}
}
