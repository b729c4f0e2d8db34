package properties

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidation(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	long := strings.Repeat("a", MaxNameBytes+1)
	tests := []struct {
		name      string
		component string
		props     map[string][]string
		want      string
	}{
		{"empty component", "", map[string][]string{"k": {"v"}},
			`properties: component name "" must not be empty`},
		{"long component", long, map[string][]string{"k": {"v"}},
			`properties: component name "` + strings.Repeat("a", 64) + `"... (257 bytes) is too long: at most 256 bytes allowed`},
		{"component not utf-8", "motor\xff", map[string][]string{"k": {"v"}},
			`properties: component name "motor\xff" is not valid UTF-8`},
		{"component control char", "motor\n1", map[string][]string{"k": {"v"}},
			`properties: component name "motor\n1" contains control character U+000A; control characters are not allowed`},
		{"component DEL", "motor\x7f", map[string][]string{"k": {"v"}},
			`properties: component name "motor\x7f" contains control character U+007F; control characters are not allowed`},
		{"empty key", "motor", map[string][]string{"": {"v"}},
			`properties: key "" must not be empty`},
		{"key with space", "motor", map[string][]string{"bad key": {"v"}},
			`properties: key "bad key" must match [A-Za-z0-9_.-]+`},
		{"key with unicode", "motor", map[string][]string{"vitesse_é": {"v"}},
			`properties: key "vitesse_é" must match [A-Za-z0-9_.-]+`},
		{"key with tab", "motor", map[string][]string{"a\tb": {"v"}},
			`properties: key "a\tb" contains control character U+0009; control characters are not allowed`},
		{"long key", "motor", map[string][]string{long: {"v"}},
			`properties: key "` + strings.Repeat("a", 64) + `"... (257 bytes) is too long: at most 256 bytes allowed`},
		{"long value", "motor", map[string][]string{"k": {"ok", strings.Repeat("x", MaxValueBytes+1)}},
			`properties: value 1 of key "k" "` + strings.Repeat("x", 64) + `"... (65537 bytes) is too long: at most 65536 bytes allowed`},
		{"value not utf-8", "motor", map[string][]string{"k": {"\xc3("}},
			`properties: value 0 of key "k" "\xc3(" is not valid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Set(ctx, tt.component, tt.props)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Set error:\n got: %v\nwant: %s", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
			var ie *InvalidError
			if !errors.As(err, &ie) || ie.Field == "" {
				t.Errorf("errors.As(*InvalidError) failed or empty field: %#v", ie)
			}
		})
	}
	// Nothing was stored by the refused calls.
	if cs, err := s.Components(ctx); err != nil || len(cs) != 0 {
		t.Errorf("Components after refused Sets = %q, %v; want none", cs, err)
	}
}

func TestValidationOtherMethods(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.Get(ctx, ""); err == nil || err.Error() != `properties: component name "" must not be empty` {
		t.Errorf("Get empty component: %v", err)
	}
	if err := s.Delete(ctx, "motor", "ok", "no/slash"); err == nil ||
		err.Error() != `properties: key "no/slash" must match [A-Za-z0-9_.-]+` {
		t.Errorf("Delete bad key: %v", err)
	}
	if err := s.Delete(ctx, "a\x00b", "k"); err == nil ||
		err.Error() != `properties: component name "a\x00b" contains control character U+0000; control characters are not allowed` {
		t.Errorf("Delete bad component: %v", err)
	}
}

func TestValidationAccepts(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	comp := "sys/tg_test/1 — moteur ✓" // free text, spaces and unicode are fine in names
	props := map[string][]string{
		strings.Repeat("k", MaxNameBytes): {strings.Repeat("v", MaxValueBytes)},
		"A-z_0.9":                         {"line1\nline2\ttab"}, // control chars are fine in values
	}
	if err := s.Set(ctx, comp, props); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, strings.Repeat("c", MaxNameBytes), map[string][]string{"k": nil}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, comp)
	if err != nil {
		t.Fatal(err)
	}
	assertProps(t, got, props)
}

func openTemp(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "props.db"))
}

func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}
