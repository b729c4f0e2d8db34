package otlpgrpcenc

import (
	"compress/gzip"
	"fmt"

	"google.golang.org/grpc"
)

// gzipSpeed is the dial option that compresses the connection's requests
// with gzip at its best speed, as otlphttpenc and internal/otlphttp do:
// less than half the CPU of the default level for requests about a fifth
// larger (at the default level, which the SDK's otlptracegrpc uses, the
// compressor took most of an export's time). grpc-go's registered "gzip"
// compressor has one level for the whole process (gzip.SetLevel), which a
// library must not change under its host's other gRPC clients; grpc-go's
// per-connection compressor is the only per-connection way. It is
// deprecated in favour of the registered compressors but "supported
// throughout 1.x" (grpc-go dialoptions.go), and the server sees the same
// "gzip" encoding.
func gzipSpeed() (grpc.DialOption, error) {
	//lint:ignore SA1019 the per-connection compressor is the only way to set a level without changing the process's.
	c, err := grpc.NewGZIPCompressorWithLevel(gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("otlpgrpcenc: gzip compressor: %w", err)
	}
	//lint:ignore SA1019 see above.
	return grpc.WithCompressor(c), nil
}
