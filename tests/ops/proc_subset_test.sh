#!/usr/bin/env bash
# Under the shipped unit's ProcSubset=pid, /proc/stat (the boot time) is hidden. The exporter must
# still report a true process_start_time_seconds. Reproduces that view with a private mount
# namespace in which /proc/stat is empty, then compares the metric with the wall clock at start.
#   tests/ops/proc_subset_test.sh AKASH_EXPORTER_BINARY
set -euo pipefail
binary=${1:?akash_exporter binary}
work=$(mktemp -d)
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [[ -f "$work/log" ]] && cat "$work/log" >&2
  exit 1
}
# Nothing listens on port 9: the market source fails fast and stays local.
printf 'endpoints:\n  console_api: http://127.0.0.1:9\n' >"$work/config.yml"

started=$(date +%s)
unshare -m sh -c 'mount --bind /dev/null /proc/stat && exec "$@"' sh \
  "$binary" --config.file="$work/config.yml" --web.listen-address=127.0.0.1:0 >"$work/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -nE 's/.*akash_exporter started.* ports=([0-9]+).*/\1/p' "$work/log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "the exporter exited"
  sleep 0.1
done
[[ -n "$port" ]] || fail "no listening port in the log"
value=$(curl -fsS "http://127.0.0.1:$port/metrics" |
  sed -nE 's/^process_start_time_seconds ([0-9.e+]+)$/\1/p')
[[ -n "$value" ]] || fail "no process_start_time_seconds"
awk -v v="$value" -v s="$started" 'BEGIN { d = v - s; if (d < 0) d = -d; exit !(d <= 5) }' ||
  fail "process_start_time_seconds $value, started at $started"
echo "PASS: process_start_time_seconds $value (started $started) with /proc/stat hidden"
