package attrs

import (
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
)

type named struct{ n string }

func (d *named) Name() string { return d.n }

func TestValue(t *testing.T) {
	tests := []struct {
		in   any
		want attribute.Value
	}{
		{1.5, attribute.Float64Value(1.5)},
		{float32(2), attribute.Float64Value(2)},
		{3, attribute.IntValue(3)},
		{int64(4), attribute.Int64Value(4)},
		{true, attribute.BoolValue(true)},
		{"mm", attribute.StringValue("mm")},
		{nil, attribute.StringValue("null")},
		{[]float64{1, 2}, attribute.Float64SliceValue([]float64{1, 2})},
		{[]any{1.0, 2.5}, attribute.Float64SliceValue([]float64{1, 2.5})},
		{[]any{1, int64(2)}, attribute.Int64SliceValue([]int64{1, 2})},
		{[]any{"a", "b"}, attribute.StringSliceValue([]string{"a", "b"})},
		{[]any{1, "a"}, attribute.StringValue(`[1,"a"]`)},
		{[]any{}, attribute.StringValue(`[]`)},
		{map[string]any{"group": "g1"}, attribute.StringValue(`{"group":"g1"}`)},
		{math.Inf(-1), attribute.Float64Value(math.Inf(-1))},
		{[]any{1.0, math.NaN(), "x"}, attribute.StringValue(`[1,"NaN","x"]`)},
		{time.Second, attribute.StringValue("1s")},
		{&named{"motor1"}, attribute.StringValue("motor1")},
		{[]any{&named{"det1"}, 2.0}, attribute.StringValue(`["det1",2]`)},
		{map[string]any{"dets": []any{&named{"d"}}}, attribute.StringValue(`{"dets":["d"]}`)},
		{make(chan int), attribute.StringValue("")},
	}
	for _, tt := range tests {
		got := Value("k", tt.in).Value
		if tt.in != nil {
			if _, isChan := tt.in.(chan int); isChan {
				if got.Type() != attribute.STRING || got.AsString() == "" {
					t.Errorf("Value(chan) = %v, want some text", got.String())
				}
				continue
			}
		}
		if got != tt.want {
			t.Errorf("Value(%#v) = %v (%v), want %v (%v)", tt.in, got.String(), got.Type(), tt.want.String(), tt.want.Type())
		}
	}
}
