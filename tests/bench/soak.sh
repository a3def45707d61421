#!/usr/bin/env bash
# Soak: akash_exporter against akash_sim with accelerated polling (every source every second, the
# simulator's clock 60x) for MINUTES, scraped every second like a fast Prometheus, with a fault
# switched on every route for 10 s out of every 60 s. Samples the exporter's RSS every
# SAMPLE_SECONDS and prints whether it is flat: mean of the last third / mean of the first third
# (flat: at most 1.10).
#   tests/bench/soak.sh [MINUTES] [BUILD_DIR]      (defaults 10, build)
#   SAMPLE_SECONDS=5 tests/bench/soak.sh 30
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-10}
build=${2:-build}
step=${SAMPLE_SECONDS:-5}
for bin in exporter/akash_exporter sim/akash_sim; do
  [[ -x "$build/$bin" ]] || cmake --build "$build" --target "$(basename "$bin")" >/dev/null
done
work=$(mktemp -d)
sim_pid=""
ex_pid=""
cleanup() {
  [[ -n "$ex_pid" ]] && kill "$ex_pid" 2>/dev/null
  [[ -n "$sim_pid" ]] && kill "$sim_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() {  # FILE REGEX → first match, within 20 s
  local m=""
  for _ in $(seq 1 200); do
    m=$(grep -Eo "$2" "$1" 2>/dev/null | head -1 || true)
    [[ -n "$m" ]] && { echo "$m"; return 0; }
    sleep 0.1
  done
  echo "timed out waiting for /$2/ in $1" >&2
  cat "$1" >&2
  return 1
}

"$build/sim/akash_sim" --listen=127.0.0.1:0 --seed=14 --providers=3 --tenants=2 --leases=600 \
  --start-time=now --time-scale=60 >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
sim=$(wait_for "$work/sim.out" 'http://127\.0\.0\.1:[0-9]+')
{
  echo "providers:"
  curl -fsS "$sim/_sim/world" | jq -r '.providers[] | "  - address: \(.address)"'
  echo "endpoints:"
  echo "  console_api: $sim"
  echo "  provider_console_api: $sim"
  echo "sources:"
  for s in market provider_dashboard provider_earnings provider_status; do
    echo "  $s: {interval: 1s, timeout: 1s, max_staleness: 3s}"
  done
} >"$work/config.yml"
"$build/exporter/akash_exporter" --config.file="$work/config.yml" \
  --web.listen-address=127.0.0.1:0 >"$work/ex.out" 2>"$work/ex.err" &
ex_pid=$!
port=$(wait_for "$work/ex.err" 'ports=[0-9]+' | cut -d= -f2)
url="http://127.0.0.1:$port/metrics"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$ex_pid/status"; }
echo "soak: $minutes min, sample every $step s, exporter pid $ex_pid on $url"
start=$(date +%s)
end=$((start + minutes * 60))
next_sample=$start
samples=()
scrapes=0
failed=0
faults=(500 timeout invalid_json reset 429)
while (($(date +%s) < end)); do
  now=$(date +%s)
  elapsed=$((now - start))
  # Seconds 50-59 of every minute: one fault on every route.
  if ((elapsed % 60 == 50)); then
    kind=${faults[$(((elapsed / 60) % ${#faults[@]}))]}
    curl -fsS -o /dev/null -X POST "$sim/_sim/faults" -d "{\"route\":\"*\",\"kind\":\"$kind\",\"arg\":\"1\"}" || true
  elif ((elapsed % 60 == 0)); then
    curl -fsS -o /dev/null -X DELETE "$sim/_sim/faults" || true
  fi
  if curl -fsS -o /dev/null --max-time 5 -H 'Accept-Encoding: gzip' "$url"; then
    scrapes=$((scrapes + 1))
  else
    failed=$((failed + 1))
  fi
  if ((now >= next_sample)); then
    kill -0 "$ex_pid" || { echo "exporter died" >&2; cat "$work/ex.err" >&2; exit 1; }
    rss=$(rss_kib)
    samples+=("$rss")
    printf "t=%4ds rss=%6d KiB\n" "$elapsed" "$rss"
    next_sample=$((next_sample + step))
  fi
  sleep 1
done
n=${#samples[@]}
third=$((n / 3))
((third >= 1)) || { echo "too few samples ($n) for a verdict; run longer" >&2; exit 1; }
first=$(printf "%s\n" "${samples[@]:0:third}" | awk '{s += $1} END {printf "%.0f", s / NR}')
last=$(printf "%s\n" "${samples[@]:n-third:third}" | awk '{s += $1} END {printf "%.0f", s / NR}')
ratio=$(awk -v a="$last" -v b="$first" 'BEGIN {printf "%.3f", a / b}')
min=$(printf "%s\n" "${samples[@]}" | sort -n | head -1)
max=$(printf "%s\n" "${samples[@]}" | sort -n | tail -1)
verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.10) ? "flat" : "GROWING"}')
echo "soak: $n samples, $scrapes scrapes ($failed failed), rss min $min max $max KiB," \
  "first third $first KiB, last third $last KiB, ratio $ratio: $verdict"
[[ "$verdict" == flat && $failed -eq 0 ]]
