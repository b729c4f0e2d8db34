package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/sightline-dev/sightline/remote"
)

// decodeArg decodes a command argument or attribute value into an A: JSON
// of the right type, nothing after it, no unknown object fields.
func decodeArg[A any](what string, raw json.RawMessage) (A, error) {
	var a A
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		switch reflect.TypeFor[A]().Kind() {
		case reflect.Struct, reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			return a, nil
		}
		return a, &remote.Error{Code: remote.CodeBadArgument, Message: fmt.Sprintf("%s wants %s, got nothing", what, typeName[A]())}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, &remote.Error{Code: remote.CodeBadArgument, Message: fmt.Sprintf("%s wants %s, got %s: %v", what, typeName[A](), clip(trimmed), err)}
	}
	if dec.More() {
		return a, &remote.Error{Code: remote.CodeBadArgument, Message: fmt.Sprintf("%s: data after the value in %s", what, clip(trimmed))}
	}
	return a, nil
}

// clip shortens a value for an error message.
func clip(b []byte) string {
	const n = 80
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// typeName is the JSON type of T, as CommandInfo and AttributeInfo show it.
func typeName[T any]() string {
	t := reflect.TypeFor[T]()
	if t == reflect.TypeFor[Void]() {
		return "void"
	}
	return jsonKind(t)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "string"
		}
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "any"
}

// errorFrom turns what a device's code returned into an *remote.Error.
func errorFrom(err error, code remote.Code) *remote.Error {
	var e *remote.Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &remote.Error{Code: remote.CodeTimeout, Message: err.Error()}
	}
	return &remote.Error{Code: code, Message: err.Error()}
}

func newError(code remote.Code, format string, args ...any) *remote.Error {
	return &remote.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func clipString(s string) string { return clip([]byte(s)) }
