#!/usr/bin/env bash
# Scrape throughput of akash_exporter under load (wrk, 127.0.0.1 only), against the demo world of
# akash_sim. /metrics is reported as a ratio of /-/healthy measured in the same run: the cost of
# serving the cached exposition over the cost of the server itself.
#   scripts/bench_http.sh [BUILD_DIR]   (default: build; needs akash_exporter and akash_sim built)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$build/sim/akash_sim" --demo --demo-dir="$work" --listen=127.0.0.1:0 >"$work/sim.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/akash_exporter.yml" ]] && break; sleep 0.1; done
"$build/exporter/akash_exporter" --config.file="$work/akash_exporter.yml" \
  --web.listen-address=127.0.0.1:0 --web.max-requests=0 2>"$work/exporter.log" &
pids+=($!)
port=""
for _ in $(seq 1 100); do
  port=$(grep -o 'ports=[0-9]*' "$work/exporter.log" | head -1 | cut -d= -f2 || true)
  [[ -n "$port" ]] && break
  sleep 0.1
done
sleep 2  # first polls
rps() { wrk -t2 -c16 -d"${BENCH_SECONDS:-5}"s "$@" | awk '/Requests\/sec/ {print $2}'; }
base=$(rps "http://127.0.0.1:$port/-/healthy")
plain=$(rps "http://127.0.0.1:$port/metrics")
gz=$(rps -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics")
size=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)
echo "== scrape throughput (16 connections, 2 wrk threads; baseline: /-/healthy)"
awk -v b="$base" -v p="$plain" -v g="$gz" -v s="$size" 'BEGIN {
  printf "/-/healthy       %9.0f req/s  1.00x\n", b
  printf "/metrics         %9.0f req/s  %.2fx  (%d bytes)\n", p, p / b, s
  printf "/metrics (gzip)  %9.0f req/s  %.2fx\n", g, g / b
}'
