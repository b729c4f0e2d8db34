// Package attrs turns arbitrary Go values into valid OpenTelemetry
// attributes: numbers, booleans and strings keep their type, slices of one
// such kind become typed arrays, and everything else becomes its JSON text,
// so no value is ever dropped with a warning (the Bluesky and Ophyd
// instrumentation's flaw). The plan and device packages describe their
// messages and Status targets with it; instrumentation of your own can too.
// It depends on the OpenTelemetry API only.
package attrs

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"

	"go.opentelemetry.io/otel/attribute"
)

// Value returns v as an attribute under key.
func Value(key string, v any) attribute.KeyValue {
	k := attribute.Key(key)
	switch x := v.(type) {
	case nil:
		return k.String("null")
	case string:
		return k.String(x)
	case bool:
		return k.Bool(x)
	case int:
		return k.Int(x)
	case int64:
		return k.Int64(x)
	case int32:
		return k.Int64(int64(x))
	case uint32:
		return k.Int64(int64(x))
	case float64:
		return k.Float64(x)
	case float32:
		return k.Float64(float64(x))
	case []string:
		return k.StringSlice(x)
	case []bool:
		return k.BoolSlice(x)
	case []int:
		return k.IntSlice(x)
	case []int64:
		return k.Int64Slice(x)
	case []float64:
		return k.Float64Slice(x)
	case fmt.Stringer:
		return k.String(x.String())
	case []any:
		if kv, ok := uniform(k, x); ok {
			return kv
		}
	}
	if n, ok := names(v).(string); ok {
		return k.String(n) // a device: its name
	}
	return k.String(JSON(v))
}

// uniform makes a typed array of a []any whose items are all one kind.
func uniform(k attribute.Key, items []any) (attribute.KeyValue, bool) {
	if len(items) == 0 {
		return attribute.KeyValue{}, false
	}
	switch items[0].(type) {
	case float64, float32:
		out := make([]float64, len(items))
		for i, it := range items {
			switch f := it.(type) {
			case float64:
				out[i] = f
			case float32:
				out[i] = float64(f)
			default:
				return attribute.KeyValue{}, false
			}
		}
		return k.Float64Slice(out), true
	case int, int64:
		out := make([]int64, len(items))
		for i, it := range items {
			switch n := it.(type) {
			case int:
				out[i] = int64(n)
			case int64:
				out[i] = n
			default:
				return attribute.KeyValue{}, false
			}
		}
		return k.Int64Slice(out), true
	case string:
		out := make([]string, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				return attribute.KeyValue{}, false
			}
			out[i] = s
		}
		return k.StringSlice(out), true
	case bool:
		out := make([]bool, len(items))
		for i, it := range items {
			b, ok := it.(bool)
			if !ok {
				return attribute.KeyValue{}, false
			}
			out[i] = b
		}
		return k.BoolSlice(out), true
	}
	return attribute.KeyValue{}, false
}

// JSON renders v as JSON text. Devices (pointers with a Name method) are
// rendered as their names, also inside slices and maps. Values JSON cannot
// hold (NaN, infinities, channels, functions) are rendered with %v, so the
// result is always some text and never an error.
func JSON(v any) string {
	b, err := json.Marshal(names(v))
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// names replaces devices by their names in v, []any and map[string]any.
func names(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = names(it)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = names(it)
		}
		return out
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
	case interface{ Name() string }:
		if reflect.ValueOf(v).Kind() == reflect.Pointer {
			return x.Name()
		}
	}
	return v
}
