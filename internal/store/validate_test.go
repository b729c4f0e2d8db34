package store

import (
	"strings"
	"testing"
	"time"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string // "" for valid; else each line in the error
	}{
		{"zero", Options{}, ""},
		{"default", DefaultOptions(), ""},
		{"negative age", Options{RetentionAge: -time.Second}, "store: retention age -1s is negative (0 keeps data forever)"},
		{"short age", Options{RetentionAge: time.Second}, "store: retention age 1s is less than 1m0s (0 keeps data forever)"},
		{"negative bytes", Options{RetentionBytes: -1}, "store: retention bytes -1 is negative (0 means no cap)"},
		{"small cap", Options{RetentionBytes: 1000}, "store: retention bytes 1000 is less than 1 MiB (0 means no cap)"},
		{"queue", Options{QueueLength: -1}, "store: queue length -1 is negative (0 means 64)"},
		{"limits", Options{MaxAttributes: 1, MaxValueBytes: 64 << 20, MaxEvents: 1 << 30, MaxLinks: 1}, ""},
		{"negative attributes", Options{MaxAttributes: -1}, "store: max attributes -1 is negative (0 means 1024)"},
		{"negative value bytes", Options{MaxValueBytes: -1}, "store: max value bytes -1 is negative (0 means 65536)"},
		{"negative events", Options{MaxEvents: -2}, "store: max events -2 is negative (0 means 1024)"},
		{"negative links", Options{MaxLinks: -3}, "store: max links -3 is negative (0 means 1024)"},
		{"large values", Options{MaxValueBytes: 64<<20 + 1},
			"store: max value bytes 67108865 is more than 67108864 (64 MiB, the largest payload the store reads back)"},
		{"several", Options{RetentionAge: -1, MaxTransactionItems: -2},
			"store: retention age -1ns is negative (0 keeps data forever)\nstore: max transaction items -2 is negative (0 means 20000)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.o.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("%v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if d := DefaultOptions(); d.RetentionAge != 7*24*time.Hour || d.RetentionBytes != 1<<30 || d.Fsync ||
		d.MaxAttributes != 1024 || d.MaxValueBytes != 64<<10 || d.MaxEvents != 1024 || d.MaxLinks != 1024 {
		t.Errorf("defaults %+v", d)
	}
	if got, want := (Options{}).withDefaults().limits(), DefaultOptions().withDefaults().limits(); got != want {
		t.Errorf("zero limits mean %+v, want the defaults %+v", got, want)
	}
}

func TestTraceQueryValidate(t *testing.T) {
	tests := []struct {
		q    TraceQuery
		want string
	}{
		{TraceQuery{}, ""},
		{TraceQuery{Limit: 1000, MinDuration: time.Second, MaxDuration: time.Second}, ""},
		{TraceQuery{Limit: -1}, "store: trace query: limit -1 is negative"},
		{TraceQuery{Limit: 1001}, "store: trace query: limit 1001 is more than 1000"},
		{TraceQuery{MinDuration: -1}, "store: trace query: minimum duration -1ns is negative"},
		{TraceQuery{MaxDuration: -1}, "store: trace query: maximum duration -1ns is negative"},
		{TraceQuery{MinDuration: 2 * time.Second, MaxDuration: time.Second}, "store: trace query: minimum duration 2s is more than the maximum 1s"},
		{TraceQuery{Start: base, End: base}, "store: trace query: end 2026-01-02 03:04:05 +0000 UTC is not after start 2026-01-02 03:04:05 +0000 UTC"},
		{TraceQuery{Attributes: map[string]string{"": "x"}}, "store: trace query: attribute filter with an empty key"},
		{TraceQuery{Cursor: "%%"}, `store: bad cursor "%%": not base64url`},
		{TraceQuery{Cursor: "e30"}, `store: bad cursor "e30": not a cursor of this listing`},
	}
	for _, tc := range tests {
		err := tc.q.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || err.Error() != tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.q, err, tc.want)
		}
	}
}

func TestLogQueryValidate(t *testing.T) {
	tests := []struct {
		q    LogQuery
		want string
	}{
		{LogQuery{}, ""},
		{LogQuery{TraceID: hexID(traceID(1)), SpanID: spanID(1).String(), MinSeverity: 24, Limit: 1000}, ""},
		{LogQuery{Limit: 1001}, "store: log query: limit 1001 is not in [0, 1000]"},
		{LogQuery{MinSeverity: 25}, "store: log query: minimum severity 25 is not in [0, 24]"},
		{LogQuery{TraceID: "abc"}, `store: log query: trace id "abc": want 32 hex digits`},
		{LogQuery{TraceID: strings.Repeat("0", 32)}, `store: log query: trace id "00000000000000000000000000000000": all zero`},
		{LogQuery{SpanID: "xyz"}, `store: log query: span id "xyz": want 16 hex digits`},
		{LogQuery{Start: base.Add(time.Second), End: base}, "store: log query: end 2026-01-02 03:04:05 +0000 UTC is not after start 2026-01-02 03:04:06 +0000 UTC"},
	}
	for _, tc := range tests {
		err := tc.q.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || err.Error() != tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.q, err, tc.want)
		}
	}
}

func TestPageValidate(t *testing.T) {
	s := openTest(t, Options{})
	for _, tc := range []struct {
		id   string
		page Page
		want string
	}{
		{"zz", Page{}, `store: trace id "zz": want 32 hex digits`},
		{hexID(traceID(1)), Page{Limit: 10001}, "store: trace page: limit 10001 is not in [0, 10000]"},
		{hexID(traceID(1)), Page{Limit: -1}, "store: trace page: limit -1 is not in [0, 10000]"},
	} {
		if _, err := s.Trace(t.Context(), tc.id, tc.page); err == nil || err.Error() != tc.want {
			t.Errorf("%s %+v: error %v, want %q", tc.id, tc.page, err, tc.want)
		}
	}
}
