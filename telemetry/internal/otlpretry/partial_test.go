package otlpretry_test

import (
	"errors"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// TestPartialSuccess checks that the partial success of a trace or logs
// response, protobuf or JSON, is read into the SDK's text, and that an
// empty, all-accepted or undecodable response is a success.
func TestPartialSuccess(t *testing.T) {
	// answer is a response of kind rejecting n items with msg.
	answer := func(kind string, n int64, msg string, json bool) []byte {
		var marshal func() ([]byte, error)
		if kind == otlpretry.KindLogs {
			resp := plogotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedLogRecords(n)
			resp.PartialSuccess().SetErrorMessage(msg)
			marshal = resp.MarshalProto
			if json {
				marshal = resp.MarshalJSON
			}
		} else {
			resp := ptraceotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedSpans(n)
			resp.PartialSuccess().SetErrorMessage(msg)
			marshal = resp.MarshalProto
			if json {
				marshal = resp.MarshalJSON
			}
		}
		b, err := marshal()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	spans, logs := otlpretry.KindSpans, otlpretry.KindLogs
	for _, tt := range []struct {
		name string
		kind string
		data []byte
		json bool
		want string // "" for nil
	}{
		{"spans protobuf", spans, answer(spans, 2, "2 spans too old", false), false, "OTLP partial success: 2 spans too old (2 spans rejected)"},
		{"spans JSON", spans, answer(spans, 3, "", true), true, "OTLP partial success: empty message (3 spans rejected)"},
		{"spans warning", spans, answer(spans, 0, "slow down", false), false, "OTLP partial success: slow down (0 spans rejected)"},
		{"logs protobuf", logs, answer(logs, 2, "too old", false), false, "OTLP partial success: too old (2 logs rejected)"},
		{"logs JSON", logs, answer(logs, 1, "x", true), true, "OTLP partial success: x (1 logs rejected)"},
		{"all accepted", spans, answer(spans, 0, "", false), false, ""},
		{"empty", logs, nil, false, ""},
		{"not OTLP", spans, []byte("OK"), true, ""},
		{"JSON read as protobuf", spans, []byte(`{"partialSuccess":{"rejectedSpans":"2"}}`), false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := otlpretry.PartialSuccess(tt.kind, tt.data, tt.json)
			if tt.want == "" {
				if err != nil {
					t.Errorf("%v, want nil", err)
				}
				return
			}
			ps, ok := errors.AsType[*otlpretry.PartialSuccessError](err)
			if !ok || err.Error() != tt.want || ps.Kind != tt.kind {
				t.Errorf("%v, want a *PartialSuccessError %q of kind %s", err, tt.want, tt.kind)
			}
		})
	}
}
