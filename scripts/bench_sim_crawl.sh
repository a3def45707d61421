#!/usr/bin/env bash
# Crawls leases/list of an akash_sim with 100k leases, page limit 1000, following next_key,
# and prints pages, leases, bytes, seconds and leases/s, plus a baseline: the same number of
# requests to a small route (market data) in the same run.
# Usage: scripts/bench_sim_crawl.sh [BUILD_DIR]   (default: build; builds nothing)
set -euo pipefail

build_dir="${1:-build}"
sim="${build_dir}/sim/akash_sim"
leases="${LEASES:-100000}"
limit="${PAGE_LIMIT:-1000}"
if [[ ! -x "${sim}" ]]; then
  echo "bench_sim_crawl: ${sim} not found; build the akash_sim target first" >&2
  exit 1
fi

work="$(mktemp -d)"
sim_pid=""
cleanup() {
  if [[ -n "${sim_pid}" ]]; then
    kill "${sim_pid}" 2>/dev/null || true
    wait "${sim_pid}" 2>/dev/null || true
  fi
  rm -rf "${work}"
}
trap cleanup EXIT

start_ns=$(date +%s%N)
"${sim}" --listen=127.0.0.1:0 --leases="${leases}" --time-scale=0 --port-file="${work}/port" \
  >"${work}/stdout" 2>"${work}/stderr" &
sim_pid=$!
for _ in $(seq 1 300); do
  [[ -s "${work}/port" ]] && break
  sleep 0.02
done
if [[ ! -s "${work}/port" ]]; then
  echo "bench_sim_crawl: simulator did not start" >&2
  cat "${work}/stderr" >&2
  exit 1
fi
port="$(tr -d '[:space:]' <"${work}/port")"
ready_ns=$(date +%s%N)
base="http://127.0.0.1:${port}"

crawler="${build_dir}/sim/akash_sim_crawl"
if [[ -x "${crawler}" ]]; then
  # Keep-alive C++ crawler (one connection, URL-encoded next_key): measures the simulator.
  "${crawler}" "${port}" "${limit}" /v1/market-data/akt
  awk -v start_ns="$((ready_ns - start_ns))" 'BEGIN { printf "startup_seconds %.3f (world generation + bind)\n", start_ns / 1e9 }'
  exit 0
fi

# Fallback: curl, one process per page (slower: process start-up dominates the baseline).
urlencode_key() {
  local k="$1"
  k="${k//+/%2B}"
  k="${k//\//%2F}"
  k="${k//=/%3D}"
  printf '%s' "${k}"
}

pages=0
bytes=0
count=0
key=""
t0=$(date +%s%N)
while :; do
  url="${base}/akash/market/v1beta5/leases/list?pagination.limit=${limit}"
  if [[ -n "${key}" ]]; then
    url="${url}&pagination.key=$(urlencode_key "${key}")"
  fi
  size=$(curl -sS --fail -o "${work}/page.json" -w '%{size_download}' "${url}")
  pages=$((pages + 1))
  bytes=$((bytes + size))
  tail_text="$(tail -c 300 "${work}/page.json")"
  page_total="$(sed -n 's/.*"total":"\([0-9]*\)".*/\1/p' <<<"${tail_text}")"
  count=$((count + page_total))
  key="$(sed -n 's/.*"next_key":"\([^"]*\)".*/\1/p' <<<"${tail_text}")"
  [[ -z "${key}" ]] && break
done
t1=$(date +%s%N)

# Baseline: the same number of sequential requests to a small route.
for _ in $(seq 1 "${pages}"); do
  curl -sS --fail -o /dev/null "${base}/v1/market-data/akt"
done
t2=$(date +%s%N)

awk -v pages="${pages}" -v count="${count}" -v bytes="${bytes}" \
    -v crawl_ns="$((t1 - t0))" -v base_ns="$((t2 - t1))" -v start_ns="$((ready_ns - start_ns))" 'BEGIN {
  crawl = crawl_ns / 1e9; baseline = base_ns / 1e9
  printf "startup_seconds %.3f (world generation + bind)\n", start_ns / 1e9
  printf "crawl pages %d leases %d bytes %d seconds %.3f leases_per_second %.0f MiB_per_second %.1f\n",
         pages, count, bytes, crawl, count / crawl, bytes / crawl / 1048576
  printf "baseline %d requests to /v1/market-data/akt seconds %.3f (%.2f ms/request)\n",
         pages, baseline, baseline * 1000 / pages
}'
