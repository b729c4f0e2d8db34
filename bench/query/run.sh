#!/usr/bin/env bash
# Query benchmark of `sightline serve`: fills a data directory with
# 1,000,000 spans plus a 10,000- and a 100,000-span trace (unless DATA names
# one loadgen already filled), then measures query latencies over HTTP.
# Not run in CI.
#
# usage: bench/query/run.sh [query flags...]
# Environment: BENCH_DIR (where to build; default a temporary directory,
# removed afterwards unless KEEP=1), DATA (an existing data directory from
# bench/ingest/loadgen -keep -big-traces 10000,100000), SPANS (1000000).
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
(cd "$root" && go build -o "$work/sightline" ./cmd/sightline &&
	go build -o "$work/loadgen" ./bench/ingest/loadgen && go build -o "$work/query" ./bench/query)

data=${DATA:-}
if [[ -z $data ]]; then
	data=$work/data
	rm -rf "$data"
	"$work/loadgen" -bin "$work/sightline" -data "$data" -keep -log "$work/serve-ingest.log" \
		-spans "${SPANS:-1000000}" -big-traces 10000,100000
fi
echo "machine: $(nproc) CPUs, $(go version | cut -d' ' -f3), $(uname -sr)"
"$work/query" -bin "$work/sightline" -data "$data" -log "$work/serve-query.log" "$@"
