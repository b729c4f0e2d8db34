package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/httpjson"
	"github.com/sightline-dev/sightline/plan"
)

// experiment is one of the scans the API runs.
type experiment struct {
	name   string
	plan   func(b *beamline) plan.Plan
	fit    bool // fit a peak of det1 along motor1 afterwards
	failed bool // meant to fail
	spans  int  // spans its trace holds at least
}

// Scan is a scan the API ran or runs: GET /scans/{id}.
type Scan struct {
	ID         string `json:"id"`
	Experiment string `json:"experiment"`
	TraceID    string `json:"trace_id"`
	// State is running, done or failed.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
	// Points is the number of events the scan recorded.
	Points int `json:"points"`
	// Peak is the peak fit (a task on a worker), for 1-D scans along motor1.
	Peak *Peak `json:"peak,omitempty"`
}

// scanAPI is the demo's HTTP API: POST /scans starts a scan, GET
// /scans/{id} returns it (?wait=30s waits for its end). One scan runs at a
// time, as one RunEngine runs one plan; the scans run on goroutines the API
// owns and waits for on close.
type scanAPI struct {
	ctx  context.Context // ends when the API closes
	b    *beamline
	re   *plan.RunEngine
	fit  func(ctx context.Context, p Points) (Peak, error)
	exps []experiment
	log  *slog.Logger

	mu      sync.Mutex
	scans   map[string]*Scan
	done    map[string]chan struct{}
	running string
	wg      sync.WaitGroup
}

func (a *scanAPI) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /scans", a.start)
	mux.HandleFunc("GET /scans/{id}", a.get)
	return mux
}

type startRequest struct {
	Experiment string `json:"experiment"`
}

func (a *scanAPI) start(w http.ResponseWriter, r *http.Request) {
	var req startRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, fmt.Sprintf(`body: want {"experiment": NAME}: %v`, err))
		return
	}
	i := slices.IndexFunc(a.exps, func(e experiment) bool { return e.name == req.Experiment })
	if i < 0 {
		names := make([]string, len(a.exps))
		for j, e := range a.exps {
			names[j] = strconv.Quote(e.name)
		}
		apiError(w, http.StatusBadRequest, fmt.Sprintf("experiment %q: want one of %v", req.Experiment, names))
		return
	}
	exp := a.exps[i]
	a.mu.Lock()
	if a.running != "" {
		a.mu.Unlock()
		apiError(w, http.StatusConflict, fmt.Sprintf("scan %s is running; one scan at a time", a.running))
		return
	}
	if a.ctx.Err() != nil {
		a.mu.Unlock()
		apiError(w, http.StatusServiceUnavailable, "the API is shutting down")
		return
	}
	span := trace.SpanFromContext(r.Context())
	s := &Scan{ID: strconv.Itoa(len(a.scans) + 1), Experiment: exp.name, State: "running",
		TraceID: span.SpanContext().TraceID().String()}
	a.scans[s.ID], a.done[s.ID], a.running = s, make(chan struct{}), s.ID
	a.wg.Add(1)
	a.mu.Unlock()
	// The scan outlives the request: its spans stay children of the
	// request's span, its cancellation is the API's.
	go a.run(trace.ContextWithSpan(a.ctx, span), s, exp)
	w.Header().Set("Location", "/scans/"+s.ID)
	writeJSON(w, http.StatusAccepted, a.snapshot(s.ID))
}

func (a *scanAPI) run(ctx context.Context, s *Scan, exp experiment) {
	defer a.wg.Done()
	var pts Points
	unsub := a.re.Subscribe(func(name string, doc plan.Document) {
		if name != "event" {
			return
		}
		data, _ := doc["data"].(map[string]any)
		x, okx := data["motor1"].(float64)
		y, oky := data["det1"].(float64)
		a.mu.Lock()
		s.Points++
		a.mu.Unlock()
		if okx && oky {
			pts.X, pts.Y = append(pts.X, x), append(pts.Y, y)
		}
	})
	_, err := a.re.Run(ctx, plan.Trace(a.b.tracer, exp.name, exp.plan(a.b)))
	unsub()
	var peak *Peak
	if err == nil && exp.fit {
		p, ferr := a.fit(ctx, pts)
		if ferr != nil {
			err = fmt.Errorf("peak fit: %w", ferr)
		} else {
			peak = &p
		}
	}
	if err != nil {
		a.log.ErrorContext(ctx, "scan failed", "scan", s.ID, "experiment", exp.name, "error", err)
	} else {
		a.log.InfoContext(ctx, "scan done", "scan", s.ID, "experiment", exp.name, "points", len(pts.X))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s.State, s.Peak = "done", peak
	if err != nil {
		s.State, s.Error = "failed", err.Error()
	}
	a.running = ""
	close(a.done[s.ID])
}

func (a *scanAPI) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a.mu.Lock()
	done, ok := a.done[id]
	a.mu.Unlock()
	if !ok {
		apiError(w, http.StatusNotFound, fmt.Sprintf("no scan %q", id))
		return
	}
	if v := r.URL.Query().Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > time.Minute {
			apiError(w, http.StatusBadRequest, fmt.Sprintf("wait %q: want a duration from 0 to 1m, such as 30s", v))
			return
		}
		t := time.NewTimer(d)
		select {
		case <-done:
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
	}
	writeJSON(w, http.StatusOK, a.snapshot(id))
}

func (a *scanAPI) snapshot(id string) Scan {
	a.mu.Lock()
	defer a.mu.Unlock()
	return *a.scans[id]
}

// wait waits for the scans the API started.
func (a *scanAPI) wait() { a.wg.Wait() }

func apiError(w http.ResponseWriter, status int, msg string) {
	httpjson.Write(w, status, httpjson.Error{Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }
