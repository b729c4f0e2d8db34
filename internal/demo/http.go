package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/sightline-dev/sightline/httptrace"
	"github.com/sightline-dev/sightline/telemetry"
)

// runningAPI is the scan API served on a loopback port.
type runningAPI struct {
	api    *scanAPI
	url    string
	cancel context.CancelFunc
	served chan error
	hs     *http.Server
}

// startAPI serves a on a free loopback port, traced by httptrace's
// middleware with comp.
func startAPI(ctx context.Context, comp *telemetry.Component, a *scanAPI) (*runningAPI, error) {
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.ctx = actx
	a.scans, a.done = map[string]*Scan{}, map[string]chan struct{}{}
	h, err := httptrace.Middleware(a.routes(), httptrace.WithKey("demo"),
		httptrace.WithTracerProvider(comp.TracerProvider()), httptrace.WithPropagator(comp.Propagator()))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("demo API: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, fmt.Errorf("demo API: %w", err)
	}
	r := &runningAPI{api: a, url: "http://" + ln.Addr().String(), cancel: cancel, served: make(chan error, 1),
		hs: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { r.served <- r.hs.Serve(ln) }()
	return r, nil
}

func (r *runningAPI) wait() { r.api.wait() }

// close stops new scans, cancels running ones, and shuts the server down.
func (r *runningAPI) close() {
	r.cancel()
	r.api.wait()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.hs.Shutdown(sctx)
	<-r.served
}

// operator is the demo's client of the scan API, with its own telemetry
// (service beamline-operator): each experiment's trace starts at its POST.
type operator struct {
	comp *telemetry.Component
	hc   *http.Client
	base string
}

// OperatorService is the service.name of the demo's API client.
const OperatorService = "beamline-operator"

func newOperator(ctx context.Context, env map[string]string, base string) (*operator, error) {
	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName(OperatorService),
		telemetry.WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }), telemetry.WithStrict())
	if err != nil {
		return nil, fmt.Errorf("demo operator telemetry: %w", err)
	}
	tr, err := httptrace.Transport(nil, httptrace.WithTracerProvider(comp.TracerProvider()), httptrace.WithPropagator(comp.Propagator()))
	if err != nil {
		_ = comp.Shutdown(ctx)
		return nil, fmt.Errorf("demo operator: %w", err)
	}
	return &operator{comp: comp, hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute}, base: base}, nil
}

func (o *operator) close() {
	o.hc.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = o.comp.Shutdown(ctx)
}

// runScan asks for a scan and waits for its end: POST /scans, then GET
// /scans/{id}?wait=30s until it is no longer running. started is called
// once the scan has started.
func (o *operator) runScan(ctx context.Context, name string, started func(Scan)) (Scan, error) {
	body, _ := json.Marshal(startRequest{Experiment: name})
	var s Scan
	if err := o.do(ctx, http.MethodPost, "/scans", body, http.StatusAccepted, &s); err != nil {
		return s, err
	}
	started(s)
	for s.State == "running" {
		if err := o.do(ctx, http.MethodGet, "/scans/"+s.ID+"?wait=30s", nil, http.StatusOK, &s); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (o *operator) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := o.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return errors.Join(fmt.Errorf("%s %s: decode the answer", method, path), err)
	}
	return nil
}
