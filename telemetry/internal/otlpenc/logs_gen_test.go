package otlpenc_test

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// logContext returns a context carrying a span context for the record:
// none, a full one with random trace flags, or one with only a trace id or
// only a span id (the SDK sends each id only when it is valid).
func (g gen) logContext() context.Context {
	ctx := context.Background()
	tid := trace.TraceID{byte(g.c.intn(256)), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sid := trace.SpanID{byte(g.c.intn(256)), 2, 3, 4, 5, 6, 7, 8}
	flags := trace.TraceFlags([]int{0, 1, 2, 0xff}[g.c.intn(4)])
	var cfg trace.SpanContextConfig
	switch g.c.intn(4) {
	case 0:
		return ctx
	case 1:
		cfg = trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: flags, TraceState: g.traceState()}
	case 2:
		cfg = trace.SpanContextConfig{TraceID: tid, TraceFlags: flags}
	default:
		cfg = trace.SpanContextConfig{SpanID: sid}
	}
	return trace.ContextWithSpanContext(ctx, trace.NewSpanContext(cfg))
}

// logTime returns the zero time (the SDK sends 0; for an observed
// timestamp it sets the time of emission), a time before 1970 (sent as 0)
// or a time near t0.
func (g gen) logTime() time.Time {
	switch g.c.intn(6) {
	case 0:
		return time.Time{}
	case 1:
		return time.Date(1960, 1, 1, 0, 0, 0, 5, time.UTC)
	default:
		return t0.Add(time.Duration(g.c.intn(1<<8)) * time.Microsecond * 997)
	}
}

// logs emits between 1 and 24 records through 1 to 3 LoggerProviders (each
// with its resource, attribute limits and key-deduplication setting) and
// up to 3 loggers each, and returns them in emission order, as an
// exporting processor gets them. Records carry every severity (and some
// outside the API's range), severity texts, bodies and attributes of every
// value kind, event names, errors (which the SDK turns into exception
// attributes) and trace contexts.
func (g gen) logs() []sdklog.Record {
	capture := new(otlpenctest.Keep)
	var loggers []log.Logger
	var providers []*sdklog.LoggerProvider
	for range 1 + g.c.intn(3) {
		opts := []sdklog.LoggerProviderOption{
			sdklog.WithProcessor(capture),
			sdklog.WithAttributeCountLimit(g.limit()),
			sdklog.WithAttributeValueLengthLimit([]int{-1, 4}[g.c.intn(2)]),
		}
		switch g.c.intn(4) {
		case 0: // the SDK's default resource
		case 1:
			opts = append(opts, sdklog.WithResource(resource.Empty()))
		default:
			opts = append(opts, sdklog.WithResource(
				resource.NewWithAttributes([]string{"", "https://a/1", "https://a/2"}[g.c.intn(3)], g.attrs(0, 6)...)))
		}
		if g.c.intn(4) == 0 {
			opts = append(opts, sdklog.WithAllowKeyDuplication())
		}
		lp := sdklog.NewLoggerProvider(opts...)
		providers = append(providers, lp)
		for range 1 + g.c.intn(3) {
			loggers = append(loggers, lp.Logger(g.word()+"l", log.WithInstrumentationVersion(g.word()),
				log.WithSchemaURL([]string{"", "https://s/1"}[g.c.intn(2)]),
				log.WithInstrumentationAttributes(g.attrs(0, 3)...)))
		}
	}
	for range 1 + g.c.intn(24) {
		var r log.Record
		r.SetTimestamp(g.logTime())
		r.SetObservedTimestamp(g.logTime())
		r.SetSeverity(log.Severity(g.c.intn(27) - 1))
		r.SetSeverityText(g.word())
		if g.bool() {
			r.SetBody(g.value(0))
		}
		r.AddAttributes(g.attrs(0, 9)...)
		if g.c.intn(4) == 0 {
			r.SetEventName(g.word())
		}
		if g.c.intn(6) == 0 {
			r.SetErr(errors.New(g.word()))
		}
		loggers[g.c.intn(len(loggers))].Emit(g.logContext(), r)
	}
	for _, lp := range providers {
		_ = lp.Shutdown(context.Background())
	}
	return capture.Records()
}
