#!/usr/bin/env bash
# Import benchmark: generate a large console-format file and import it with
# `sightline import` into a local OTLP/HTTP sink, recording wall time and
# maximum resident set size with /usr/bin/time -v. Not run in CI.
#
# usage: bench/import/run.sh [SIZE_MIB] [gen flags...]
#   SIZE_MIB   size of the generated file (default 1024)
#   gen flags  passed to bench/import/gen, e.g. -compact
# Environment: BENCH_DIR (where to build and write; default a temporary
# directory, removed afterwards unless KEEP=1), PORT (sink port, 4319),
# BATCH (--batch, default sightline's).
set -euo pipefail

size_mib=${1:-1024}
shift || true
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${PORT:-4319}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"

sink_pid=
cleanup() {
	if [[ -n $sink_pid ]]; then
		kill "$sink_pid" 2>/dev/null || true
		wait "$sink_pid" 2>/dev/null || true
	fi
	if [[ -z ${BENCH_DIR:-} && ${KEEP:-0} != 1 ]]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT

echo "building in $work"
(cd "$root" && go build -o "$work/sightline" ./cmd/sightline &&
	go build -o "$work/gen" ./bench/import/gen &&
	go build -o "$work/sink" ./bench/import/sink)

file=$work/spans.json
"$work/gen" -mb "$size_mib" -o "$file" "$@"

"$work/sink" -addr "127.0.0.1:$port" 2>"$work/sink.log" &
sink_pid=$!
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
	sleep 0.1
done

batch_flag=()
if [[ -n ${BATCH:-} ]]; then batch_flag=(--batch "$BATCH"); fi
status=0
/usr/bin/time -v -o "$work/time.txt" \
	"$work/sightline" import --addr "http://127.0.0.1:$port" "${batch_flag[@]}" "$file" \
	>"$work/import.out" 2>"$work/import.err" || status=$?

kill "$sink_pid"
wait "$sink_pid" 2>/dev/null || true
sink_pid=

size=$(stat -c %s "$file")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
cpu_user=$(awk -F': ' '/User time/ {print $2}' "$work/time.txt")
cpu_sys=$(awk -F': ' '/System time/ {print $2}' "$work/time.txt")

echo
echo "import exit status: $status"
head -n 5 "$work/import.out"
if [[ -s $work/import.err ]]; then head -n 5 "$work/import.err"; fi
echo "sink: $(tail -n 1 "$work/sink.log")"
printf 'file size:   %d bytes (%.1f MiB)\n' "$size" "$(echo "$size / 1048576" | bc -l)"
echo "wall time:   $wall (user ${cpu_user}s, sys ${cpu_sys}s)"
printf 'max RSS:     %d KiB (%.1f MiB)\n' "$rss_kb" "$(echo "$rss_kb / 1024" | bc -l)"
exit "$status"
