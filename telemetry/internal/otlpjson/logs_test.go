package otlpjson_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// captureExporter keeps clones of every exported record.
type captureExporter struct {
	mu      sync.Mutex
	records []sdklog.Record
}

func (e *captureExporter) Export(_ context.Context, records []sdklog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range records {
		e.records = append(e.records, r.Clone())
	}
	return nil
}

func (e *captureExporter) ForceFlush(context.Context) error { return nil }
func (e *captureExporter) Shutdown(context.Context) error   { return nil }

func (e *captureExporter) take() []sdklog.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.records
	e.records = nil
	return r
}

// newLoggerProvider returns a provider exporting synchronously to exp.
func newLoggerProvider(t *testing.T, exp sdklog.Exporter, service string, opts ...sdklog.LoggerProviderOption) *sdklog.LoggerProvider {
	t.Helper()
	opts = append([]sdklog.LoggerProviderOption{
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)),
		sdklog.WithResource(testResource(t, service)),
	}, opts...)
	lp := sdklog.NewLoggerProvider(opts...)
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp
}

// testRecords emits n simple records through a real provider.
func testRecords(t *testing.T, n int) []sdklog.Record {
	t.Helper()
	exp := &captureExporter{}
	logger := newLoggerProvider(t, exp, "svc").Logger("test")
	for i := range n {
		var r log.Record
		r.SetTimestamp(testStart.Add(time.Duration(i) * time.Millisecond))
		r.SetSeverity(log.SeverityInfo)
		r.SetBody(attribute.StringValue("record " + string(rune('a'+i%26))))
		logger.Emit(context.Background(), r)
	}
	return exp.take()
}

func TestLogsFullRecord(t *testing.T) {
	exp := &captureExporter{}
	logger := newLoggerProvider(t, exp, "svc").Logger("sightline/logs",
		log.WithInstrumentationVersion("9.9"),
		log.WithSchemaURL("https://example.com/scope"),
		log.WithInstrumentationAttributes(attribute.String("scope.attr", "s")),
	)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID, TraceFlags: trace.FlagsSampled})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)

	var r log.Record
	r.SetTimestamp(testStart)
	r.SetObservedTimestamp(testStart.Add(time.Second))
	r.SetSeverity(log.SeverityWarn2)
	r.SetSeverityText("WARN2")
	r.SetEventName("user.login")
	r.SetBody(attribute.StringValue("hello"))
	r.AddAttributes(allAttrs()...)
	logger.Emit(ctx, r)

	ld := otlpjson.Logs(exp.take())
	if ld.LogRecordCount() != 1 {
		t.Fatalf("%d records, want 1", ld.LogRecordCount())
	}
	rl := ld.ResourceLogs().At(0)
	sl := rl.ScopeLogs().At(0)
	lr := sl.LogRecords().At(0)
	tests := []struct {
		field     string
		got, want any
	}{
		{"resource schema URL", rl.SchemaUrl(), "https://opentelemetry.io/schemas/1.26.0"},
		{"scope name", sl.Scope().Name(), "sightline/logs"},
		{"scope version", sl.Scope().Version(), "9.9"},
		{"scope schema URL", sl.SchemaUrl(), "https://example.com/scope"},
		{"timestamp", lr.Timestamp(), pcommon.NewTimestampFromTime(testStart)},
		{"observed timestamp", lr.ObservedTimestamp(), pcommon.NewTimestampFromTime(testStart.Add(time.Second))},
		{"severity number", lr.SeverityNumber(), plog.SeverityNumberWarn2},
		{"severity text", lr.SeverityText(), "WARN2"},
		{"event name", lr.EventName(), "user.login"},
		{"body", lr.Body().Str(), "hello"},
		{"trace id", lr.TraceID(), pcommon.TraceID(testTraceID)},
		{"span id", lr.SpanID(), pcommon.SpanID(testSpanID)},
		{"flags", lr.Flags(), plog.DefaultLogRecordFlags.WithIsSampled(true)},
		{"dropped attributes", lr.DroppedAttributesCount(), uint32(0)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.field, tt.got, tt.want)
		}
	}
	checkAttrs(t, "resource", rl.Resource().Attributes(), map[string]any{"service.name": "svc"})
	checkAttrs(t, "scope", sl.Scope().Attributes(), map[string]any{"scope.attr": "s"})
	checkAllAttrs(t, "record", lr.Attributes())
}

func TestLogsBodies(t *testing.T) {
	tests := []struct {
		name     string
		body     attribute.Value
		wantType pcommon.ValueType
		wantRaw  any
	}{
		{"string", attribute.StringValue("text"), pcommon.ValueTypeStr, "text"},
		{"int64", attribute.Int64Value(-3), pcommon.ValueTypeInt, int64(-3)},
		{"float64", attribute.Float64Value(0.25), pcommon.ValueTypeDouble, 0.25},
		{"bool", attribute.BoolValue(true), pcommon.ValueTypeBool, true},
		{"bytes", attribute.ByteSliceValue([]byte("\x00raw")), pcommon.ValueTypeBytes, []byte("\x00raw")},
		{"slice", attribute.SliceValue(attribute.StringValue("a"), attribute.Int64Value(1), attribute.SliceValue()), pcommon.ValueTypeSlice, []any{"a", int64(1), []any{}}},
		{"map", attribute.MapValue(attribute.String("k", "v"), attribute.Bool("b", false), attribute.Slice("s", attribute.Float64Value(1))),
			pcommon.ValueTypeMap, map[string]any{"k": "v", "b": false, "s": []any{1.0}}},
		{"empty", attribute.Value{}, pcommon.ValueTypeEmpty, nil},
		{"string slice", attribute.StringSliceValue([]string{"x", "y"}), pcommon.ValueTypeSlice, []any{"x", "y"}},
	}
	exp := &captureExporter{}
	logger := newLoggerProvider(t, exp, "svc").Logger("bodies")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r log.Record
			r.SetBody(tt.body)
			logger.Emit(context.Background(), r)
			ld := otlpjson.Logs(exp.take())
			if ld.LogRecordCount() != 1 {
				t.Fatalf("%d records, want 1", ld.LogRecordCount())
			}
			lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			if lr.Body().Type() != tt.wantType {
				t.Errorf("body type = %v, want %v", lr.Body().Type(), tt.wantType)
			}
			if got := lr.Body().AsRaw(); !reflect.DeepEqual(got, tt.wantRaw) {
				t.Errorf("body = %#v, want %#v", got, tt.wantRaw)
			}
			// Unset fields stay unset.
			if lr.SeverityNumber() != plog.SeverityNumberUnspecified || !lr.TraceID().IsEmpty() || lr.Flags() != 0 {
				t.Errorf("unset fields set: severity %v, trace %v, flags %v", lr.SeverityNumber(), lr.TraceID(), lr.Flags())
			}
		})
	}
}

func TestLogsDroppedAttributes(t *testing.T) {
	exp := &captureExporter{}
	logger := newLoggerProvider(t, exp, "svc", sdklog.WithAttributeCountLimit(1)).Logger("limits")
	var r log.Record
	r.AddAttributes(attribute.Int("a", 1), attribute.Int("b", 2), attribute.Int("c", 3))
	logger.Emit(context.Background(), r)
	lr := otlpjson.Logs(exp.take()).ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if lr.Attributes().Len() != 1 || lr.DroppedAttributesCount() != 2 {
		t.Errorf("attributes %v, dropped %d; want 1 kept and 2 dropped", lr.Attributes().AsRaw(), lr.DroppedAttributesCount())
	}
}

func TestLogsGrouping(t *testing.T) {
	exp := &captureExporter{}
	lpA := newLoggerProvider(t, exp, "a")
	lpB := newLoggerProvider(t, exp, "b")
	emit := func(l log.Logger, body string) {
		var r log.Record
		r.SetBody(attribute.StringValue(body))
		l.Emit(context.Background(), r)
	}
	emit(lpA.Logger("one"), "0")
	emit(lpB.Logger("one"), "1")
	emit(lpA.Logger("two"), "2")
	emit(lpA.Logger("one"), "3")
	emit(lpB.Logger("one", log.WithInstrumentationVersion("v2")), "4")

	var rls []string
	for _, rl := range otlpjson.Logs(exp.take()).ResourceLogs().All() {
		name, _ := rl.Resource().Attributes().Get("service.name")
		var sls []string
		for _, sl := range rl.ScopeLogs().All() {
			var bodies []string
			for _, lr := range sl.LogRecords().All() {
				bodies = append(bodies, lr.Body().Str())
			}
			sls = append(sls, sl.Scope().Name()+sl.Scope().Version()+"["+strings.Join(bodies, " ")+"]")
		}
		rls = append(rls, name.Str()+":"+strings.Join(sls, ";"))
	}
	if got, want := strings.Join(rls, "|"), "a:one[0 3];two[2]|b:one[1];onev2[4]"; got != want {
		t.Errorf("grouping = %q, want %q", got, want)
	}
}

func TestLogsJSONRoundTrip(t *testing.T) {
	ld := otlpjson.Logs(testRecords(t, 3))
	var m plog.JSONMarshaler
	b, err := m.MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	var u plog.JSONUnmarshaler
	back, err := u.UnmarshalLogs(b)
	if err != nil {
		t.Fatal(err)
	}
	var pm plog.ProtoMarshaler
	want, _ := pm.MarshalLogs(ld)
	got, _ := pm.MarshalLogs(back)
	if !bytes.Equal(got, want) || back.LogRecordCount() != 3 {
		t.Errorf("logs changed in a JSON round trip (%d records)", back.LogRecordCount())
	}
}
