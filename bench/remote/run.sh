#!/usr/bin/env bash
# Round trip of a no-op remote command, telemetry off vs on (issue 7's
# figure), interleaved: each round runs every variant once, so drift on a
# shared machine hits them alike. Prints each variant's median ns/op and
# its ratio to telemetry=off of the same benchmark: BenchmarkRoundTrip
# (proxy and server in one process) and BenchmarkRoundTripProcesses (the
# server in a separate process).
#   bash bench/remote/run.sh [rounds]   (default 6)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-6}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -c -o "$out.test" ./remote/
for _ in $(seq "$rounds"); do
	"$out.test" -test.run '^$' -test.bench BenchmarkRoundTrip -test.benchmem -test.count 1 | grep '^Benchmark' >>"$out"
done
rm -f "$out.test"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for v in $(awk '{ sub(/-[0-9]+$/, "", $1); print $1 }' "$out" | sort -u); do
	group=${v%%/*}
	m=$(awk -v v="$v" '{ n = $1; sub(/-[0-9]+$/, "", n) } n == v { print $3 }' "$out" | median)
	b=$(awk -v v="$group/telemetry=off" '{ n = $1; sub(/-[0-9]+$/, "", n) } n == v { print $3 }' "$out" | median)
	awk -v v="$v" -v m="$m" -v b="$b" 'BEGIN { printf "%-55s median %8.0f ns/op  ratio %.2f\n", v, m, m / b }'
done
