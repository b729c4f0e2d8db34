#!/usr/bin/env bash
# Ingest benchmark of `sightline serve`: builds the binary and the load
# generator, runs the load against a fresh data directory and prints the
# summary (spans/s acknowledged and verified stored, server CPU seconds,
# peak RSS, bytes on disk per span). Not run in CI.
#
# usage: bench/ingest/run.sh [loadgen flags...]
#   bench/ingest/run.sh                       # 10 s, OTLP/HTTP protobuf
#   bench/ingest/run.sh -protocol grpc        # 10 s, OTLP/gRPC
#   bench/ingest/run.sh -spans 1000000        # until 1,000,000 spans are stored
# Environment: BENCH_DIR (where to build and keep the data directory and
# serve.log; default a temporary directory, removed afterwards unless KEEP=1).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
cleanup() {
	if [[ -z ${BENCH_DIR:-} && ${KEEP:-0} != 1 ]]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT

echo "building in $work"
(cd "$root" && go build -o "$work/sightline" ./cmd/sightline && go build -o "$work/loadgen" ./bench/ingest/loadgen)

data=$work/data
rm -rf "$data"
keep=()
if [[ -n ${BENCH_DIR:-} || ${KEEP:-0} == 1 ]]; then keep=(-keep); fi
echo "machine: $(nproc) CPUs, $(go version | cut -d' ' -f3), $(uname -sr)"
"$work/loadgen" -bin "$work/sightline" -data "$data" -log "$work/serve.log" "${keep[@]}" "$@"
