package traceql_test

import (
	"fmt"

	"github.com/sightline-dev/sightline/internal/traceql"
)

func ExampleQuery_Match() {
	e, err := traceql.Parse(`{ resource.service.name = "api" } >> { status = error || .http.status_code >= 500 }`)
	if err != nil {
		fmt.Println(err)
		return
	}
	q, err := traceql.Compile(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	api := []traceql.Attr{{Key: "service.name", Value: traceql.Value{Kind: traceql.ValueString, Str: "api"}}}
	db := []traceql.Attr{{Key: "service.name", Value: traceql.Value{Kind: traceql.ValueString, Str: "db"}}}
	trace := &traceql.Trace{Spans: []traceql.Span{
		{SpanID: [8]byte{1}, Name: "GET /scan", Resource: api},
		{SpanID: [8]byte{2}, ParentSpanID: [8]byte{1}, Name: "query", Resource: db, Status: traceql.StatusError},
		{SpanID: [8]byte{3}, Name: "other", Resource: db, Status: traceql.StatusError},
	}}
	fmt.Println(q.Match(trace))
	fmt.Println(q.Necessary())
	fmt.Println(q.Fields())
	// Output:
	// [1]
	// [[resource.service.name = "api"] [status = error .http.status_code != nil]]
	// [resource.service.name .http.status_code]
}
