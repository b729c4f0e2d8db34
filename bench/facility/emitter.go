package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/httptrace"
	"github.com/sightline-dev/sightline/plan"
	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry"
)

// The parent starts each emitter as itself with these variables set; the
// telemetry endpoint comes in SIGHTLINE_TELEMETRY_* as for any program.
const (
	envEmitter    = "SIGHTLINE_BENCH_FACILITY_EMITTER"    // the emitter's name, h<host>e<index>
	envRate       = "SIGHTLINE_BENCH_FACILITY_RATE"       // target spans/s of the whole emitter
	envComponents = "SIGHTLINE_BENCH_FACILITY_COMPONENTS" // comma list: plan, http, device
	envStart      = "SIGHTLINE_BENCH_FACILITY_START"      // unix ns when the load starts
	envEnd        = "SIGHTLINE_BENCH_FACILITY_END"        // unix ns when it stops
)

// allComponents are the kinds of component an emitter can run.
var allComponents = []string{"plan", "http", "device"}

// loop is one component's unit of work; it returns how many spans it made
// besides those counted by the wrapped providers.
type loop func(ctx context.Context) (extra int64, err error)

// emitter runs in the child process: it sets its components up, runs each
// paced loop from start to end, shuts down (flushing telemetry) and prints
// "spans N errors M" on stdout.
func emitter(name string) error {
	rate, err1 := strconv.ParseFloat(os.Getenv(envRate), 64)
	startNS, err2 := strconv.ParseInt(os.Getenv(envStart), 10, 64)
	endNS, err3 := strconv.ParseInt(os.Getenv(envEnd), 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return fmt.Errorf("emitter %s: %w", name, err)
	}
	kinds := strings.Split(os.Getenv(envComponents), ",")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	var shutdown []func(context.Context) error
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for i := len(shutdown) - 1; i >= 0; i-- {
			_ = shutdown[i](sctx)
		}
	}()
	var loops []loop
	for _, k := range kinds {
		var l loop
		var stops []func(context.Context) error
		var err error
		switch k {
		case "plan":
			l, stops, err = planComponent(ctx, name)
		case "http":
			l, stops, err = httpComponent(ctx, name)
		case "device":
			l, stops, err = deviceComponent(ctx, name)
		default:
			err = fmt.Errorf("unknown component %q", k)
		}
		shutdown = append(shutdown, stops...)
		if err != nil {
			return fmt.Errorf("emitter %s: %s: %w", name, k, err)
		}
		loops = append(loops, l)
	}

	start, end := time.Unix(0, startNS), time.Unix(0, endNS)
	select {
	case <-time.After(time.Until(start)):
	case <-ctx.Done():
		return nil
	}
	rctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	share := rate / float64(len(loops))
	var errs atomic.Int64
	var spans atomic.Int64
	var wg sync.WaitGroup
	for _, l := range loops {
		wg.Go(func() {
			n, e := pace(rctx, share, l)
			spans.Add(n)
			errs.Add(e)
		})
	}
	wg.Wait()
	fmt.Printf("spans %d errors %d\n", spans.Load(), errs.Load())
	return nil
}

// pace runs l until ctx ends, sleeping so that its spans come at rate per
// second; it returns the spans made and the failed iterations.
func pace(ctx context.Context, rate float64, l loop) (spans, errs int64) {
	t0 := time.Now()
	for ctx.Err() == nil {
		n, err := l(ctx)
		if err != nil && ctx.Err() == nil {
			errs++
		}
		spans += n
		due := t0.Add(time.Duration(float64(spans) / rate * float64(time.Second)))
		select {
		case <-time.After(time.Until(due)):
		case <-ctx.Done():
		}
	}
	return spans, errs
}

// counter counts the spans started through a provider between calls.
type counter struct {
	n    atomic.Int64
	last int64
}

func (c *counter) delta() int64 {
	v := c.n.Load()
	d := v - c.last
	c.last = v
	return d
}

// setup starts a telemetry component from the environment and returns a
// counting provider for it.
func setup(ctx context.Context, service string, c *counter) (*telemetry.Component, countingProvider, error) {
	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName(service))
	if err != nil {
		return nil, countingProvider{}, err
	}
	return comp, countingProvider{TracerProvider: comp.TracerProvider(), n: &c.n}, nil
}

// planComponent is a plan engine alternating a count and a scan of a
// simulated detector against a simulated motor (1000 times real time).
func planComponent(ctx context.Context, name string) (loop, []func(context.Context) error, error) {
	c := &counter{}
	comp, tp, err := setup(ctx, "facility-plan-"+name, c)
	if err != nil {
		return nil, nil, err
	}
	tracer := tp.Tracer("github.com/sightline-dev/sightline/bench/facility")
	motor := sim.NewMotor("motor1", sim.WithVelocity(2), sim.WithAcceleration(10), sim.WithLimits(-10, 10),
		sim.WithSpeedup(1000), sim.WithTracer(tracer))
	det := sim.NewDetector("det1", motor, sim.WithSigma(1), sim.WithExposure(10*time.Millisecond),
		sim.WithSpeedup(1000), sim.WithTracer(tracer))
	stops := []func(context.Context) error{comp.Shutdown, motor.Shutdown, det.Shutdown}
	re := plan.NewRunEngine(plan.WithTracerProvider(tp))
	dets := []device.Readable{det}
	i := 0
	return func(ctx context.Context) (int64, error) {
		i++
		p := plan.Trace(tracer, "count det1", plan.Count(dets, 3, 0))
		if i%2 == 0 {
			p = plan.Trace(tracer, "scan motor1", plan.Scan(dets, motor, -1, 1, 3))
		}
		_, err := re.Run(ctx, p)
		n := c.delta()
		return n, err
	}, stops, nil
}

// httpComponent is an HTTP service behind httptrace's middleware, with a
// span of its own per request, called by a traced client.
func httpComponent(ctx context.Context, name string) (loop, []func(context.Context) error, error) {
	c := &counter{}
	srvComp, srvTP, err := setup(ctx, "facility-web-"+name, c)
	if err != nil {
		return nil, nil, err
	}
	stops := []func(context.Context) error{srvComp.Shutdown}
	cliComp, cliTP, err := setup(ctx, "facility-webclient-"+name, c)
	if err != nil {
		return nil, stops, err
	}
	stops = append(stops, cliComp.Shutdown)
	tracer := srvTP.Tracer("github.com/sightline-dev/sightline/bench/facility")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /scans/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, span := tracer.Start(r.Context(), "lookup scan")
		span.End()
		fmt.Fprintf(w, "scan %s", r.PathValue("id"))
	})
	h, err := httptrace.Middleware(mux, httptrace.WithTracerProvider(srvTP))
	if err != nil {
		return nil, stops, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, stops, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	stops = append(stops, hs.Shutdown)
	base := http.DefaultTransport.(*http.Transport).Clone()
	tr, err := httptrace.Transport(base, httptrace.WithTracerProvider(cliTP))
	if err != nil {
		return nil, stops, err
	}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/scans/"
	i := 0
	return func(ctx context.Context) (int64, error) {
		i++
		err := get(ctx, client, url+strconv.Itoa(i))
		n := c.delta()
		return n, err
	}, stops, nil
}

func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// deviceComponent is a device server (its own telemetry components, from
// the environment) with a calculator device, called through a proxy. Each
// call is a CLIENT span counted here and a SERVER span the device's
// component makes, counted as one more.
func deviceComponent(ctx context.Context, name string) (loop, []func(context.Context) error, error) {
	c := &counter{}
	cliComp, cliTP, err := setup(ctx, "facility-client-"+name, c)
	if err != nil {
		return nil, nil, err
	}
	stops := []func(context.Context) error{cliComp.Shutdown}
	srv, err := server.New(ctx, "FacilityServer/"+name)
	if err != nil {
		return nil, stops, err
	}
	stops = append(stops, srv.Shutdown)
	calc := server.NewDevice("lab/calc/"+name, "Calc")
	server.Command(calc, "Add", func(_ context.Context, s struct{ A, B float64 }) (float64, error) { return s.A + s.B, nil })
	if err := srv.Add(ctx, calc); err != nil {
		return nil, stops, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, stops, err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	// Stop serving before the server's Shutdown (stops run in reverse).
	stops = append(stops, func(context.Context) error { cancel(); return <-served })
	p, err := remote.Dial(ln.Addr().String(), remote.WithTracerProvider(cliTP))
	if err != nil {
		return nil, stops, err
	}
	stops = append(stops, p.Shutdown)
	dev := p.Device("lab/calc/" + name)
	return func(ctx context.Context) (int64, error) {
		var sum float64
		err := dev.Command(ctx, "Add", map[string]float64{"A": 2, "B": 3}, &sum)
		n := c.delta() + 1
		return n, err
	}, stops, nil
}
