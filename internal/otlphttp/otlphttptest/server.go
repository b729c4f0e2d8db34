// Package otlphttptest is an OTLP/HTTP endpoint for tests of senders and
// exporters: it records every request (decompressed) and answers with a
// function the test gives.
package otlphttptest

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is one request as the server saw it.
type Request struct {
	Method string
	Header http.Header
	Body   []byte // decompressed
}

// Responder answers request n (1-based).
type Responder func(n int, w http.ResponseWriter, r *http.Request)

// Server is an OTLP/HTTP endpoint on loopback that records requests and
// answers each with its Responder (200 and no body when nil).
type Server struct {
	*httptest.Server
	respond Responder

	mu       sync.Mutex
	requests []Request
}

// NewServer starts a server, closed when the test ends.
func NewServer(t testing.TB, respond Responder) *Server {
	t.Helper()
	s := &Server{respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Header: r.Header.Clone(), Body: b})
	n := len(s.requests)
	s.mu.Unlock()
	if s.respond != nil {
		s.respond(n, w, r)
	}
}

// Received returns the requests so far.
func (s *Server) Received() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reply answers every request with status and a JSON body.
func Reply(status int, body string) Responder {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}
