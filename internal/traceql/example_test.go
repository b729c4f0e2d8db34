package traceql_test

import (
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/internal/traceql"
)

func ExampleParse() {
	q, err := traceql.Parse(`{resource.service.name="api" && span:duration>1.5s} >> {status=error}`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)

	_, err = traceql.Parse(`{ .a = 1 } | count() > 2`)
	fmt.Println(err)
	fmt.Println(errors.Is(err, traceql.ErrUnsupported))
	// Output:
	// { resource.service.name = "api" && duration > 1.5s } >> { status = error }
	// traceql: "| count() > 2" at 11: pipelines and aggregates are not supported (supported: spanset filters { ... } combined with &&, ||, >, >>)
	// true
}
