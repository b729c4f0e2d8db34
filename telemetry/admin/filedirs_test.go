package admin

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// realDir is t.TempDir() with its symbolic links resolved (macOS /var ->
// /private/var), as the handler reports allowed directories.
func realDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// File endpoints set at runtime go only inside the allowed directories:
// an escape by any path trick is refused, changes nothing, persists
// nothing and creates no file.
func TestFileEndpointConfined(t *testing.T) {
	allowed, outside := realDir(t), realDir(t)
	if err := os.Symlink(outside, filepath.Join(allowed, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "target.jsonl"), filepath.Join(allowed, "final.jsonl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(allowed, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	cronStatus := http.StatusForbidden
	if _, err := os.Stat("/etc/cron.d"); err != nil {
		cronStatus = http.StatusBadRequest // no such directory: refused all the same
	}
	p := &fakePersister{}
	f := serve(t, WithFileDirs(allowed), WithPersister(p))
	escape := filepath.Join(allowed, "..", filepath.Base(outside), "x.jsonl")
	tests := []struct {
		name, method, query, url string
		status                   int
		msg                      string
		created                  string // a file that must not exist afterwards ("" means url)
	}{
		{"cron", "PUT", "", "/etc/cron.d/x", cronStatus, "", ""},
		{"cron, persisted", "PUT", "?persist=1", "/etc/cron.d/x", cronStatus, "", ""},
		{"etc", "POST", "", "/etc/sightline-admin-test", 403, "is outside the directories allowed", ""},
		{"etc, file URL, persisted", "POST", "?persist=1", "file:///etc/sightline-admin-test", 403, "is outside", "/etc/sightline-admin-test"},
		{"dot-dot escape", "PUT", "", escape, 403, "is outside", filepath.Join(outside, "x.jsonl")},
		{"dot-dot escape, persisted", "PUT", "?persist=1", escape, 403, "is outside", filepath.Join(outside, "x.jsonl")},
		{"symlinked directory", "POST", "", filepath.Join(allowed, "link", "x.jsonl"), 403, "(in " + outside + ") is outside", filepath.Join(outside, "x.jsonl")},
		{"final symlink", "PUT", "", filepath.Join(allowed, "final.jsonl"), 403, "is a symbolic link", filepath.Join(outside, "target.jsonl")},
		{"final symlink, persisted", "POST", "?persist=1", filepath.Join(allowed, "final.jsonl"), 403, "is a symbolic link", filepath.Join(outside, "target.jsonl")},
		{"a directory", "PUT", "", filepath.Join(allowed, "sub"), 403, "is not a regular file (a directory)", filepath.Join(allowed, "sub", "x")},
		{"relative", "POST", "", "spans.jsonl", 400, "is not an absolute path", "spans.jsonl"},
		{"relative dot-dot", "PUT", "", "../../etc/x", 400, "is not an absolute path", ""},
		{"missing directory", "PUT", "", filepath.Join(allowed, "nope", "x.jsonl"), 400, "no such file or directory", ""},
		{"pid in the directory", "POST", "", filepath.Join(outside, "{pid}", "x.jsonl"), 400, "directory of file endpoint", filepath.Join(outside, strconv.Itoa(os.Getpid()))},
		// Console JSON files (Ray's per-process span files) are confined alike.
		{"console file in etc", "PUT", "", "console:/etc/sightline-admin-test", 403, "is outside", "/etc/sightline-admin-test"},
		{"console file, dot-dot escape", "POST", "", "console:" + escape, 403, "is outside", filepath.Join(outside, "x.jsonl")},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snap(f.comp)
			field := "url"
			body := `{"exporter":"file","url":"` + tt.url + `"}`
			if tt.method == "PUT" {
				field = "endpoints[1].url"
				body = `{"endpoints":[{"exporter":"memory","url":"` + f.mem + `"},` + body + `]}`
			}
			sig := "tracing"
			if i%2 == 1 {
				sig = "logging"
			}
			r := f.do(t, tt.method, motor+"/"+sig+"/endpoints"+tt.query, body, nil)
			e := errorBody(t, r)
			want := strings.TrimPrefix(tt.url, "file://")
			checkError(t, r.status, e, Error{StatusCode: tt.status, Message: tt.msg, Field: field, Value: want})
			if !strings.HasPrefix(e.Message, field+": file endpoint") && !strings.HasPrefix(e.Message, field+": directory of file endpoint") {
				t.Errorf("message %q does not start with the field and what was refused", e.Message)
			}
			if len(e.Allowed) != 1 || e.Allowed[0] != allowed {
				t.Errorf("allowed = %q, want [%s]", e.Allowed, allowed)
			}
			before.unchanged(t, f.comp)
			created := tt.created
			if created == "" {
				created = want
			}
			if _, err := os.Lstat(created); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s exists after the refusal (%v)", created, err)
			}
		})
	}
	if got := p.took(); len(got) != 0 {
		t.Errorf("refused changes persisted: %v", got)
	}
	if got := f.h.Refusals().FileEndpoint; got != uint64(len(tests)) {
		t.Errorf("FileEndpoint refusals = %d, want %d", got, len(tests))
	}

	// Inside the allowed directory (and in a directory below it, {pid}
	// in the name, persisted): accepted, and the exporter writes there.
	inside := filepath.Join(allowed, "sub", "spans-{pid}.jsonl")
	r := f.do(t, http.MethodPut, motor+"/tracing/endpoints?persist=1",
		`{"endpoints":[{"exporter":"file","url":"`+inside+`"}]}`, nil)
	if r.status != 200 {
		t.Fatalf("file endpoint inside the allowed directory: %d %s", r.status, r.body)
	}
	if _, err := os.Stat(strings.ReplaceAll(inside, "{pid}", strconv.Itoa(os.Getpid()))); err != nil {
		t.Errorf("the exporter's file: %v", err)
	}
	if got := p.took(); len(got) != 1 {
		t.Errorf("persisted %v, want the one accepted change", got)
	}
	// A console JSON file inside the allowed directory is accepted too.
	r = f.do(t, http.MethodPost, motor+"/logging/endpoints",
		`{"exporter":"file","url":"console:`+filepath.Join(allowed, "sub", "ray-{pid}.json")+`"}`, nil)
	if r.status != 200 {
		t.Errorf("console file endpoint inside the allowed directory: %d %s", r.status, r.body)
	}
	// Sending the endpoints back as they are (GET, PUT) is no new target.
	r = f.do(t, http.MethodPut, motor+"/tracing/endpoints", `{"endpoints":[{"exporter":"file","url":"`+inside+`"}]}`, nil)
	if r.status != 200 {
		t.Errorf("the current endpoint sent back: %d %s", r.status, r.body)
	}
}

// Where the allowed directories come from: WithFileDirs,
// SIGHTLINE_ADMIN_FILE_DIRS, and the file endpoints components had when
// they were added. With none, file endpoints cannot be set at runtime.
func TestFileDirsSources(t *testing.T) {
	byOption, byEnv, byEnv2, byComponent, other := realDir(t), realDir(t), realDir(t), realDir(t), realDir(t)
	env := lookup(map[string]string{FileDirsEnv: byEnv + string(os.PathListSeparator) + " " + string(os.PathListSeparator) + byEnv2})
	comp, _ := testComponent(t, "writer", map[string]string{
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "file",
		"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": filepath.Join(byComponent, "logs-{pid}.jsonl"),
	})
	f := serve(t, WithEnv(env), WithFileDirs(byOption), WithComponents(comp))
	want := []string{byOption, byEnv, byEnv2, byComponent}
	if got := f.h.FileDirs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("FileDirs = %q, want %q", got, want)
	}
	for _, d := range want {
		r := f.do(t, http.MethodPost, PathPrefix+"/writer/tracing/endpoints", `{"exporter":"file","url":"`+d+`/t.jsonl"}`, nil)
		if r.status != 200 {
			t.Errorf("file endpoint in %s: %d %s", d, r.status, r.body)
		}
	}
	r := f.do(t, http.MethodPost, PathPrefix+"/writer/tracing/endpoints", `{"exporter":"file","url":"`+other+`/t.jsonl"}`, nil)
	checkError(t, r.status, errorBody(t, r), Error{StatusCode: 403, Message: "is outside", Field: "url", Value: other + "/t.jsonl", Allowed: want})

	// No directory allowed: the refusal says how to allow one.
	g := serve(t)
	r = g.do(t, http.MethodPost, motor+"/tracing/endpoints", `{"exporter":"file","url":"`+other+`/t.jsonl"}`, nil)
	e := errorBody(t, r)
	checkError(t, r.status, e, Error{StatusCode: 403, Message: "no directory allows runtime file endpoints", Field: "url", Value: other + "/t.jsonl"})
	if !strings.Contains(e.Message, FileDirsEnv) || len(e.Allowed) != 0 {
		t.Errorf("refusal %+v: want it to name %s and allow nothing", e, FileDirsEnv)
	}

	// Directories must be absolute.
	for _, opts := range [][]Option{
		{noEnv, WithFileDirs("spans")},
		{WithEnv(lookup(map[string]string{FileDirsEnv: byEnv + string(os.PathListSeparator) + "rel/dir"}))},
	} {
		if _, err := NewHandler(opts...); err == nil || !strings.Contains(err.Error(), "is not an absolute path") ||
			!strings.Contains(err.Error(), FileDirsEnv) {
			t.Errorf("NewHandler with a relative directory = %v", err)
		}
	}
}
