package server

import (
	"context"
	"strings"
)

// adminDevice is the server's own device, dserver/<name>, with Tango's
// admin commands.
func (s *Server) adminDevice() *Device {
	class := s.name[:strings.IndexByte(s.name, '/')]
	d := NewDevice(s.AdminDevice(), "DServer", WithServiceName(class))
	Command(d, "QueryDevice", func(context.Context, Void) ([]string, error) { return s.Devices(), nil })
	Command(d, "DevRestart", func(ctx context.Context, name string) (Void, error) {
		return Void{}, s.RestartDevice(ctx, name)
	})
	Command(d, "DevStop", func(ctx context.Context, name string) (Void, error) {
		return Void{}, s.StopDevice(ctx, name)
	})
	Command(d, "DevStart", func(ctx context.Context, name string) (Void, error) {
		return Void{}, s.StartDevice(ctx, name)
	})
	return d
}
