package device_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"

	"github.com/sightline-dev/sightline/device"
)

type motor struct{}

func (motor) Name() string       { return "motor1" }
func (motor) DeviceType() string { return "TestMotor" }

// counter counts started and ended spans, to show none is left open.
type counter struct{ started, ended atomic.Int64 }

func (c *counter) OnStart(context.Context, sdktrace.ReadWriteSpan) { c.started.Add(1) }
func (c *counter) OnEnd(sdktrace.ReadOnlySpan)                     { c.ended.Add(1) }
func (c *counter) Shutdown(context.Context) error                  { return nil }
func (c *counter) ForceFlush(context.Context) error                { return nil }

func tracing(t *testing.T) (trace.Tracer, *tracetest.InMemoryExporter, *counter) {
	exp := tracetest.NewInMemoryExporter()
	cnt := &counter{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSpanProcessor(cnt))
	t.Cleanup(func() {
		if s, e := cnt.started.Load(), cnt.ended.Load(); s != e {
			t.Errorf("%d spans started, %d ended", s, e)
		}
		_ = tp.Shutdown(context.Background())
	})
	return tp.Tracer("test"), exp, cnt
}

func attrsOf(s tracetest.SpanStub) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range s.Attributes {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func moveOpts(tr trace.Tracer) []device.StatusOption {
	return []device.StatusOption{device.WithType(device.TypeMoveStatus), device.WithDevice(motor{}), device.WithTarget(5.0),
		device.WithStartPos(1.0), device.WithUnit("mm"), device.WithSettleTime(100 * time.Millisecond),
		device.WithTimeout(10 * time.Second), device.WithTracer(tr)}
}

func TestStatusSuccessSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp, _ := tracing(t)
		ctx, parent := tr.Start(context.Background(), "set")
		s := device.NewStatus(ctx, moveOpts(tr)...)
		var called atomic.Int32
		s.AddCallback(func(*device.Status) { called.Add(1) })
		go func() {
			time.Sleep(2 * time.Second) // the move
			s.SetFinishPos(5.0)
			s.Finish(nil)
		}()
		if err := s.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		parent.End()
		// Callbacks run in the completing goroutine after Done is closed:
		// wait for it to finish them.
		synctest.Wait()
		if !s.Success() || called.Load() != 1 {
			t.Errorf("success %v, callbacks %d", s.Success(), called.Load())
		}
		s.AddCallback(func(*device.Status) { called.Add(1) }) // after done: at once
		if called.Load() != 2 {
			t.Error("callback added after completion was not called at once")
		}
		spans := exp.GetSpans()
		var st, wait tracetest.SpanStub
		for _, sp := range spans {
			switch sp.Name {
			case "MoveStatus motor1":
				st = sp
			case "wait MoveStatus motor1":
				wait = sp
			}
		}
		if st.Parent.SpanID() != parent.SpanContext().SpanID() || wait.Parent.SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("status and wait spans must be children of the creating context")
		}
		if d := st.EndTime.Sub(st.StartTime); d != 2*time.Second+100*time.Millisecond {
			t.Errorf("status span lasted %v, want the move plus the settle time", d)
		}
		a := attrsOf(st)
		for k, want := range map[string]attribute.Value{
			"status_type": attribute.StringValue("MoveStatus"), "device_name": attribute.StringValue("motor1"),
			"device_type": attribute.StringValue("TestMotor"), "target": attribute.Float64Value(5),
			"start_pos": attribute.Float64Value(1), "finish_pos": attribute.Float64Value(5), "unit": attribute.StringValue("mm"),
			"settle_time": attribute.Float64Value(0.1), "timeout": attribute.Float64Value(10), "success": attribute.BoolValue(true),
		} {
			if a[k] != want {
				t.Errorf("%s = %v, want %v", k, a[k].String(), want.String())
			}
		}
		if a["finish_time"].AsFloat64()-a["start_time"].AsFloat64() < 2 {
			t.Errorf("start_time %v finish_time %v", a["start_time"].String(), a["finish_time"].String())
		}
		if st.Status.Code == codes.Error {
			t.Error("successful status span has error status")
		}
	})
}

// TestStatusEndsWithError: timeout, failure, cancellation through the
// context and Cancel all end the span with an error and the reason.
func TestStatusEndsWithError(t *testing.T) {
	tests := []struct {
		name    string
		run     func(ctx context.Context, cancel context.CancelFunc, s *device.Status)
		wantErr error
		reason  string
	}{
		{"timeout", func(context.Context, context.CancelFunc, *device.Status) { time.Sleep(11 * time.Second) },
			device.ErrTimeout, "did not finish within 10s"},
		{"device error", func(_ context.Context, _ context.CancelFunc, s *device.Status) { s.Finish(errors.New("limit switch")) },
			nil, "limit switch"},
		{"context cancelled", func(_ context.Context, cancel context.CancelFunc, _ *device.Status) { cancel() },
			device.ErrCancelled, "context canceled"},
		{"cancel", func(_ context.Context, _ context.CancelFunc, s *device.Status) { s.Cancel("operator stop") },
			device.ErrCancelled, "operator stop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tr, exp, _ := tracing(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				s := device.NewStatus(ctx, moveOpts(tr)...)
				tt.run(ctx, cancel, s)
				synctest.Wait()
				if !s.IsDone() || s.Success() {
					t.Fatalf("status done %v success %v", s.IsDone(), s.Success())
				}
				if tt.wantErr != nil && !errors.Is(s.Err(), tt.wantErr) {
					t.Errorf("Err() = %v, want %v", s.Err(), tt.wantErr)
				}
				if s.Finish(nil) {
					t.Error("Finish after completion counted")
				}
				spans := exp.GetSpans()
				if len(spans) != 1 || spans[0].Status.Code != codes.Error || !strings.Contains(spans[0].Status.Description, tt.reason) {
					t.Fatalf("spans %+v, want one error span with reason %q", spans, tt.reason)
				}
				if attrsOf(spans[0])["success"] != attribute.BoolValue(false) || len(spans[0].Events) == 0 {
					t.Error("failed status span lacks success=false or the error event")
				}
			})
		})
	}
}

func TestNoTimeoutAndFinished(t *testing.T) {
	tr, exp, _ := tracing(t)
	s := device.Finished(context.Background(), nil, device.WithDevice(motor{}), device.WithTracer(tr))
	if !s.Success() || s.Type() != device.TypeStatus {
		t.Fatalf("Finished: success %v type %s", s.Success(), s.Type())
	}
	a := attrsOf(exp.GetSpans()[0])
	if a["no_timeout_given"] != attribute.BoolValue(true) {
		t.Error("no_timeout_given not set")
	}
	if _, ok := a["timeout"]; ok {
		t.Error("timeout set without a timeout")
	}
}

func TestWaitAbandoned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, exp, _ := tracing(t)
		s := device.NewStatus(context.Background(), device.WithDevice(motor{}), device.WithTracer(tr))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := s.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v", err)
		}
		s.Finish(nil)
		var wait tracetest.SpanStub
		for _, sp := range exp.GetSpans() {
			if sp.Name == "wait Status motor1" {
				wait = sp
			}
		}
		if wait.Status.Code != codes.Error {
			t.Errorf("abandoned wait span status %v", wait.Status)
		}
	})
}

// TestFinishedUnderCancelledContext: a Status finished at creation is a
// success even when its context is already cancelled (nothing races it).
func TestFinishedUnderCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 200 {
		if s := device.Finished(ctx, nil, device.WithDevice(motor{})); !s.Success() {
			t.Fatalf("Finished under a cancelled context ended with %v", s.Err())
		}
	}
}

// handedTracer makes spans that do not record (as a sampled-out or
// disabled tracer does) and counts the attributes it is handed, at Start
// and through SetAttributes.
type handedTracer struct {
	embedded.Tracer
	handed atomic.Int64
}

func (h *handedTracer) Start(ctx context.Context, _ string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	cfg := trace.NewSpanStartConfig(opts...)
	h.handed.Add(int64(len(cfg.Attributes())))
	s := &handedSpan{Span: trace.SpanFromContext(context.Background()), h: h}
	return trace.ContextWithSpan(ctx, s), s
}

type handedSpan struct {
	trace.Span // not recording
	h          *handedTracer
}

func (s *handedSpan) SetAttributes(kv ...attribute.KeyValue) { s.h.handed.Add(int64(len(kv))) }

// TestNotRecordingStatusBuildsNoAttributes: a Status whose span does not
// record computes none of its attributes (they would be thrown away), at
// its start or its end, under both namings.
func TestNotRecordingStatusBuildsNoAttributes(t *testing.T) {
	for _, n := range []device.Naming{device.NamingSightline, device.NamingBluesky} {
		tr := &handedTracer{}
		ctx := device.ContextWithNaming(context.Background(), n)
		s := device.NewStatus(ctx, moveOpts(tr)...)
		s.SetFinishPos(5.0)
		s.Cancel("test")
		device.Finished(ctx, nil, device.WithDevice(motor{}), device.WithTracer(tr))
		if got := tr.handed.Load(); got != 0 {
			t.Errorf("%s: %d attributes handed to spans that do not record, want 0", n, got)
		}
	}
}
