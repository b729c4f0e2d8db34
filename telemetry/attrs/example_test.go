package attrs_test

import (
	"fmt"

	"github.com/sightline-dev/sightline/telemetry/attrs"
)

// Value keeps numbers, booleans, strings and slices of one such kind typed,
// and turns anything else into its JSON text.
func ExampleValue() {
	type motor struct{ Name string }
	for _, kv := range []struct {
		key string
		v   any
	}{
		{"msg.args", []float64{-1, 1}},
		{"msg.kwargs", map[string]any{"group": "A"}},
		{"msg.obj", motor{Name: "m1"}},
	} {
		a := attrs.Value(kv.key, kv.v)
		fmt.Println(a.Key, a.Value.Type(), a.Value.String())
	}
	// Output:
	// msg.args FLOAT64SLICE [-1,1]
	// msg.kwargs STRING {"group":"A"}
	// msg.obj STRING {"Name":"m1"}
}
