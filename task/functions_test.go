package task

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// Functions the tests run, on every transport.

type pair struct {
	A, B int
}

type sum struct {
	Sum int `json:"sum"`
}

func add(_ context.Context, p pair) (sum, error) { return sum{p.A + p.B}, nil }

var errDivideByZero = errors.New("divide by zero")

func divide(_ context.Context, p pair) (int, error) {
	if p.B == 0 {
		return 0, fmt.Errorf("divide %d by %d: %w", p.A, p.B, errDivideByZero)
	}
	return p.A / p.B, nil
}

func boom(_ context.Context, msg string) (int, error) { panic("boom: " + msg) }

func info(ctx context.Context, _ struct{}) (Info, error) {
	i, _ := FromContext(ctx)
	return i, nil
}

// deadlineOf returns the deadline the task runs under.
func deadlineOf(ctx context.Context, _ struct{}) (time.Time, error) {
	d, ok := ctx.Deadline()
	if !ok {
		return time.Time{}, errors.New("no deadline")
	}
	return d, nil
}

// blocker blocks until its task is canceled, telling started when it runs
// and stopped (with the context's cause) when it returns.
type blocker struct {
	started chan string
	stopped chan error
}

func newBlocker() *blocker {
	return &blocker{started: make(chan string, 16), stopped: make(chan error, 16)}
}

func (b *blocker) run(ctx context.Context, tag string) (string, error) {
	b.started <- tag
	<-ctx.Done()
	b.stopped <- context.Cause(ctx)
	return "", ctx.Err()
}

// testRegistry registers the test functions in a new registry.
func testRegistry(t testing.TB, b *blocker) *Registry {
	t.Helper()
	reg := NewRegistry()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(RegisterIn(reg, "add", add))
	must(RegisterIn(reg, "divide", divide))
	must(RegisterIn(reg, "boom", boom))
	must(RegisterIn(reg, "info", info))
	must(RegisterIn(reg, "deadline", deadlineOf))
	must(RegisterIn(reg, "chan", func(context.Context, int) (chan int, error) { return make(chan int), nil }))
	if b != nil {
		must(RegisterIn(reg, "block", b.run))
	}
	return reg
}
