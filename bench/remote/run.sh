#!/usr/bin/env bash
# Round trip of a no-op remote command, telemetry off vs on (issue 7's
# figure), interleaved: each round runs every variant once, so drift on a
# shared machine hits them alike. Prints each variant's median ns/op and
# allocs/op, and its ratio to telemetry=off of the same benchmark:
# BenchmarkRoundTrip (proxy and server in one process) and
# BenchmarkRoundTripProcesses (the server in a separate process).
#
# With a second argument, a test binary of ./remote/ built from another
# revision (go test -c -o old.test ./remote/ there), every round runs it
# too, and each variant also prints its median next to the baseline's and
# the ratio now/baseline: before and after, side by side, in one run.
#   bash bench/remote/run.sh [rounds] [baseline.test]   (default 6 rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-6}
baseline=${2:-}
if [[ -n $baseline ]]; then
	baseline=$(realpath "$baseline")
	[[ -x $baseline ]] || { echo "run.sh: $baseline is not an executable test binary" >&2; exit 2; }
fi
out=$(mktemp)
base=$(mktemp)
trap 'rm -f "$out" "$base" "$out.test"' EXIT
go test -c -o "$out.test" ./remote/
bench() { "$1" -test.run '^$' -test.bench 'BenchmarkRoundTrip' -test.benchmem -test.count 1 | grep '^Benchmark' || true; }
for _ in $(seq "$rounds"); do
	bench "$out.test" >>"$out"
	if [[ -n $baseline ]]; then bench "$baseline" >>"$base"; fi
done
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# col FILE VARIANT FIELD: the median of field FIELD of VARIANT's lines.
col() { awk -v v="$2" -v f="$3" '{ n = $1; sub(/-[0-9]+$/, "", n) } n == v { print $f }' "$1" | median; }
for v in $(awk '{ sub(/-[0-9]+$/, "", $1); print $1 }' "$out" | sort -u); do
	group=${v%%/*}
	m=$(col "$out" "$v" 3)
	a=$(col "$out" "$v" 7)
	b=$(col "$out" "$group/telemetry=off" 3)
	line=$(awk -v v="$v" -v m="$m" -v a="$a" -v b="$b" 'BEGIN { printf "%-55s median %8.0f ns/op %5.0f allocs/op  ratio %.2f", v, m, a, m / b }')
	if [[ -n $baseline ]]; then
		bm=$(col "$base" "$v" 3)
		ba=$(col "$base" "$v" 7)
		line+=$(awk -v m="$m" -v bm="$bm" -v ba="$ba" 'BEGIN { if (bm > 0) printf "  | baseline %8.0f ns/op %5.0f allocs/op  now/baseline %.2f", bm, ba, m / bm; else printf "  | no baseline" }')
	fi
	echo "$line"
done
