package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// Registry maps function names to functions. Workers look tasks up in a
// registry; every worker of a pool should register the same functions (a
// worker that lacks one answers ErrUnknownFunction). The zero value is not
// usable: create one with NewRegistry, or use the package default through
// Register.
type Registry struct {
	mu  sync.RWMutex
	fns map[string]*entry
}

// entry is one registered function, with its argument and result types
// erased behind JSON.
type entry struct {
	name string
	call func(ctx context.Context, args json.RawMessage) (json.RawMessage, error)
}

// entryError marks an entry's own failure to decode the arguments or
// encode the result, as opposed to an error the function returned.
type entryError struct{ err *Error }

func (e *entryError) Error() string { return e.err.Error() }

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{fns: make(map[string]*entry)} }

var defaultRegistry = NewRegistry()

// DefaultRegistry returns the registry that Register fills and that the
// default client (Submit), and in-process clients and workers without
// WithRegistry, use.
func DefaultRegistry() *Registry { return defaultRegistry }

// Register registers fn under name in the default registry. Arguments and
// results travel as JSON: A must decode from JSON and R must encode to it.
// It fails for an invalid name (see RegisterIn) or a name already taken.
func Register[A, R any](name string, fn func(context.Context, A) (R, error)) error {
	return RegisterIn(defaultRegistry, name, fn)
}

// RegisterIn registers fn under name in reg. A name is non-empty, at most
// 200 bytes, without spaces or control characters, without the NATS
// wildcards '*' and '>', and with no empty dot-separated part (it becomes
// part of a subject): "add", "image.resize", "scan-v2".
func RegisterIn[A, R any](reg *Registry, name string, fn func(context.Context, A) (R, error)) error {
	if reg == nil {
		return fmt.Errorf("task: register %q: nil registry", name)
	}
	if fn == nil {
		return fmt.Errorf("task: register %q: nil function", name)
	}
	if err := validName(name); err != nil {
		return fmt.Errorf("task: register %q: %w", name, err)
	}
	e := &entry{
		name: name,
		call: func(ctx context.Context, raw json.RawMessage) (json.RawMessage, error) {
			var a A
			if len(raw) == 0 {
				raw = json.RawMessage("null")
			}
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, &entryError{&Error{Kind: KindBadArguments, Function: name,
					Message: fmt.Sprintf("decode arguments into %v: %v", reflect.TypeFor[A](), err), cause: err}}
			}
			r, err := fn(ctx, a)
			if err != nil {
				return nil, err
			}
			out, err := json.Marshal(r)
			if err != nil {
				return nil, &entryError{&Error{Kind: KindBadResult, Function: name,
					Message: fmt.Sprintf("encode result of type %v: %v", reflect.TypeFor[R](), err), cause: err}}
			}
			return out, nil
		},
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if _, dup := reg.fns[name]; dup {
		return fmt.Errorf("task: register %q: name already registered", name)
	}
	reg.fns[name] = e
	return nil
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.fns))
	for n := range r.fns {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// lookup is the function registered as name; a nil Registry has none.
func (r *Registry) lookup(name string) (*entry, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.fns[name]
	return e, ok
}

// maxNameLen bounds a function name (it is a subject token and a header).
const maxNameLen = 200

// validName checks a function name: see RegisterIn.
func validName(name string) error {
	switch {
	case name == "":
		return errors.New("empty function name")
	case len(name) > maxNameLen:
		return fmt.Errorf("function name is %d bytes, more than %d", len(name), maxNameLen)
	}
	for _, r := range name {
		if r == '*' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return fmt.Errorf("function name contains %q (no spaces, control characters, '*' or '>')", r)
		}
	}
	for part := range strings.SplitSeq(name, ".") {
		if part == "" {
			return errors.New("function name has an empty dot-separated part")
		}
	}
	return nil
}
