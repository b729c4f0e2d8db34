package task

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestRegisterIn(t *testing.T) {
	reg := NewRegistry()
	ok := func(context.Context, int) (int, error) { return 0, nil }
	for _, name := range []string{"add", "image.resize", "scan-v2", "ünïcode", "a_b"} {
		if err := RegisterIn(reg, name, ok); err != nil {
			t.Errorf("RegisterIn(%q) = %v", name, err)
		}
	}
	for name, want := range map[string]string{
		"":                        "empty function name",
		"add":                     "already registered",
		"a b":                     "contains ' '",
		"a*":                      "contains '*'",
		"a.>":                     "contains '>'",
		".a":                      "empty dot-separated part",
		"a..b":                    "empty dot-separated part",
		"a.":                      "empty dot-separated part",
		"tab\t":                   "contains '\\t'",
		strings.Repeat("x", 201):  "more than 200",
		string([]byte{0xff, 'a'}): "contains",
	} {
		err := RegisterIn(reg, name, ok)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RegisterIn(%q) = %v, want an error with %q", name, err, want)
		}
	}
	if err := RegisterIn[int, int](reg, "nilfn", nil); err == nil {
		t.Error("RegisterIn(nil function) succeeded")
	}
	if err := RegisterIn(nil, "x", ok); err == nil {
		t.Error("RegisterIn(nil registry) succeeded")
	}
	want := []string{"a_b", "add", "image.resize", "scan-v2", "ünïcode"}
	if got := reg.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
}
