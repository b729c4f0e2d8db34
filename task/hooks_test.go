package task

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestHookSet(t *testing.T) {
	s := newHookSet()
	var runs atomic.Int32
	errHook := errors.New("no collector")
	if err := s.register("ok", func(context.Context) error { runs.Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.register("bad", func(context.Context) error { return errHook }); err != nil {
		t.Fatal(err)
	}
	if err := s.register("panics", func(context.Context) error { panic("oops") }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   func(context.Context) error
		want string
	}{
		{"", func(context.Context) error { return nil }, "empty name"},
		{"  ", func(context.Context) error { return nil }, "empty name"},
		{"x", nil, "nil function"},
		{"ok", func(context.Context) error { return nil }, "already registered"},
	} {
		if err := s.register(tc.name, tc.fn); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("register(%q) = %v, want %q", tc.name, err, tc.want)
		}
	}

	// Once per set, however many callers, concurrent or later.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := s.run(context.Background(), "ok"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	_ = s.run(context.Background(), "ok")
	if n := runs.Load(); n != 1 {
		t.Errorf("hook ran %d times, want 1", n)
	}
	// A failure is returned to every caller, and not retried.
	for range 2 {
		if err := s.run(context.Background(), "bad"); !errors.Is(err, errHook) {
			t.Errorf("run(bad) = %v", err)
		}
	}
	if err := s.run(context.Background(), "panics"); err == nil || !strings.Contains(err.Error(), "oops") {
		t.Errorf("run(panics) = %v", err)
	}
	err := s.run(context.Background(), "nope")
	if err == nil || !strings.Contains(err.Error(), `unknown startup hook "nope" (registered: bad, ok, panics)`) {
		t.Errorf("unknown hook: %v", err)
	}
	if err := newHookSet().check("x"); err == nil || !strings.Contains(err.Error(), "none registered") {
		t.Errorf("unknown hook in an empty set: %v", err)
	}
}

func TestHookShutdown(t *testing.T) {
	s := newHookSet()
	var order []int
	s.onShutdown(func(context.Context) error { order = append(order, 1); return errors.New("first") })
	s.onShutdown(func(context.Context) error { order = append(order, 2); return nil })
	if err := s.shutdown(context.Background()); err == nil || err.Error() != "first" {
		t.Errorf("shutdown = %v", err)
	}
	if err := s.shutdown(context.Background()); err != nil {
		t.Errorf("second shutdown = %v", err)
	}
	if len(order) != 2 || order[0] != 2 || order[1] != 1 {
		t.Errorf("shutdown order %v, want last registered first", order)
	}
}

func TestHookName(t *testing.T) {
	env := func(v string, ok bool) WorkerOption {
		return WithEnv(func(name string) (string, bool) {
			if name != HookEnv {
				return "", false
			}
			return v, ok
		})
	}
	for _, tc := range []struct {
		opts       []WorkerOption
		name, from string
	}{
		{nil, "", ""},
		{[]WorkerOption{env("tracing", true)}, "tracing", HookEnv},
		{[]WorkerOption{env(" tracing ", true), WithHook("mine")}, "mine", "WithHook"},
		{[]WorkerOption{env("tracing", true), WithHook("")}, "", "WithHook"},
		{[]WorkerOption{env("", false)}, "", ""},
	} {
		name, from := newWorkerConfig(defaultWorkerConfig(), tc.opts).hookName()
		if name != tc.name || from != tc.from {
			t.Errorf("hookName = %q from %q, want %q from %q", name, from, tc.name, tc.from)
		}
	}
}

// TestUnknownHookBeforeConnecting: a worker with an unknown hook fails with
// the hook's error, listing the registered ones, before it tries NATS.
func TestUnknownHookBeforeConnecting(t *testing.T) {
	_, err := NewNATSWorker(context.Background(), "nats://127.0.0.1:1", WithHook("no-such-hook"))
	if err == nil || !strings.Contains(err.Error(), `unknown startup hook "no-such-hook"`) || strings.Contains(err.Error(), "connect") {
		t.Fatalf("NewNATSWorker with an unknown hook: %v", err)
	}
	env := func(name string) (string, bool) { return "also-unknown", name == HookEnv }
	_, err = NewNATSWorker(context.Background(), "nats://127.0.0.1:1", WithEnv(env))
	if err == nil || !strings.Contains(err.Error(), HookEnv) {
		t.Fatalf("NewNATSWorker with an unknown hook from the environment: %v", err)
	}
}

// errHook is what the hook TestClientHooks registers returns; the hook is
// registered once per process (hooks cannot be removed), so that the test
// also passes with -count above 1.
var (
	errHook         = errors.New("collector unreachable")
	clientHooksOnce sync.Once
)

// TestClientHooks: clients, not only workers, check and run the startup
// hook: an unknown name fails the constructor listing the registered
// ones, a failing hook fails it with the hook's error, and the default
// client, which has no constructor, fails every Submit instead.
func TestClientHooks(t *testing.T) {
	clientHooksOnce.Do(func() {
		if err := RegisterHook("client-hooks-test-fails", func(context.Context) error { return errHook }); err != nil {
			t.Fatal(err)
		}
	})
	_, err := NewLocal(WithHook("no-such-hook"))
	if err == nil || !strings.Contains(err.Error(), `unknown startup hook "no-such-hook" (registered: `) ||
		!strings.Contains(err.Error(), "client-hooks-test-fails") || !strings.Contains(err.Error(), "(from WithHook)") {
		t.Errorf("NewLocal with an unknown hook: %v", err)
	}
	env := WithEnv(func(name string) (string, bool) { return "client-hooks-test-fails", name == HookEnv })
	if _, err := NewLocal(env); !errors.Is(err, errHook) || !strings.Contains(err.Error(), HookEnv) {
		t.Errorf("NewLocal with a failing hook: %v", err)
	}
	if _, err := NewNATSClient(context.Background(), nil, env); !errors.Is(err, errHook) {
		t.Errorf("NewNATSClient with a failing hook: %v", err)
	}
	if _, err := DialNATS(context.Background(), "nats://127.0.0.1:1", WithHook("no-such-hook")); err == nil ||
		!strings.Contains(err.Error(), `unknown startup hook "no-such-hook"`) || strings.Contains(err.Error(), "connect") {
		t.Errorf("DialNATS with an unknown hook: %v (want it before connecting)", err)
	}

	defaultClient.mu.Lock()
	saved := defaultClient.c
	defaultClient.c = nil
	defaultClient.mu.Unlock()
	defer SetDefault(saved)
	t.Setenv(HookEnv, "no-such-hook")
	if _, err := Submit(context.Background(), "add", pair{1, 2}); err == nil ||
		!strings.Contains(err.Error(), `unknown startup hook "no-such-hook"`) || !strings.Contains(err.Error(), HookEnv) {
		t.Errorf("Submit through a default client whose hook is unknown: %v", err)
	}
}
