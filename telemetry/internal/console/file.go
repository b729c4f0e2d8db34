package console

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sightline-dev/sightline/telemetry/internal/nofollow"
)

// Files written by [OpenFile], in the place of Ray's per-process span files
// (ray.util.tracing.setup_local_tmp_tracing writes /tmp/spans/{pid}.txt
// with ConsoleSpanExporter and to_json(indent=None); Ray's tracing guide
// shows /tmp/spans/{os.getpid()}.json): one compact object per line, as
// [WithIndent](0) writes, appended to a file per process.
const (
	// FileMode is the permission a new file gets: owner read and write,
	// since spans carry whatever the program knows. An existing file keeps
	// its mode.
	FileMode = 0o600
	// DirMode is the permission of the directories OpenFile creates (as
	// Ray's hook creates /tmp/spans): owner only. Existing directories keep
	// theirs.
	DirMode = 0o700
	// DefaultFileMaxBytes bounds a file: 1 GiB. A batch that would take
	// the file past it is not written (see ErrFileFull).
	DefaultFileMaxBytes = 1 << 30
	// PIDPlaceholder in a path is replaced by the process id.
	PIDPlaceholder = "{pid}"
)

// ErrFileFull is returned (wrapped) by a file exporter for a batch that
// would take its file past the size bound. The batch is dropped (the
// caller counts it); a later, smaller one may still fit.
var ErrFileFull = errors.New("span file reached its size bound")

// ExpandPath replaces every "{pid}" in path with the current process id.
func ExpandPath(path string) string {
	return strings.ReplaceAll(path, PIDPlaceholder, strconv.Itoa(os.Getpid()))
}

// CheckPath reports what is wrong with a file path template: it must be
// non-empty, hold no NUL byte, and have no brace other than those of
// "{pid}" (so that Python's "{os.getpid()}" or a mistyped "{PID}" is an
// error rather than a literal file name).
func CheckPath(path string) error {
	if path == "" {
		return errors.New("empty path")
	}
	if strings.ContainsRune(path, 0) {
		return fmt.Errorf("path %q holds a NUL byte", path)
	}
	if rest := strings.ReplaceAll(path, PIDPlaceholder, ""); strings.ContainsAny(rest, "{}") {
		return fmt.Errorf("path %q has a placeholder other than %s (the only one)", path, PIDPlaceholder)
	}
	return nil
}

// file is an append-only file with a size bound, written one whole batch
// per write.
type file struct {
	path string
	max  int64

	mu     sync.Mutex
	f      *os.File
	size   int64 // bytes in the file, as far as this process knows
	broken bool  // the last write was short: start the next on a new line
	closed bool
}

// openFile creates the directories of ExpandPath(path) (DirMode) and opens
// the file for appending, creating it with FileMode. A symbolic link as the
// final component is refused. maxBytes <= 0 means DefaultFileMaxBytes.
func openFile(path string, maxBytes int64) (*file, error) {
	if err := CheckPath(path); err != nil {
		return nil, fmt.Errorf("console: open file: %w", err)
	}
	if maxBytes <= 0 {
		maxBytes = DefaultFileMaxBytes
	}
	path = ExpandPath(path)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, DirMode); err != nil {
			return nil, fmt.Errorf("console: create the directory of %s: %w", path, err)
		}
	}
	f, err := nofollow.Open(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, FileMode)
	if err != nil {
		return nil, fmt.Errorf("console: open span file: %w", err) // *fs.PathError names the path
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("console: open span file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("console: open span file %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	return &file{path: path, max: maxBytes, f: f, size: fi.Size()}, nil
}

// write appends p (whole lines) with one write call, or nothing: after
// close, or when p would take the file past its bound (ErrFileFull). A
// write that fails part way (a full disk) leaves a partial line; the next
// write starts on a new line so that only that one object is lost.
func (w *file) write(p []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.broken {
		p = append([]byte{'\n'}, p...)
	}
	if w.size+int64(len(p)) > w.max {
		return fmt.Errorf("console: %s: %w (%d bytes; %d more would pass it)", w.path, ErrFileFull, w.max, len(p))
	}
	n, err := w.f.Write(p)
	w.size += int64(n)
	if err != nil {
		w.broken = (n > 0 && p[n-1] != '\n') || (n == 0 && w.broken)
		return fmt.Errorf("console: %w", err) // *fs.PathError names the path
	}
	w.broken = false
	return nil
}

func (w *file) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}
