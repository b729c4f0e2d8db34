package remote

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
)

// Attribute keys this package (and remote/server) adds beside the semantic
// conventions.
const (
	AttrDeviceName    = attribute.Key("device.name")
	AttrDeviceClass   = attribute.Key("device.class")
	AttrClientHost    = attribute.Key("sightline.client.host")
	AttrClientPID     = attribute.Key("sightline.client.pid")
	AttrClientProgram = attribute.Key("sightline.client.program")
	AttrErrorCode     = attribute.Key("remote.error.code")
	AttrOperation     = attribute.Key("remote.operation")
)

// rpcSystem is the rpc.system attribute of client spans (remote/server
// gives its server spans the same).
var rpcSystem = attribute.String("rpc.system", "sightline.remote")

// identity is who a client is; sent as headers with every call.
type identity struct {
	host, program string
	pid           int
}

func localIdentity() identity {
	host, _ := os.Hostname()
	return identity{host: host, pid: os.Getpid(), program: filepath.Base(os.Args[0])}
}

func (id identity) set(h http.Header) {
	h.Set(HeaderClientHost, id.host)
	h.Set(HeaderClientPID, strconv.Itoa(id.pid))
	h.Set(HeaderClientProgram, id.program)
}

// clip shortens a value for an error message.
func clip(b []byte) string {
	const n = 80
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
