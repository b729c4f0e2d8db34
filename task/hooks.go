package task

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// A startup hook sets a worker process up before its first task, the way
// Ray's tracing startup hook does: typically it starts telemetry and
// installs it as the global tracer provider and propagator. Hooks are
// registered by name (RegisterHook) in the program that runs the workers,
// and chosen by name (WithHook, or the environment variable HookEnv).
//
// Each hook runs at most once per process, however many workers name it:
// the first worker to start runs it, the others wait for it and get the
// same result. A hook that failed is not retried.
type hookSet struct {
	mu        sync.Mutex
	hooks     map[string]func(context.Context) error
	runs      map[string]*hookRun
	shutdowns []func(context.Context) error
	shut      bool
}

type hookRun struct {
	done chan struct{}
	err  error
}

func newHookSet() *hookSet {
	return &hookSet{hooks: make(map[string]func(context.Context) error), runs: make(map[string]*hookRun)}
}

var processHooks = newHookSet()

// RegisterHook registers a startup hook under name. It fails for an empty
// name, a nil function or a name already registered.
func RegisterHook(name string, fn func(ctx context.Context) error) error {
	return processHooks.register(name, fn)
}

// HookNames returns the registered hook names, sorted.
func HookNames() []string { return processHooks.names() }

// OnShutdown registers fn to run when the program calls Shutdown: a hook
// that started telemetry registers its flush and shutdown here, so that
// the spans of the last tasks are exported before the process exits.
func OnShutdown(fn func(ctx context.Context) error) { processHooks.onShutdown(fn) }

// Shutdown runs the functions registered with OnShutdown, the last
// registered first, and returns their errors joined. Only the first call
// runs them; call it once, when the process's workers have stopped.
func Shutdown(ctx context.Context) error { return processHooks.shutdown(ctx) }

func (s *hookSet) register(name string, fn func(context.Context) error) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("task: register hook %q: empty name", name)
	}
	if fn == nil {
		return fmt.Errorf("task: register hook %q: nil function", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.hooks[name]; dup {
		return fmt.Errorf("task: register hook %q: name already registered", name)
	}
	s.hooks[name] = fn
	return nil
}

func (s *hookSet) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.hooks))
	for n := range s.hooks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// check reports an unknown hook name, listing the registered ones.
func (s *hookSet) check(name string) error {
	s.mu.Lock()
	_, ok := s.hooks[name]
	s.mu.Unlock()
	if ok {
		return nil
	}
	names := s.names()
	list := "none registered"
	if len(names) > 0 {
		list = "registered: " + strings.Join(names, ", ")
	}
	return fmt.Errorf("unknown startup hook %q (%s)", name, list)
}

// run runs the hook name once per hook set; concurrent and later callers
// wait for that one run and return its error.
func (s *hookSet) run(ctx context.Context, name string) error {
	s.mu.Lock()
	fn, ok := s.hooks[name]
	if !ok {
		s.mu.Unlock()
		return s.check(name)
	}
	r, started := s.runs[name]
	if !started {
		r = &hookRun{done: make(chan struct{})}
		s.runs[name] = r
	}
	s.mu.Unlock()
	if !started {
		r.err = callHook(ctx, fn)
		close(r.done)
		return r.err
	}
	select {
	case <-r.done: // checked first: a finished hook wins over a done ctx
		return r.err
	default:
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		return fmt.Errorf("waiting for startup hook %q run by another worker: %w", name, ctx.Err())
	}
}

func callHook(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("hook panicked: %v", v)
		}
	}()
	return fn(ctx)
}

func (s *hookSet) onShutdown(fn func(context.Context) error) {
	if fn == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdowns = append(s.shutdowns, fn)
}

func (s *hookSet) shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.shut {
		s.mu.Unlock()
		return nil
	}
	s.shut = true
	fns := s.shutdowns
	s.shutdowns = nil
	s.mu.Unlock()
	var errs []error
	for i := len(fns) - 1; i >= 0; i-- {
		if err := fns[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
