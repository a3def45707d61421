#!/usr/bin/env bash
# chain_leases cost and footprint against akash_sim: a provider with LEASES leases (default
# 100000) of which about 2k are open, page limit 1000.
#   1. first poll: duration (the exporter's own poll_duration self-metric) and requests by route;
#   2. a later poll: requests by route, against the pages the chain needs to list the active
#      (and reclaiming) leases, counted independently with curl;
#   3. a restart with --storage.path: requests of the first poll after it (no closed lease and
#      no bid may be fetched again);
#   4. RSS of the exporter (current and peak) with every lease tracked;
#   5. CPU seconds (user + system, /proc/PID/stat) of the first poll, of one 20 s interval with a
#      steady-state poll in it, and of 30 s idle between hourly polls (given per hour).
#   6. RSS under scraping: wrk, 16 connections, 5 s plain then 5 s gzip, on /metrics.
# Usage: tests/bench/chain_crawl.sh [BUILD_DIR]   (default: build; builds nothing)
#        PER_LEASE=1 tests/bench/chain_crawl.sh ...  per-lease series on (capped at 5000)
# Needs curl and jq. Prints "name value" lines.
set -euo pipefail

build_dir="${1:-build}"
sim="${build_dir}/sim/akash_sim"
exporter="${build_dir}/exporter/akash_exporter"
leases="${LEASES:-100000}"
open_share="${OPEN_SHARE:-6}"
limit="${PAGE_LIMIT:-1000}"
per_lease=false
if [[ "${PER_LEASE:-0}" == "1" ]]; then per_lease=true; fi
for bin in "${sim}" "${exporter}"; do
  if [[ ! -x "${bin}" ]]; then
    echo "chain_crawl: ${bin} not found; build akash_sim and akash_exporter first" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
sim_pid=""
exp_pid=""
cleanup() {
  for pid in "${exp_pid}" "${sim_pid}"; do
    if [[ -n "${pid}" ]]; then
      kill "${pid}" 2>/dev/null || true
      wait "${pid}" 2>/dev/null || true
    fi
  done
  rm -rf "${work}"
}
trap cleanup EXIT

wait_file() {
  for _ in $(seq 1 1500); do
    [[ -s "$1" ]] && return 0
    sleep 0.02
  done
  return 1
}

"${sim}" --listen=127.0.0.1:0 --providers=1 --tenants=50 --leases="${leases}" \
  --open-share="${open_share}" --time-scale=0 --port-file="${work}/sim.port" \
  >"${work}/sim.out" 2>"${work}/sim.err" &
sim_pid=$!
wait_file "${work}/sim.port" || { echo "chain_crawl: simulator did not start" >&2; exit 1; }
sim_url="http://127.0.0.1:$(tr -d '[:space:]' <"${work}/sim.port")"
provider="$(curl -sf "${sim_url}/_sim/world" | jq -r '.providers[0].address')"
truth="$(curl -sf "${sim_url}/_sim/truth/provider/${provider}")"
echo "leases $(jq '.chain.leases | add' <<<"${truth}")"
echo "leases_active $(jq '.chain.leases.active' <<<"${truth}")"
echo "leases_reclaiming $(jq '.chain.leases.reclaiming' <<<"${truth}")"

# Pages the chain needs to list one state of the provider's leases (short pages included).
pages_for_state() {
  local state="$1" key="" pages=0 url body
  while :; do
    url="${sim_url}/akash/market/v1beta5/leases/list?filters.provider=${provider}&filters.state=${state}&pagination.limit=${limit}"
    if [[ -n "${key}" ]]; then url+="&pagination.key=$(jq -rn --arg k "${key}" '$k|@uri')"; fi
    body="$(curl -sf "${url}")"
    pages=$((pages + 1))
    key="$(jq -r '.pagination.next_key // ""' <<<"${body}")"
    [[ -z "${key}" ]] && break
  done
  echo "${pages}"
}
active_pages="$(pages_for_state active)"
reclaiming_pages="$(pages_for_state reclaiming)"
echo "pages_listing_active ${active_pages}"
echo "pages_listing_reclaiming ${reclaiming_pages}"

cat >"${work}/config.yml" <<YAML
providers:
  - address: ${provider}
endpoints:
  console_api: ${sim_url}
  chain_rest: [${sim_url}]
sources:
  provider_dashboard: {enabled: false}
  provider_earnings: {enabled: false}
  market: {interval: 1h}
  chain_leases: {interval: 20s, timeout: 20s, page_limit: ${limit}, per_lease_series: ${per_lease}}
YAML

start_exporter() {
  : >"${work}/exp.err"
  "${exporter}" --config.file="${work}/config.yml" --web.listen-address=127.0.0.1:0 \
    --storage.path="${work}/state" >"${work}/exp.out" 2>"${work}/exp.err" &
  exp_pid=$!
  for _ in $(seq 1 500); do
    grep -q 'ports=' "${work}/exp.err" && break
    sleep 0.02
  done
  if ! grep -q 'ports=' "${work}/exp.err"; then
    echo "chain_crawl: exporter did not start" >&2
    cat "${work}/exp.err" >&2
    exit 1
  fi
  exp_url="http://127.0.0.1:$(grep -o 'ports=[0-9]*' "${work}/exp.err" | head -1 | cut -d= -f2)"
}

clk_tck="$(getconf CLK_TCK)"
cpu_seconds() {  # user + system CPU of the exporter so far
  awk -v hz="${clk_tck}" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' "/proc/${exp_pid}/stat"
}

metric() {  # metric NAME_WITH_LABELS → value or empty
  { curl -sf "${exp_url}/metrics" || true; } | awk -v s="$1" '$1 == s { print $2 }'
}
sel="{source=\"chain_leases\",target=\"${provider}\"}"

# Waits until chain_leases has published a success newer than $1 (unix seconds).
wait_success_after() {
  local after="$1" t
  for _ in $(seq 1 3000); do
    t="$(metric "akash_exporter_source_last_success_timestamp_seconds${sel}")"
    if [[ -n "${t}" ]] && awk -v t="${t}" -v a="${after}" 'BEGIN { exit !(t > a) }'; then
      echo "${t}"
      return 0
    fi
    sleep 0.05
  done
  echo "chain_crawl: no successful chain_leases poll" >&2
  tail -5 "${work}/exp.err" >&2
  return 1
}

requests() {  # requests by chain route since the last reset, as "leases=N bids=N blocks=N"
  curl -sf "${sim_url}/_sim/stats" | jq -r \
    '.requests | "leases=\(.leases // 0) bids=\(.bids // 0) blocks=\((.blocks_latest // 0) + (.blocks // 0))"'
}
reset_stats() { curl -sf -X DELETE "${sim_url}/_sim/stats" >/dev/null; }

# 1. First poll.
reset_stats
start_exporter
t1="$(wait_success_after 0)"
cpu1="$(cpu_seconds)"
echo "first_poll_seconds $(metric "akash_exporter_source_poll_duration_seconds${sel}")"
echo "first_poll_cpu_seconds ${cpu1} (start-up and the scrapes that waited for it included)"
echo "first_poll_requests $(requests)"

# 2. A later poll: one whole 20 s interval, not scraped until its end.
reset_stats
cpu_a="$(cpu_seconds)"
sleep 21
cpu_b="$(cpu_seconds)"
t2="$(wait_success_after "${t1}")"
echo "later_poll_seconds $(metric "akash_exporter_source_poll_duration_seconds${sel}")"
echo "interval_cpu_seconds $(awk -v a="${cpu_a}" -v b="${cpu_b}" 'BEGIN { printf "%.3f", b - a }') (one 20 s interval: a steady-state poll and the idle time around it)"
echo "later_poll_requests $(requests) (bound: ${active_pages} active + ${reclaiming_pages} reclaiming listing pages + new closings 0, + 2 block requests)"
pid_status="/proc/${exp_pid}/status"
curl -sf -o /dev/null -H 'Accept-Encoding: gzip' "${exp_url}/metrics"  # a Prometheus scrape
sleep 1
echo "rss_mib $(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "${pid_status}")"
echo "rss_peak_mib $(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "${pid_status}")"
echo "metrics_series $({ curl -sf "${exp_url}/metrics" || true; } | grep -vc '^#')"
if command -v wrk >/dev/null; then
  wrk -t2 -c16 -d5s "${exp_url}/metrics" >/dev/null
  wrk -t2 -c16 -d5s -H 'Accept-Encoding: gzip' "${exp_url}/metrics" >/dev/null
  echo "rss_after_scraping_mib $(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "${pid_status}")"
fi
: "${t2}"

# 3. Restart with the same --storage.path.
kill -TERM "${exp_pid}"
wait "${exp_pid}" 2>/dev/null || true
exp_pid=""
reset_stats
start_exporter
wait_success_after 0 >/dev/null
echo "restart_first_poll_seconds $(metric "akash_exporter_source_poll_duration_seconds${sel}")"
echo "restart_first_poll_requests $(requests)"
echo "restart_closed_count $(metric "akash_provider_chain_leases{provider=\"${provider}\",state=\"closed\"}") (truth $(jq '.chain.leases.closed' <<<"${truth}"))"
echo "restart_rss_peak_mib $(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/${exp_pid}/status")"

# 5. Idle: the same exporter with hourly polls, 30 s after its first poll, not scraped meanwhile.
kill -TERM "${exp_pid}"
wait "${exp_pid}" 2>/dev/null || true
exp_pid=""
sed -i 's/chain_leases: {interval: 20s/chain_leases: {interval: 1h/' "${work}/config.yml"
start_exporter
wait_success_after 0 >/dev/null
idle_a="$(cpu_seconds)"
sleep 30
idle_b="$(cpu_seconds)"
echo "idle_cpu_seconds_per_hour $(awk -v a="${idle_a}" -v b="${idle_b}" 'BEGIN { printf "%.3f", (b - a) * 120 }') (30 s sampled; 1 tick = $(awk -v hz="${clk_tck}" 'BEGIN { printf "%.3f", 120 / hz }') s/h)"
