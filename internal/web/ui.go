package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The viewer's static files: HTML pages, CSS and JavaScript modules, served
// as they are (no build step).
//
//go:embed ui
var uiFiles embed.FS

// uiCSP is the Content-Security-Policy of every response of the UI: only
// the viewer's own scripts, styles and API, no inline script or style, no
// framing.
const uiCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// uiDefaultGroupMin is the default smallest run of similar siblings that
// the waterfall folds into one group row.
const uiDefaultGroupMin = 10

// UIOption configures the handler of [NewUI]. Options are values of the
// With* functions.
type UIOption interface{ applyUI(*uiOptions) }

// uiOption is a UIOption that runs a function on the options.
type uiOption func(*uiOptions)

func (f uiOption) applyUI(o *uiOptions) { f(o) }

type uiOptions struct {
	groupMin int
}

// WithGroupMin sets the smallest number of consecutive siblings with the
// same name and service that the trace waterfall shows as one expandable
// group row (default 10). Values below 2 keep the default. A page can
// override it with the query parameter group=N.
func WithGroupMin(n int) UIOption {
	return uiOption(func(o *uiOptions) {
		if n >= 2 {
			o.groupMin = n
		}
	})
}

// uiFile is one file ready to serve.
type uiFile struct {
	body        []byte
	contentType string
	etag        string
}

// uiTraceID matches the trace id of a /trace/{trace_id} address.
var uiTraceID = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)

// NewUI returns the handler of the trace viewer's pages and static files:
//
//	GET /                   the trace search page
//	GET /trace/{trace_id}   the trace page (a stable, shareable address;
//	                        ?span={span_id} selects a span)
//	GET /logs               the logs page
//	GET /static/...         CSS, JavaScript modules, icons
//
// The pages call the JSON API of [NewAPI] on the same origin, under
// /api/, so both are mounted on one mux:
//
//	mux := http.NewServeMux()
//	mux.Handle("/api/", web.NewAPI(st, stats))
//	mux.Handle("/", web.NewUI())
//	http.ListenAndServe("127.0.0.1:8760", mux)
//
// Every response, errors included, carries a strict
// Content-Security-Policy (scripts, styles and connections only from the
// same origin, nothing inline, no framing), X-Content-Type-Options: nosniff
// and Referrer-Policy: no-referrer. Other paths are 404; methods other than
// GET and HEAD are 405.
func NewUI(opts ...UIOption) http.Handler {
	o := uiOptions{groupMin: uiDefaultGroupMin}
	for _, opt := range opts {
		if opt != nil {
			opt.applyUI(&o)
		}
	}
	files := uiLoad(o)
	page := func(name string) http.HandlerFunc {
		f := files[name]
		return func(w http.ResponseWriter, r *http.Request) { uiServe(w, r, f) }
	}
	mux := http.NewServeMux()
	mux.Handle("/{$}", page("index.html"))
	mux.Handle("/logs", page("logs.html"))
	trace := files["trace.html"]
	mux.HandleFunc("/trace/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !uiTraceID.MatchString(id) {
			uiNotFound(w)
			return
		}
		// The page preloads the trace's first page of spans: the request
		// leaves while the HTML is parsed, before the scripts run. The id
		// is 32 hex digits, safe in the attribute.
		f := trace
		f.body = bytes.ReplaceAll(f.body, []byte("{{trace-id}}"), []byte(strings.ToLower(id)))
		f.etag = ""
		uiServe(w, r, f)
	})
	mux.HandleFunc("/static/", func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			uiNotFound(w)
			return
		}
		uiServe(w, r, f)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { uiNotFound(w) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", uiCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// uiLoad reads the embedded files once: pages (with the options filled
// in) by name, static files by their path under ui/ ("static/js/dom.js").
func uiLoad(o uiOptions) map[string]uiFile {
	root, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		return nil // cannot happen: the directory is embedded
	}
	files := map[string]uiFile{}
	_ = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		if path.Ext(name) == ".html" {
			body = bytes.ReplaceAll(body, []byte("{{group-min}}"), []byte(strconv.Itoa(o.groupMin)))
		}
		sum := sha256.Sum256(body)
		files[name] = uiFile{
			body:        body,
			contentType: uiContentType(name),
			etag:        `"` + hex.EncodeToString(sum[:12]) + `"`,
		}
		return nil
	})
	return files
}

// uiContentType is the Content-Type of a file by its extension; files of
// other kinds are sent as bytes, which nosniff keeps from being run.
func uiContentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".json":
		return "application/json"
	}
	return "application/octet-stream"
}

// uiServe sends f, answering a conditional request by its ETag. Browsers
// revalidate every time (no-cache), which costs a 304 on loopback and
// never serves a stale viewer after an upgrade.
func uiServe(w http.ResponseWriter, r *http.Request, f uiFile) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "no-cache")
	if f.etag != "" {
		h.Set("ETag", f.etag)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

func uiNotFound(w http.ResponseWriter) {
	http.Error(w, "404 page not found", http.StatusNotFound)
}
