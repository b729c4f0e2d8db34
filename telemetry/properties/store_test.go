package properties

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)

	got, err := s.Get(ctx, "motor")
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("Get of unknown component = %v, %v; want empty map", got, err)
	}

	first := map[string][]string{
		"telemetry_enable":            {"on"},
		"telemetry_tracing_endpoints": {"grpc://collector:4317", "http://other:4318/v1/traces"},
		"telemetry_topics":            {"user,kernel"},
		"free.form-key_1":             {"anything", ""},
	}
	if err := s.Set(ctx, "motor", first); err != nil {
		t.Fatal(err)
	}
	got, err = s.Get(ctx, "motor")
	if err != nil {
		t.Fatal(err)
	}
	assertProps(t, got, first)

	// A second Set overwrites the keys it names and keeps the others.
	if err := s.Set(ctx, "motor", map[string][]string{"telemetry_enable": {"off"}, "new": {"x"}}); err != nil {
		t.Fatal(err)
	}
	want := clone(first)
	want["telemetry_enable"] = []string{"off"}
	want["new"] = []string{"x"}
	got, _ = s.Get(ctx, "motor")
	assertProps(t, got, want)

	// Delete removes the named keys; missing keys and no keys are fine.
	if err := s.Delete(ctx, "motor", "new", "never-set"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "motor"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "nobody", "k"); err != nil {
		t.Fatal(err)
	}
	delete(want, "new")
	got, _ = s.Get(ctx, "motor")
	assertProps(t, got, want)

	// An empty Set is a no-op.
	if err := s.Set(ctx, "motor", nil); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "motor")
	assertProps(t, got, want)
}

func TestEmptyListVersusMissing(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if err := s.Set(ctx, "c", map[string][]string{"nil": nil, "empty": {}, "one-empty": {""}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"nil", "empty"} {
		v, ok := got[k]
		if !ok || v == nil || len(v) != 0 {
			t.Errorf("%s: got %#v, present=%v; want present empty non-nil list", k, v, ok)
		}
	}
	if v := got["one-empty"]; !reflect.DeepEqual(v, []string{""}) {
		t.Errorf("one-empty: got %#v, want [\"\"]", v)
	}
	if _, ok := got["missing"]; ok {
		t.Error("missing key present")
	}
	if len(got) != 3 {
		t.Errorf("got %d keys, want 3: %v", len(got), got)
	}
	// Deleting makes the key missing, not empty.
	if err := s.Delete(ctx, "c", "empty"); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "c")
	if _, ok := got["empty"]; ok {
		t.Error("deleted key still present")
	}
}

func TestUnicodeAndSpecialValues(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	props := map[string][]string{
		"greek":   {"αβγ", "Ωmega"},
		"emoji":   {"🚀 launch", "👩‍🔬"},
		"cjk":     {"日本語のテキスト"},
		"json":    {`{"a":[1,2]}`, `"quoted"`, `back\slash`, "<html>&amp;"},
		"nul":     {"a\x00b"},
		"ctrl":    {"\r\n\t\x1b[0m"},
		"rtl":     {"\u202eabc"},
		"u-fffd":  {"\ufffd"},
		"surplus": {"\u2028\u2029"},
	}
	if err := s.Set(ctx, "ユニコード/コンポーネント", props); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "ユニコード/コンポーネント")
	if err != nil {
		t.Fatal(err)
	}
	assertProps(t, got, props)
	// Stored text is readable JSON: no HTML escaping of <, > and &.
	var text string
	if err := s.db.QueryRow(`SELECT value FROM properties WHERE key = 'json'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if want := `["{\"a\":[1,2]}","\"quoted\"","back\\slash","<html>&amp;"]`; text != want {
		t.Errorf("stored text %s, want %s", text, want)
	}
}

func TestComponents(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if cs, err := s.Components(ctx); err != nil || cs == nil || len(cs) != 0 {
		t.Fatalf("Components of new file = %#v, %v; want empty", cs, err)
	}
	for _, c := range []string{"sys/motor/2", "Zeta", "sys/motor/10", "émile", "alpha"} {
		if err := s.Set(ctx, c, map[string][]string{"k": {c}, "k2": nil}); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := s.Components(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Zeta", "alpha", "sys/motor/10", "sys/motor/2", "émile"}
	if !reflect.DeepEqual(cs, want) {
		t.Errorf("Components = %q, want %q", cs, want)
	}
	// A component whose keys are all deleted is no longer listed.
	if err := s.Delete(ctx, "alpha", "k", "k2"); err != nil {
		t.Fatal(err)
	}
	cs, _ = s.Components(ctx)
	if want := []string{"Zeta", "sys/motor/10", "sys/motor/2", "émile"}; !reflect.DeepEqual(cs, want) {
		t.Errorf("Components after delete = %q, want %q", cs, want)
	}
}

func TestPersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a dir with spaces?#%", "props.db")
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	props := map[string][]string{"telemetry_sampler": {"traceidratio:0.25"}}
	if err := s.Set(ctx, "motor", props); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("file not at the given path (URI escaping): %v", err)
	}
	s2 := openAt(t, path)
	got, err := s2.Get(ctx, "motor")
	if err != nil {
		t.Fatal(err)
	}
	assertProps(t, got, props)
}

func TestCloseIdempotentAndAfterClose(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Get(ctx, "c"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if err := s.Set(ctx, "c", map[string][]string{"k": nil}); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close: %v, want ErrClosed", err)
	}
	if err := s.Delete(ctx, "c", "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Components(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Components after Close: %v, want ErrClosed", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-dir", "props.db")
	if _, err := Open(ctx, missing); err == nil || !strings.Contains(err.Error(), missing) ||
		!strings.HasPrefix(err.Error(), "properties: ") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open in missing dir: %v", err)
	}
	if _, err := Open(ctx, dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open of a directory: %v", err)
	}
	if _, err := Open(ctx, ""); err == nil || err.Error() != "properties: open: empty path" {
		t.Errorf("Open empty path: %v", err)
	}
	notDB := filepath.Join(dir, "not.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("this is not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, notDB); err == nil || !strings.Contains(err.Error(), notDB) {
		t.Errorf("Open of a non-database: %v", err)
	} else {
		t.Log(err)
	}
	// Nothing was created for the failed opens.
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir created: %v", err)
	}
}

func TestContextCanceled(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Set(ctx, "c", map[string][]string{"k": {"v"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with canceled ctx: %v", err)
	}
	if _, err := s.Get(ctx, "c"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with canceled ctx: %v", err)
	}
}

func assertProps(t *testing.T, got, want map[string][]string) {
	t.Helper()
	norm := func(m map[string][]string) map[string][]string {
		out := make(map[string][]string, len(m))
		for k, v := range m {
			if v == nil {
				v = []string{}
			}
			out[k] = v
		}
		return out
	}
	if !reflect.DeepEqual(norm(got), norm(want)) {
		t.Errorf("properties:\n got: %q\nwant: %q", got, want)
	}
}

func clone(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = append([]string(nil), v...)
	}
	return out
}
