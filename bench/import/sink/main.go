// Command sink is an OTLP/HTTP receiver for the import benchmark: it
// accepts export requests on /v1/traces and /v1/logs (protobuf or JSON,
// gzip or not), counts the spans and log records and discards them. It
// prints the totals when it is stopped (SIGINT or SIGTERM) and serves them
// on /stats.
package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

var spans, logs, requests, bytesIn atomic.Int64

func main() {
	addr := flag.String("addr", "127.0.0.1:4319", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/traces", handle(func(b []byte, json bool) ([]byte, error) {
		req := ptraceotlp.NewExportRequest()
		if err := unmarshal(req, b, json); err != nil {
			return nil, err
		}
		spans.Add(int64(req.Traces().SpanCount()))
		return marshal(ptraceotlp.NewExportResponse(), json)
	}))
	mux.HandleFunc("/v1/logs", handle(func(b []byte, json bool) ([]byte, error) {
		req := plogotlp.NewExportRequest()
		if err := unmarshal(req, b, json); err != nil {
			return nil, err
		}
		logs.Add(int64(req.Logs().LogRecordCount()))
		return marshal(plogotlp.NewExportResponse(), json)
	}))
	mux.HandleFunc("/stats", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, stats()) })

	srv := &http.Server{Addr: *addr, Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	log.Printf("sink: listening on http://%s", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("sink: %v", err)
	}
	log.Printf("sink: %s", stats())
}

func stats() string {
	return fmt.Sprintf("%d requests, %d bytes, %d spans, %d log records", requests.Load(), bytesIn.Load(), spans.Load(), logs.Load())
}

type codec interface {
	UnmarshalProto([]byte) error
	UnmarshalJSON([]byte) error
	MarshalProto() ([]byte, error)
	MarshalJSON() ([]byte, error)
}

func unmarshal(c codec, b []byte, json bool) error {
	if json {
		return c.UnmarshalJSON(b)
	}
	return c.UnmarshalProto(b)
}

func marshal(c codec, json bool) ([]byte, error) {
	if json {
		return c.MarshalJSON()
	}
	return c.MarshalProto()
}

func handle(ingest func(body []byte, json bool) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		json := mt == "application/json"
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = zr
		}
		b, err := io.ReadAll(io.LimitReader(body, 64<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		requests.Add(1)
		bytesIn.Add(int64(len(b)))
		resp, err := ingest(b, json)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if json {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "application/x-protobuf")
		}
		_, _ = w.Write(resp)
	}
}
