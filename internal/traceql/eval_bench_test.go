package traceql

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchTrace is a 10,000-span trace: a random tree under one root, spans of
// 10 services, one in 50 with status error and http.status_code 500.
func benchTrace(n int) *Trace {
	r := rand.New(rand.NewPCG(7, 8))
	spans := make([]Span, n)
	for i := range spans {
		s := &spans[i]
		s.SpanID = id(i + 1)
		if i > 0 {
			s.ParentSpanID = id(1 + r.IntN(i))
		}
		s.Name = fmt.Sprintf("op-%d", i%40)
		s.Kind = KindInternal
		s.Status = StatusOK
		code := int64(200)
		if i%50 == 49 {
			s.Status, code = StatusError, 500
		}
		s.StartUnixNano, s.EndUnixNano = int64(i), int64(i+1000)
		s.Attrs = []Attr{str("http.method", "GET"), str("http.route", "/api/x"), i64("http.status_code", code), str("thread.name", "worker")}
		s.Resource = []Attr{str("service.name", fmt.Sprintf("svc%d", i%10)), str("host.name", "beamline-12")}
	}
	r.Shuffle(n, func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	return &Trace{Spans: spans}
}

func BenchmarkMatch(b *testing.B) {
	tr := benchTrace(10_000)
	for _, bc := range []struct{ name, q string }{
		{"attribute", `{ span.http.status_code = 500 }`},
		{"unscoped", `{ .service.name = "svc3" && .http.status_code >= 500 }`},
		{"regex", `{ name =~ "op-1.*" }`},
		{"descendant", `{ resource.service.name = "svc1" } >> { status = error }`},
		{"child", `{ resource.service.name = "svc1" } > { status = error }`},
		{"rootName", `{ rootName = "op-0" && status = error }`},
	} {
		q := mustCompile(b, bc.q)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q.Match(tr)
			}
		})
	}
	deep := chain(20_000)
	q := mustCompile(b, `{ name = "root" } >> { name = "leaf" }`)
	b.Run("descendant-chain-20000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q.Match(deep)
		}
	})
}

func BenchmarkCompile(b *testing.B) {
	e, err := Parse(`{ resource.service.name = "api" && (span.http.status_code >= 500 || name =~ "GET.*") } >> { status = error }`)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(e); err != nil {
			b.Fatal(err)
		}
	}
}
