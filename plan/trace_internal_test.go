package plan

import (
	"encoding/json"
	"math"
	"testing"
)

// TestKwargsJSON: the fast path writes what encoding/json writes.
func TestKwargsJSON(t *testing.T) {
	for _, kw := range []map[string]any{
		nil, {}, {"group": "set-1"}, {"group": "a<b"}, {"name": "primary", "n": 3, "ok": true, "x": nil},
		{"f": 1.5}, {"s": "é"}, {"q": `"`}, {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, {"list": []int{1, 2}},
		{"n64": int64(-7)}, {"nan": math.NaN()},
	} {
		got := kwargsJSON(kw)
		want := "{}"
		if len(kw) > 0 {
			b, err := json.Marshal(kw)
			if err != nil {
				continue // NaN: attrs renders it as text; anything valid is fine
			}
			want = string(b)
		}
		if got != want {
			t.Errorf("kwargsJSON(%v) = %s, want %s", kw, got, want)
		}
	}
}
