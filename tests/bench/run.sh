#!/usr/bin/env bash
# Scrape benchmark: akash_exporter's serving path against prometheus-cpp's own Exposer serving the
# same series (the baseline), and the in-memory copy of the rendered body (the floor), in one run.
# For 1k, 10k and 100k series: req/s and latency under wrk (64 connections), plain and gzip, and
# RSS at rest and after the load. Prints a table; ratios are ours / Exposer.
#   tests/bench/run.sh [BUILD_DIR]     (default build-bench, configured Release)
#   BENCH_SECONDS=10 BENCH_SERIES="1000 10000" tests/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
seconds=${BENCH_SECONDS:-5}
series_list=${BENCH_SERIES:-"1000 10000 100000"}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASH_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" --target scrape_server >/dev/null
server="$build/tests/bench/scrape_server"
work=$(mktemp -d)
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# wrk → "answered_req/s p50_ms p99_ms socket_errors". wrk's "requests" are complete responses;
# non-2xx answers (a 503) are taken out. Socket errors are reported apart: civetweb (the Exposer)
# closes the connection after every answer (no keep-alive), which wrk counts as a read error on
# a request that did complete.
load() {
  wrk -t2 -c64 -d"${seconds}s" --timeout 30s --latency "$@" 2>&1 | awk '
    / requests in / {n = $1; t = $4; sub(/s,?$/, "", t)}
    /^ +50%/ {p50 = $2} /^ +99%/ {p99 = $2}
    /Socket errors/ {gsub(/,/, ""); err += $4 + $6 + $8 + $10}
    /Non-2xx/ {bad += $5}
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    END {printf "%.1f %.3f %.3f %d\n", (n - bad) / t, ms(p50), ms(p99), err + 0}'
}

printf "%-8s %-8s %12s %9s %9s %7s %12s %9s %9s %7s %10s %10s %10s\n" series impl "plain req/s" \
  "p50 ms" "p99 ms" "sockerr" "gzip req/s" "p50 ms" "p99 ms" "sockerr" "rss rest" "rss load" \
  "rss +2s"
declare -A result
for n in $series_list; do
  for impl in exposer ours; do
    "$server" --impl="$impl" --series="$n" >"$work/out" 2>"$work/err" &
    pid=$!
    port=""
    for _ in $(seq 1 300); do
      port=$(awk '/^listening/ {print $2}' "$work/out")
      [[ -n "$port" ]] && break
      sleep 0.1
    done
    [[ -n "$port" ]] || { cat "$work/err" >&2; exit 1; }
    # One scrape as Prometheus makes it (Accept-Encoding: gzip), then RSS "at rest": what a
    # server scraped by Prometheus holds between scrapes.
    curl -s -o /dev/null -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics"
    sleep 1
    rest=$(rss_kib "$pid")
    read -r p_rps p_50 p_99 p_err < <(load "http://127.0.0.1:$port/metrics")
    read -r g_rps g_50 g_99 g_err < <(load -H "Accept-Encoding: gzip" "http://127.0.0.1:$port/metrics")
    loaded=$(rss_kib "$pid")
    sleep 2
    after=$(rss_kib "$pid")  # 2 s after the load: what stays
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    printf "%-8s %-8s %12.0f %9.3f %9.3f %7d %12.0f %9.3f %9.3f %7d %8d K %8d K %8d K\n" "$n" \
      "$impl" "$p_rps" "$p_50" "$p_99" "$p_err" "$g_rps" "$g_50" "$g_99" "$g_err" "$rest" \
      "$loaded" "$after"
    result[$n,$impl,plain]=$p_rps
    result[$n,$impl,gzip]=$g_rps
    result[$n,$impl,rest]=$rest
    result[$n,$impl,load]=$loaded
    result[$n,$impl,after]=$after
  done
  "$server" --impl=memcpy --series="$n" >"$work/memcpy"
  result[$n,floor]=$(awk '/copies_per_second/ {print $2}' "$work/memcpy")
  result[$n,bytes]=$(awk '/body_bytes/ {print $2}' "$work/memcpy")
done
echo
echo "ratios (ours / Exposer, same run)"
for n in $series_list; do
  awk -v n="$n" -v op="${result[$n,ours,plain]}" -v ep="${result[$n,exposer,plain]}" \
    -v og="${result[$n,ours,gzip]}" -v eg="${result[$n,exposer,gzip]}" \
    -v orr="${result[$n,ours,rest]}" -v err="${result[$n,exposer,rest]}" \
    -v ol="${result[$n,ours,load]}" -v oa="${result[$n,ours,after]}" -v fl="${result[$n,floor]}" -v b="${result[$n,bytes]}" 'BEGIN {
      g = eg > 0 ? sprintf("%7.1fx", og / eg) : "    n/a (baseline answered none)"
      printf "series=%-7s plain %7.1fx  gzip %s  rss at rest %5.2fx  rss load/rest %5.2fx  +2s/rest %5.2fx  body %d B  memcpy floor %.0f copies/s (ours at %.1f%%)\n",
        n, op / ep, g, orr / err, ol / orr, oa / orr, b, fl, 100 * op / fl }'
done
