package remote

import (
	"encoding/json"
	"net/url"
	"time"
)

// The wire protocol, documented in docs/remote-protocol.md. Every call is
// one HTTP request; bodies are JSON; names in paths are one escaped segment
// (a device name "sim/motor/1" is "sim%2Fmotor%2F1").
const (
	// PathPrefix starts every device route.
	PathPrefix = "/remote/v1"

	// HeaderTimeout carries the caller's remaining time as a Go duration
	// ("2.5s"); the server runs the call under that deadline.
	HeaderTimeout = "Sightline-Timeout"
	// HeaderClientHost, HeaderClientPID and HeaderClientProgram identify the
	// calling process; they become attributes of the server span.
	HeaderClientHost    = "Sightline-Client-Host"
	HeaderClientPID     = "Sightline-Client-Pid"
	HeaderClientProgram = "Sightline-Client-Program"

	// MaxBody is the largest request body a server reads.
	MaxBody = 1 << 20
	// MaxWait is the longest an operation poll waits for completion.
	MaxWait = 30 * time.Second
)

// Quality is the quality of an attribute reading, as in Tango.
type Quality string

// The qualities a reading may have.
const (
	QualityValid    Quality = "VALID"
	QualityInvalid  Quality = "INVALID"
	QualityAlarm    Quality = "ALARM"
	QualityChanging Quality = "CHANGING"
	QualityWarning  Quality = "WARNING"
)

// Qualities lists every Quality, for validation and messages.
var Qualities = []Quality{QualityValid, QualityInvalid, QualityAlarm, QualityChanging, QualityWarning}

// Valid reports whether q is one of Qualities.
func (q Quality) Valid() bool {
	for _, v := range Qualities {
		if q == v {
			return true
		}
	}
	return false
}

// State is a device's state on its server.
type State string

// The states a device on a server can be in.
const (
	// StateOn: the device is running and answers calls.
	StateOn State = "ON"
	// StateOff: the device is registered but stopped; calls get
	// ErrNotRunning.
	StateOff State = "OFF"
)

// DeviceInfo describes a device on a server (GET /remote/v1/devices/{name}).
type DeviceInfo struct {
	Name       string          `json:"name"`
	Class      string          `json:"class"`
	State      State           `json:"state"`
	Commands   []CommandInfo   `json:"commands"`
	Attributes []AttributeInfo `json:"attributes"`
}

// CommandInfo describes a command: its name and the JSON types of its
// argument and result ("void", "boolean", "integer", "number", "string",
// "array", "object" or "any").
type CommandInfo struct {
	Name string `json:"name"`
	In   string `json:"in"`
	Out  string `json:"out"`
	// Async is true for a command that starts an operation (Set, Trigger):
	// its result is an OperationRef.
	Async bool `json:"async,omitempty"`
}

// AttributeInfo describes an attribute.
type AttributeInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Writable bool   `json:"writable"`
	Unit     string `json:"unit,omitempty"`
}

// CommandRequest is the body of POST .../commands/{command}; an absent
// Argin is no argument.
type CommandRequest struct {
	Argin json.RawMessage `json:"argin,omitempty"`
}

// CommandResponse is the answer to a command: its result (null for
// none), or an OperationRef for an async command.
type CommandResponse struct {
	Argout json.RawMessage `json:"argout"`
}

// AttributeValue is an attribute reading (GET .../attributes/{attr}).
type AttributeValue struct {
	Name    string          `json:"name"`
	Value   json.RawMessage `json:"value"`
	Quality Quality         `json:"quality"`
	Time    time.Time       `json:"time"`
}

// Decode unmarshals the value into v (a pointer).
func (a AttributeValue) Decode(v any) error {
	if err := json.Unmarshal(a.Value, v); err != nil {
		return &Error{Code: CodeBadResponse, Message: "attribute " + a.Name + ": " + err.Error()}
	}
	return nil
}

// WriteRequest is the body of PUT .../attributes/{attr}.
type WriteRequest struct {
	Value json.RawMessage `json:"value"`
}

// OperationRef is the result of an async command: the operation to poll.
type OperationRef struct {
	Operation string `json:"operation"`
}

// OperationState answers GET /remote/v1/operations/{id} and DELETE of the
// same path. Done is false while the operation runs; once done, Success is
// true or Error says why it failed, and FinishPos is where the device
// ended (absent when it does not say).
type OperationState struct {
	ID        string          `json:"id"`
	Done      bool            `json:"done"`
	Success   bool            `json:"success,omitempty"`
	Error     *Error          `json:"error,omitempty"`
	FinishPos json.RawMessage `json:"finish_pos,omitempty"`
}

// PingResponse answers GET .../ping.
type PingResponse struct {
	State State `json:"state"`
}

// DeviceList answers GET /remote/v1/devices.
type DeviceList struct {
	Devices []DeviceInfo `json:"devices"`
}

func devicePath(name string) string {
	return PathPrefix + "/devices/" + url.PathEscape(name)
}

func commandPath(dev, cmd string) string {
	return devicePath(dev) + "/commands/" + url.PathEscape(cmd)
}

func attributePath(dev, attr string) string {
	return devicePath(dev) + "/attributes/" + url.PathEscape(attr)
}

func operationPath(id string) string {
	return PathPrefix + "/operations/" + url.PathEscape(id)
}
