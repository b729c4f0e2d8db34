package serve_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// grafanaData is what TestGrafanaTempoDataSource sends, as the SDK ended it.
type grafanaData struct {
	base       time.Time // the first trace's start
	scan       tracetest.SpanStubs
	acquire    tracetest.SpanStubs
	shortScan  tracetest.SpanStubs
	start, end string // the dashboard's range in unix seconds, as Grafana sends it
}

// sendGrafanaData sends three traces over OTLP/HTTP with the SDK:
// beamline's scan (400 ms: move motor, then read detector failing), a
// second later detector's acquire (300 ms), and 5 s after the first a
// short beamline scan (50 ms) without children.
func sendGrafanaData(t *testing.T, ts *servetest.Server) grafanaData {
	ctx := t.Context()
	d := grafanaData{base: time.Now().Add(-time.Minute).Truncate(time.Millisecond)}
	d.start = strconv.FormatInt(d.base.Add(-time.Hour).Unix(), 10)
	d.end = strconv.FormatInt(d.base.Add(time.Minute).Unix(), 10)
	at := func(ms int) time.Time { return d.base.Add(time.Duration(ms) * time.Millisecond) }
	send := func(service string, build func(trace.Tracer)) tracetest.SpanStubs {
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL("http://"+ts.HTTP+"/v1/traces"))
		if err != nil {
			t.Fatal(err)
		}
		mem := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSyncer(mem),
			sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", service), attribute.String("facility", "bl12"))))
		build(tp.Tracer("sightline/grafana-e2e"))
		spans := mem.GetSpans()
		if err := tp.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		return spans
	}
	d.scan = send("beamline", func(tr trace.Tracer) {
		rctx, root := tr.Start(t.Context(), "scan", trace.WithTimestamp(at(0)), trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.Int("scan.id", 7), attribute.String("sample", "silicon wafer 3")))
		_, move := tr.Start(rctx, "move motor", trace.WithTimestamp(at(10)), trace.WithAttributes(attribute.String("motor", "m1")))
		move.End(trace.WithTimestamp(at(110)))
		_, read := tr.Start(rctx, "read detector", trace.WithTimestamp(at(120)), trace.WithAttributes(attribute.String("detector", "d1")))
		read.SetStatus(codes.Error, "timeout")
		read.End(trace.WithTimestamp(at(320)))
		root.End(trace.WithTimestamp(at(400)))
	})
	d.acquire = send("detector", func(tr trace.Tracer) {
		_, sp := tr.Start(t.Context(), "acquire", trace.WithTimestamp(at(1000)))
		sp.End(trace.WithTimestamp(at(1300)))
	})
	d.shortScan = send("beamline", func(tr trace.Tracer) {
		_, sp := tr.Start(t.Context(), "scan", trace.WithTimestamp(at(5000)))
		sp.End(trace.WithTimestamp(at(5050)))
	})
	return d
}

func traceIDOf(s tracetest.SpanStubs) string { return s[0].SpanContext.TraceID().String() }

func stubNamed(t *testing.T, s tracetest.SpanStubs, name string) tracetest.SpanStub {
	t.Helper()
	for _, st := range s {
		if st.Name == name {
			return st
		}
	}
	t.Fatalf("no span %q sent", name)
	return tracetest.SpanStub{}
}

// tempoSearchAnswer is /api/search's answer as Grafana's resultTransformer
// reads it.
type tempoSearchAnswer struct {
	Traces []struct {
		TraceID           string          `json:"traceID"`
		RootServiceName   string          `json:"rootServiceName"`
		RootTraceName     string          `json:"rootTraceName"`
		StartTimeUnixNano string          `json:"startTimeUnixNano"`
		DurationMs        int64           `json:"durationMs"`
		SpanSet           json.RawMessage `json:"spanSet"`
		SpanSets          []struct {
			Spans []struct {
				SpanID            string `json:"spanID"`
				Name              string `json:"name"`
				StartTimeUnixNano string `json:"startTimeUnixNano"`
				DurationNanos     string `json:"durationNanos"`
				Attributes        []struct {
					Key   string         `json:"key"`
					Value map[string]any `json:"value"`
				} `json:"attributes"`
			} `json:"spans"`
			Matched int `json:"matched"`
		} `json:"spanSets"`
	} `json:"traces"`
	Metrics struct {
		CompletedJobs int `json:"completedJobs"`
		TotalJobs     int `json:"totalJobs"`
	} `json:"metrics"`
}

func (a tempoSearchAnswer) ids() []string {
	var ids []string
	for _, t := range a.Traces {
		ids = append(ids, t.TraceID)
	}
	return ids
}

// TestGrafanaTempoDataSource replays, against a real serve holding known
// traces sent over OTLP, the requests Grafana's Tempo data source sends
// with streaming off, each beside the code or docs it is taken from
// (grafana/grafana and grafana/tempo, read 2026-11), and checks the
// answers against what was sent.
func TestGrafanaTempoDataSource(t *testing.T) {
	noLeaks(t)
	ts := servetest.Start(t, servetest.Config(t))
	d := sendGrafanaData(t, ts)
	scanID, acquireID, shortID := traceIDOf(d.scan), traceIDOf(d.acquire), traceIDOf(d.shortScan)
	rng := "&start=" + d.start + "&end=" + d.end

	// "Save & test": GET /api/echo (grafana-tempo-datasource pkg/tempo/tempo.go
	// CheckHealth; older Grafana: datasource.ts testDatasource).
	if resp, body := servetest.Get(t, ts.UI+"/api/echo", ""); resp.StatusCode != 200 || string(body) != "echo" {
		t.Errorf("echo: %d %q", resp.StatusCode, body)
	}
	// On load: GET /api/status/buildinfo, version compared with semver
	// (datasource.ts init, isFeatureAvailable).
	var info struct{ Version string }
	servetest.GetJSON(t, ts.UI, "/api/status/buildinfo", 200, &info)
	if info.Version != "2.6.0" {
		t.Errorf("buildinfo version %q", info.Version)
	}

	// The search tab's pickers: GET /api/v2/search/tags, then
	// /api/v2/search/tag/<scope.tag>/values with q (the editor's other
	// filters) and the range (language_provider.ts fetchTags,
	// getOptionsV2; Tempo API docs "Search tags V2", "Search tag values V2").
	var tags struct {
		Scopes []struct {
			Name string
			Tags []string
		}
	}
	servetest.GetJSON(t, ts.UI, "/api/v2/search/tags?scope=all"+rng, 200, &tags)
	byScope := map[string][]string{}
	for _, s := range tags.Scopes {
		byScope[s.Name] = s.Tags
	}
	for scope, want := range map[string][]string{"resource": {"facility", "service.name"}, "span": {"detector", "motor", "sample", "scan.id"}, "intrinsic": {"name", "status", "duration"}} {
		for _, tag := range want {
			if !slices.Contains(byScope[scope], tag) {
				t.Errorf("v2 tags: scope %s lacks %q: %q", scope, tag, byScope[scope])
			}
		}
	}
	var values struct {
		TagValues []struct{ Type, Value string }
	}
	servetest.GetJSON(t, ts.UI, "/api/v2/search/tag/resource.service.name/values?q="+url.QueryEscape(`{}`)+rng, 200, &values)
	if fmt.Sprint(values.TagValues) != "[{string beamline} {string detector}]" {
		t.Errorf("service.name values: %v", values.TagValues)
	}
	servetest.GetJSON(t, ts.UI, "/api/v2/search/tag/span.scan.id/values?"+rng[1:], 200, &values)
	if fmt.Sprint(values.TagValues) != "[{int 7}]" {
		t.Errorf("scan.id values: %v", values.TagValues)
	}

	// A TraceQL search as the search builder writes it: GET /api/search
	// with q, limit, spss, start, end (datasource.ts handleTraceQlQuery,
	// DEFAULT_LIMIT 20, DEFAULT_SPSS 3; generateQueryFromFilters).
	var res tempoSearchAnswer
	search := func(query string) {
		res = tempoSearchAnswer{} // decoding into a used value would keep old fields
		servetest.GetJSON(t, ts.UI, "/api/search?"+query, 200, &res)
	}
	search("q=" + url.QueryEscape(`{resource.service.name="beamline" && status=error}`) + "&limit=20&spss=3" + rng)
	read, root := stubNamed(t, d.scan, "read detector"), stubNamed(t, d.scan, "scan")
	if len(res.Traces) != 1 {
		t.Fatalf("status=error: %+v", res)
	}
	tr := res.Traces[0]
	if tr.TraceID != scanID || tr.RootServiceName != "beamline" || tr.RootTraceName != "scan" ||
		tr.StartTimeUnixNano != strconv.FormatInt(root.StartTime.UnixNano(), 10) || tr.DurationMs != 400 ||
		len(tr.SpanSets) != 1 || tr.SpanSet == nil || res.Metrics.CompletedJobs != 1 || res.Metrics.TotalJobs != 1 {
		t.Fatalf("status=error: %+v", res)
	}
	set := tr.SpanSets[0]
	if set.Matched != 1 || len(set.Spans) != 1 || set.Spans[0].SpanID != read.SpanContext.SpanID().String() || set.Spans[0].Name != "read detector" ||
		set.Spans[0].StartTimeUnixNano != strconv.FormatInt(read.StartTime.UnixNano(), 10) || set.Spans[0].DurationNanos != "200000000" {
		t.Errorf("status=error span set: %+v", set)
	}
	var deprecated struct{ Matched int }
	if err := json.Unmarshal(tr.SpanSet, &deprecated); err != nil || deprecated.Matched != 1 {
		t.Errorf("spanSet (deprecated, the first span set): %s", tr.SpanSet)
	}

	// Attributes the query names come back typed, by their names.
	search("q=" + url.QueryEscape(`{ span.sample = "silicon wafer 3" && .scan.id = 7 && resource.facility = "bl12" }`) + "&limit=20&spss=3" + rng)
	if len(res.Traces) != 1 || len(res.Traces[0].SpanSets) != 1 || len(res.Traces[0].SpanSets[0].Spans) != 1 {
		t.Fatalf("attributes: %+v", res)
	}
	attrs := map[string]string{}
	for _, a := range res.Traces[0].SpanSets[0].Spans[0].Attributes {
		attrs[a.Key] = fmt.Sprint(a.Value)
	}
	if want := map[string]string{"sample": "map[stringValue:silicon wafer 3]", "scan.id": "map[intValue:7]", "facility": "map[stringValue:bl12]"}; fmt.Sprint(attrs) != fmt.Sprint(want) {
		t.Errorf("attributes %v, want %v", attrs, want)
	}

	// Structure, spss and limit: the scans with children, one span each.
	search("q=" + url.QueryEscape(`{ name = "scan" } > { }`) + "&limit=20&spss=1" + rng)
	if !slices.Equal(res.ids(), []string{scanID}) || len(res.Traces[0].SpanSets[0].Spans) != 1 || res.Traces[0].SpanSets[0].Matched != 2 ||
		res.Traces[0].SpanSets[0].Spans[0].Name != "move motor" {
		t.Errorf("scan > {} spss=1: %+v", res)
	}
	search("q=" + url.QueryEscape(`{ resource.service.name = "beamline" }`) + "&limit=1&spss=3" + rng)
	if !slices.Equal(res.ids(), []string{shortID}) {
		t.Errorf("limit=1: %q, want the newest beamline trace %s", res.ids(), shortID)
	}
	// start and end narrow to the traces starting in the range.
	narrow := "&start=" + strconv.FormatInt(d.base.Add(4*time.Second).Unix(), 10) + "&end=" + strconv.FormatInt(d.base.Add(6*time.Second).Unix(), 10)
	search("q=%7B%7D&limit=20&spss=3" + narrow)
	if !slices.Equal(res.ids(), []string{shortID}) {
		t.Errorf("narrow range: %q, want %s", res.ids(), shortID)
	}

	// Grafana 9's search form: tags in logfmt with service.name appended
	// after a space, minDuration, maxDuration, limit, start, end
	// (datasource.ts buildSearchQuery; Tempo API docs "Search", tag-based).
	search("tags=" + url.QueryEscape(` service.name="detector"`) + "&minDuration=100ms&maxDuration=1s&limit=20" + rng)
	if !slices.Equal(res.ids(), []string{acquireID}) || res.Traces[0].SpanSets != nil || res.Traces[0].DurationMs != 300 || res.Traces[0].RootTraceName != "acquire" {
		t.Errorf("tags detector: %+v", res)
	}
	search("tags=" + url.QueryEscape(`service.name=beamline`) + "&minDuration=100ms&limit=20" + rng)
	if !slices.Equal(res.ids(), []string{scanID}) {
		t.Errorf("tags beamline minDuration=100ms: %q, want %s (the 50 ms scan is shorter)", res.ids(), scanID)
	}

	// Opening a result: GET /api/v2/traces/<id>?start=&end= with
	// Accept: application/protobuf, a TraceByIDResponse whose field 1 is
	// the trace (grafana-tempo-datasource pkg/tempo/trace.go).
	resp, body := servetest.Get(t, ts.UI+"/api/v2/traces/"+scanID+"?"+rng[1:], "application/protobuf")
	if resp.StatusCode != 200 {
		t.Fatalf("trace by id: %d %s", resp.StatusCode, body)
	}
	num, typ, n := protowire.ConsumeTag(body)
	inner, m := protowire.ConsumeBytes(body[max(n, 0):])
	if num != 1 || typ != protowire.BytesType || m < 0 {
		t.Fatalf("trace by id: not a TraceByIDResponse")
	}
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(inner)
	if err != nil || td.SpanCount() != len(d.scan) {
		t.Errorf("trace by id: %v, %d spans, want %d", err, td.SpanCount(), len(d.scan))
	}

	// Refused: each a 400 whose "error" Grafana shows (backend_srv.ts
	// processRequestError copies it to the message).
	for _, c := range []struct{ query, want string }{
		{"q=" + url.QueryEscape(`{ } | count() > 1`) + "&limit=20&spss=3" + rng, `q: traceql: "| count() > 1" at 4: `},
		{"tags=" + url.QueryEscape(`service.name=beamline`) + "&minDuration=fast&limit=20" + rng, `minDuration: not a duration (given "fast"; allowed: `},
		{"q=%7B%7D&limit=5000&spss=3" + rng, `limit: out of range (given "5000"; allowed: an integer from 1 to 1000)`},
		{"q=%7B%7D&tags=a%3D1", "can't specify tags and q in the same query"},
	} {
		resp, body := servetest.Get(t, ts.UI+"/api/search?"+c.query, "")
		var e struct{ Error string }
		if resp.StatusCode != 400 || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, c.want) {
			t.Errorf("?%s: %d %s, want 400 with %q", c.query, resp.StatusCode, body, c.want)
		}
	}
	// TraceQL metrics (a query with | rate() and the like) go to
	// /api/metrics/query_range (datasource.ts isTraceQlMetricsQuery): not
	// served, a 404 whose error Grafana shows.
	resp, body = servetest.Get(t, ts.UI+"/api/metrics/query_range?q="+url.QueryEscape(`{} | rate()`)+rng, "")
	if resp.StatusCode != 404 || !strings.Contains(string(body), "no such API path") {
		t.Errorf("metrics: %d %s", resp.StatusCode, body)
	}
}
