#!/usr/bin/env bash
# Hostile-traffic soak of `sightline serve`: builds the binary and the soak
# driver, runs serve for 10 minutes (or -duration) under mixed valid and
# hostile traffic, and prints peak RSS, outcomes by worker, the server's
# refusals by reason, and whether every acknowledged span was stored.
# Not run in CI.
#
# usage: bench/soak/run.sh [soak flags...] [-- serve flags...]
#   bench/soak/run.sh                         # 10 minutes, serve's defaults
#   bench/soak/run.sh -duration 1m            # a quick look
#   bench/soak/run.sh -- --max-in-flight-bytes 128MiB
# Environment: BENCH_DIR (where to build and keep serve.log and the data;
# default a temporary directory, removed afterwards unless KEEP=1).
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
(cd "$root" && go build -o "$work/sightline" ./cmd/sightline && go build -o "$work/soak" ./bench/soak)
rm -rf "$work/data"
echo "machine: $(nproc) CPUs, $(go version | cut -d' ' -f3), $(uname -sr)"
"$work/soak" -bin "$work/sightline" -data "$work/data" -log "$work/serve.log" "$@"
