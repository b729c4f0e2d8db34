// Package serveproc runs `sightline serve` as a child process for the
// benchmarks (bench/ingest, bench/query): it starts the binary on free
// ports, parses the addresses it prints, and reads its CPU time and
// memory from /proc (Linux).
package serveproc

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Server is a running `sightline serve`.
type Server struct {
	cmd                  *exec.Cmd
	GRPC, HTTP, UI, Data string // host:port, host:port, http://host:port, the data file
	done                 chan error
	stopOnce             sync.Once
	stopErr              error
}

var lineRE = regexp.MustCompile(`^sightline serve: (otlp grpc|otlp http|ui|data) (\S+)$`)

// Start runs `bin serve --data dir --grpc 127.0.0.1:0 --http 127.0.0.1:0
// --ui 127.0.0.1:0 extra...` and returns once it has printed its
// addresses. Its output after that goes to log (nil discards it).
func Start(bin, dir string, log io.Writer, extra ...string) (*Server, error) {
	if log == nil {
		log = io.Discard
	}
	args := append([]string{"serve", "--data", dir, "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ui", "127.0.0.1:0"}, extra...)
	s := &Server{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	s.cmd.Stderr = log
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(log, sc.Text())
			if m := lineRE.FindStringSubmatch(sc.Text()); m != nil {
				switch m[1] {
				case "otlp grpc":
					s.GRPC = m[2]
				case "otlp http":
					s.HTTP = m[2]
				case "ui":
					s.UI = m[2]
				case "data":
					s.Data = m[2]
					close(ready)
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
		s.done <- s.cmd.Wait()
	}()
	select {
	case <-ready:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("serve exited before listening: %v", err)
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		return nil, errors.New("serve did not print its addresses within a minute")
	}
}

// PID is the child's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Stop sends SIGTERM and waits for the exit (SIGKILL after timeout).
// Later calls return the first one's result.
func (s *Server) Stop(timeout time.Duration) error {
	s.stopOnce.Do(func() {
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			s.stopErr = err
			return
		}
		select {
		case s.stopErr = <-s.done:
		case <-time.After(timeout):
			_ = s.cmd.Process.Kill()
			s.stopErr = fmt.Errorf("serve did not stop within %v after SIGTERM: killed", timeout)
		}
	})
	return s.stopErr
}

// userHZ is the unit of /proc/PID/stat times (USER_HZ, 100 on Linux).
const userHZ = 100

// CPUSeconds returns the child's user plus system CPU time so far.
func (s *Server) CPUSeconds() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.PID()))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// count fields after the last ')'. utime and stime are fields 14, 15.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", s.PID(), len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return float64(utime+stime) / userHZ, nil
}

// Memory returns the child's resident set size now and its peak (VmRSS,
// VmHWM), in bytes.
func (s *Server) Memory() (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.PID()))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		for name, dst := range map[string]*int64{"VmRSS:": &rss, "VmHWM:": &peak} {
			if v, ok := strings.CutPrefix(line, name); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if err != nil {
					return 0, 0, fmt.Errorf("%s %q: %w", name, v, err)
				}
				*dst = kb << 10
			}
		}
	}
	return rss, peak, nil
}

// Stats is the part of GET /api/stats the benchmarks read.
type Stats struct {
	Receiver struct {
		Traces struct {
			ReceivedItems   int64            `json:"received_items"`
			StoredItems     int64            `json:"stored_items"`
			RefusedRequests map[string]int64 `json:"refused_requests"`
		} `json:"traces"`
	} `json:"receiver"`
	Store struct {
		Spans                 int64 `json:"spans"`
		Traces                int64 `json:"traces"`
		FileBytes             int64 `json:"file_bytes"`
		UsedBytes             int64 `json:"used_bytes"`
		OpenSpans             int64 `json:"open_spans"`
		LostSpans             int64 `json:"lost_spans"`
		Announcements         int64 `json:"announcements"`
		AnnouncementsRejected int64 `json:"announcements_rejected"`
	} `json:"store"`
}

// Stats reads GET /api/stats.
func (s *Server) Stats(c *http.Client) (Stats, error) {
	var st Stats
	err := GetJSON(c, s.UI+"/api/stats", &st)
	return st, err
}

// GetJSON GETs url, wants 200 and decodes the body into v (when not nil);
// it returns the body's size.
func GetJSON(c *http.Client, url string, v any) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(body, v)
}

// DirSize returns the total size of the regular files in dir.
func DirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
