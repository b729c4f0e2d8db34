package otlpenc_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
)

// requireSameAsSnapshots fails unless AppendLeanTraces of spans writes the
// bytes AppendTraces writes for their Snapshots, after a prefix each keeps,
// and returns how many spans the encoding holds (pdata decodes it). The
// spans added one by one to batch (emptied first: a batch reused across
// calls shows state left over) encode the same through AppendSpanBatch.
func requireSameAsSnapshots(tb testing.TB, lean, snap *otlpenc.Encoder, batch *otlpenc.SpanBatch, spans []*leanspan.Span) int {
	tb.Helper()
	prefix := []byte("prefix")
	want := snap.AppendTraces(prefix, otlpenctest.Snapshots(spans))
	got := lean.AppendLeanTraces(prefix, spans)
	if !bytes.Equal(got, want) {
		tb.Fatalf("AppendLeanTraces wrote %d bytes, AppendTraces of the Snapshots %d; first difference at byte %d",
			len(got), len(want), firstDiff(got, want))
	}
	n := 0
	for _, s := range spans {
		if s != nil {
			n++
		}
	}
	batch.Reset()
	for _, s := range spans {
		batch.Add(s)
	}
	if got := lean.AppendSpanBatch(prefix, batch); !bytes.Equal(got, want) {
		tb.Fatalf("AppendSpanBatch wrote %d bytes, AppendTraces of the Snapshots %d; first difference at byte %d",
			len(got), len(want), firstDiff(got, want))
	}
	if batch.Len() != n {
		tb.Fatalf("the batch holds %d spans, want %d", batch.Len(), n)
	}
	jsonBatch := otlpenc.NewJSONSpanBatch()
	for _, s := range spans {
		jsonBatch.Add(s)
	}
	wantJSON := snap.AppendTracesJSON(prefix, otlpenctest.Snapshots(spans))
	if got := lean.AppendSpanBatchJSON(prefix, jsonBatch); !bytes.Equal(got, wantJSON) {
		tb.Fatalf("AppendSpanBatchJSON wrote %d bytes, AppendTracesJSON of the Snapshots %d; first difference at byte %d",
			len(got), len(wantJSON), firstDiff(got, wantJSON))
	}
	if got := decode(tb, "AppendLeanTraces's encoding", want[len(prefix):]).SpanCount(); got != n {
		tb.Fatalf("the encoding holds %d spans, want the batch's %d", got, n)
	}
	return n
}

// TestLeanMatchesSnapshots is the property test: random scripts of
// leanspan calls over several resources, scopes and span limits end
// batches whose direct encoding is byte for byte that of their Snapshots
// (which leanspan's TestEquivalence proves equal to the SDK's spans, and
// TestMatchesSDK encodes as the SDK's exporter does). Each side reuses one
// Encoder, so state left from one batch would show in the next.
func TestLeanMatchesSnapshots(t *testing.T) {
	var lean, snap otlpenc.Encoder
	var batch otlpenc.SpanBatch
	n := 500
	if testing.Short() {
		n = 100
	}
	spans := 0
	for seed := range n {
		spans += requireSameAsSnapshots(t, &lean, &snap, &batch, gen{randChooser{rand.New(rand.NewPCG(uint64(seed), 20))}}.leanBatch())
	}
	if spans < 2*n {
		t.Fatalf("only %d spans in %d batches: the generator does not exercise the encoder", spans, n)
	}
}

// TestLeanEmpty checks that an empty batch, or one of nil spans, encodes
// to nothing, as AppendTraces.
func TestLeanEmpty(t *testing.T) {
	var enc otlpenc.Encoder
	for _, spans := range [][]*leanspan.Span{nil, {nil, nil}} {
		if got := enc.AppendLeanTraces(nil, spans); len(got) != 0 {
			t.Fatalf("AppendLeanTraces(%d nil spans) wrote %d bytes, want 0", len(spans), len(got))
		}
	}
}

// FuzzAppendLeanTraces runs leanspan scripts drawn from the fuzzer's bytes
// and requires the direct encoding to be that of the Snapshots.
func FuzzAppendLeanTraces(f *testing.F) {
	addSeeds(f)
	var lean, snap otlpenc.Encoder
	var batch otlpenc.SpanBatch
	f.Fuzz(func(t *testing.T, data []byte) {
		requireSameAsSnapshots(t, &lean, &snap, &batch, gen{&byteChooser{data}}.leanBatch())
	})
}

// TestSpanBatchGroupsBySet: spans of two resources that are distinct
// values with the same attributes (and the same or different schema URLs),
// interleaved, are grouped as the encoders group them (protobuf: by
// attribute set; JSON: by attribute set and schema URL; in batch order),
// so a batch's request is byte for byte AppendLeanTraces's and the
// snapshots' AppendTracesJSON.
func TestSpanBatchGroupsBySet(t *testing.T) {
	for _, urls := range [][2]string{{"", ""}, {"https://opentelemetry.io/schemas/1.26.0", "https://opentelemetry.io/schemas/1.27.0"}} {
		var ended []*leanspan.Span
		onEnd := func(s *leanspan.Span) { ended = append(ended, s) }
		res := func(url string) *resource.Resource {
			return resource.NewWithAttributes(url, attribute.String("service.name", "twin"))
		}
		a := leanspan.New(leanspan.Config{Resource: res(urls[0]), OnEnd: onEnd})
		b := leanspan.New(leanspan.Config{Resource: res(urls[1]), OnEnd: onEnd})
		for i := range 6 {
			tr := a
			if i%2 == 1 {
				tr = b
			}
			_, s := tr.Start(context.Background(), fmt.Sprint("span ", i))
			s.End()
		}
		var enc otlpenc.Encoder
		var batch otlpenc.SpanBatch
		jsonBatch := otlpenc.NewJSONSpanBatch()
		for _, s := range ended {
			batch.Add(s)
			jsonBatch.Add(s)
		}
		want := enc.AppendLeanTraces(nil, ended)
		if got := enc.AppendSpanBatch(nil, &batch); !bytes.Equal(got, want) {
			t.Errorf("schema URLs %q: AppendSpanBatch wrote %d bytes, AppendLeanTraces %d; first difference at byte %d",
				urls, len(got), len(want), firstDiff(got, want))
		}
		want = enc.AppendTracesJSON(nil, otlpenctest.Snapshots(ended))
		if got := enc.AppendSpanBatchJSON(nil, jsonBatch); !bytes.Equal(got, want) {
			t.Errorf("schema URLs %q: AppendSpanBatchJSON wrote\n%s\nAppendTracesJSON\n%s", urls, got, want)
		}
	}
}
