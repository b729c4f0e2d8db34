package sightlinetest_test

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// printTB stands in for the *testing.T a test passes to NewRecorder: it
// prints what failing assertions report.
type printTB struct{ testing.TB }

func (printTB) Helper()                           {}
func (printTB) Cleanup(func())                    {}
func (printTB) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// A test builds its component with the recorder's options, runs the code
// under test, and checks the spans and logs it recorded.
func Example_recorder() {
	rec := sightlinetest.NewRecorder(printTB{}) // in a test: sightlinetest.NewRecorder(t)
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, append(rec.Options(), telemetry.WithServiceName("lab"))...)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The code under test.
	tracer := comp.Tracer("lab")
	ctx, scan := tracer.Start(ctx, "scan", trace.WithAttributes(attribute.Int("points", 11)))
	_, move := tracer.Start(ctx, "move motor")
	move.SetStatus(codes.Error, "limit switch")
	move.End()
	comp.Logger().InfoContext(ctx, "scan done")
	scan.End()
	_ = comp.Shutdown(ctx)

	// The checks: silent when they hold.
	rec.RequireSpanNames("scan", "move motor")
	rec.RequireParent("move motor", "scan")
	rec.RequireAttribute("scan", "points", 11)
	rec.RequireStatus("move motor", codes.Error)
	fmt.Println(rec.SpanNames())
	fmt.Println(rec.Logs()[0].Body().AsString())

	// A failing check says what it found.
	rec.RequireStatus("scan", codes.Ok)
	// Output:
	// [move motor scan]
	// scan done
	// span "scan": status Unset "", want Ok
}
