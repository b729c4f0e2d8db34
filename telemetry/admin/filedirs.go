package admin

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
)

// File endpoints set at runtime may only write inside directories allowed
// when the process started (doc.go, "File endpoints"): otherwise anyone
// with the token could make the process, perhaps root, write any file.

// allowedDirs returns the directories of WithFileDirs and
// SIGHTLINE_ADMIN_FILE_DIRS, each absolute, cleaned and with its symbolic
// links resolved (when it exists).
func allowedDirs(o handlerOptions) ([]string, error) {
	var dirs []string
	add := func(source, d string) error {
		if !filepath.IsAbs(d) {
			return fmt.Errorf("telemetry admin: %s: directory %q is not an absolute path; "+
				"want absolute directories (separated by %q in %s)", source, d, string(os.PathListSeparator), FileDirsEnv)
		}
		if r := resolveDir(d); !slices.Contains(dirs, r) {
			dirs = append(dirs, r)
		}
		return nil
	}
	for _, d := range o.fileDirs {
		if err := add("WithFileDirs", d); err != nil {
			return nil, err
		}
	}
	if o.getenv != nil {
		if v, ok := o.getenv(FileDirsEnv); ok {
			for _, d := range filepath.SplitList(v) {
				if d = strings.TrimSpace(d); d == "" {
					continue
				}
				if err := add(FileDirsEnv, d); err != nil {
					return nil, err
				}
			}
		}
	}
	return dirs, nil
}

// resolveDir cleans an absolute directory and resolves its symbolic links;
// one that does not exist (yet) stays as cleaned.
func resolveDir(d string) string {
	d = filepath.Clean(d)
	if r, err := filepath.EvalSymlinks(d); err == nil {
		return r
	}
	return d
}

// expandPID replaces {pid} as the file exporter does.
func expandPID(path string) string {
	return strings.ReplaceAll(path, "{pid}", strconv.Itoa(os.Getpid()))
}

// allowDirsOf allows the directories of c's current file endpoints (a
// relative one is taken from the working directory). h.mu must be held.
func (h *Handler) allowDirsOf(c *telemetry.Component) {
	cfg, _ := c.Control().Config()
	for _, ep := range slices.Concat(cfg.TracingEndpoints, cfg.LoggingEndpoints) {
		if ep.Exporter != telemetry.ExporterFile {
			continue
		}
		path, _ := ep.FilePath() // without console: before it
		abs, err := filepath.Abs(expandPID(path))
		if err != nil {
			continue
		}
		if d := resolveDir(filepath.Dir(abs)); !slices.Contains(h.fileDirs, d) {
			h.fileDirs = append(h.fileDirs, d)
		}
	}
}

// FileDirs returns the directories in which file endpoints may be set at
// runtime (absolute, symbolic links resolved).
func (h *Handler) FileDirs() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return slices.Clone(h.fileDirs)
}

// checkFile refuses a file endpoint (ep, in normal form) outside the
// allowed directories; an endpoint the signal has already (in current) is
// not new and passes. field names the URL in the request.
func (h *Handler) checkFile(field string, ep telemetry.Endpoint, current []telemetry.Endpoint) *Error {
	if ep.Exporter != telemetry.ExporterFile || slices.Contains(current, ep) {
		return nil
	}
	path, _ := ep.FilePath() // a console JSON file (console:PATH) is confined alike
	e := h.fileProblem(field, ep.URL, path)
	if e != nil {
		h.refused.fileEndpoint.Add(1)
	}
	return e
}

// fileProblem says why the file at file (raw as given, with any
// console: prefix) may not be an endpoint, nil when it may.
func (h *Handler) fileProblem(field, raw, file string) *Error {
	dirs := h.FileDirs()
	refuse := func(status int, format string, args ...any) *Error {
		msg := field + ": " + fmt.Sprintf(format, args...)
		if len(dirs) == 0 {
			msg += fmt.Sprintf("; no directory allows runtime file endpoints: allow some when the program starts (%s, or admin.WithFileDirs)", FileDirsEnv)
		}
		return apiError(status, field, raw, msg, dirs)
	}
	path := expandPID(file)
	if !filepath.IsAbs(path) {
		return refuse(http.StatusBadRequest, "file endpoint %q is not an absolute path", raw)
	}
	clean := filepath.Clean(path)
	dir, err := filepath.EvalSymlinks(filepath.Dir(clean))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return refuse(http.StatusBadRequest, "directory of file endpoint %q: %v", raw, err)
	}
	if !within(dir, dirs) {
		return refuse(http.StatusForbidden, "file endpoint %q (in %s) is outside the directories allowed for file endpoints", raw, dir)
	}
	fi, err := os.Lstat(filepath.Join(dir, filepath.Base(clean)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return refuse(http.StatusBadRequest, "file endpoint %q: %v", raw, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return refuse(http.StatusForbidden, "file endpoint %q is a symbolic link; name the file itself", raw)
	case !fi.Mode().IsRegular():
		return refuse(http.StatusForbidden, "file endpoint %q is not a regular file (%s)", raw, fileType(fi.Mode()))
	}
	return nil
}

// within reports whether dir is one of dirs or inside one.
func within(dir string, dirs []string) bool {
	for _, root := range dirs {
		rel, err := filepath.Rel(root, dir)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// fileType names what a non-regular file is.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}
