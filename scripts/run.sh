#!/usr/bin/env bash
# Builds and runs akash_exporter on a fresh Debian 12 machine.
#   scripts/run.sh --config.file=/etc/akash-exporter/config.yml [more exporter flags]
# With no --config.file, runs a demo: starts akash_sim (the simulated Akash APIs) and points the
# exporter at it, then prints the address the exporter really listens on. The simulated clock runs
# at real speed, so rates and timestamps read as they would in production;
#   scripts/run.sh --demo-speed=60
# runs it 60 times faster (an hour of earnings per minute; rates then read 60 times too high).
# Every other argument goes to akash_exporter, e.g. --web.listen-address=127.0.0.1:0.
# SIGTERM or Ctrl-C stops the exporter and the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
akash_install_packages "${AKASH_BUILD_PACKAGES[@]}"

demo_speed=1
direct=0  # the exporter runs on its own: a real configuration, or a flag that only prints
exporter_args=()
for arg in "$@"; do
  case "$arg" in
    --demo-speed=*) demo_speed=${arg#--demo-speed=} ;;
    --demo-speed)
      echo "run.sh: use --demo-speed=N (e.g. --demo-speed=60)" >&2
      exit 2
      ;;
    --config.file | --config.file=* | --config.check | --help | -h | --version)
      direct=1
      exporter_args+=("$arg")
      ;;
    *) exporter_args+=("$arg") ;;
  esac
done
if ! [[ "$demo_speed" =~ ^[0-9]+([.][0-9]+)?$ ]] || [[ "$demo_speed" =~ ^0+([.]0+)?$ ]]; then
  echo "run.sh: --demo-speed must be a positive number, got '$demo_speed'" >&2
  exit 2
fi

scripts/build_release.sh

if ((direct)); then
  exec build-release/exporter/akash_exporter "${exporter_args[@]}"
fi

demo_dir=$(mktemp -d)
sim_pid=""
exporter_pid=""
tail_pid=""
# Stops every process the demo started, exporter first (it stops within 2 s), and waits for
# each, so that nothing outlives this script however it ends.
# shellcheck disable=SC2317  # invoked by the EXIT trap
stop_demo() {
  local pid
  for pid in "$exporter_pid" "$sim_pid"; do
    [[ -n "$pid" ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # tail ends by itself once the exporter is gone, after showing its last lines.
  if [[ -n "$tail_pid" ]]; then wait "$tail_pid" 2>/dev/null || true; fi
  rm -rf "$demo_dir"
}
trap stop_demo EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

build-release/sim/akash_sim --demo --demo-dir="$demo_dir" --listen=127.0.0.1:0 \
  --time-scale="$demo_speed" >"$demo_dir/akash_sim.out" 2>"$demo_dir/akash_sim.log" &
sim_pid=$!
config="$demo_dir/akash_exporter.yml"
for _ in $(seq 1 200); do
  [[ -s "$config" ]] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    cat "$demo_dir/akash_sim.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ ! -s "$config" ]]; then
  echo "run.sh: akash_sim wrote no configuration within 20 s" >&2
  cat "$demo_dir/akash_sim.log" >&2
  exit 1
fi
echo "demo: akash_sim running (pid $sim_pid, clock x$demo_speed); exporter config: $config" >&2

# The exporter logs to a file that run.sh reads for the bound addresses; tail shows it live.
exporter_log="$demo_dir/akash_exporter.log"
: >"$exporter_log"
build-release/exporter/akash_exporter --config.file="$config" "${exporter_args[@]}" \
  2>"$exporter_log" &
exporter_pid=$!
tail -n +1 -f --pid="$exporter_pid" --sleep-interval=0.2 "$exporter_log" >&2 &
tail_pid=$!

# The start-up line names what was bound: listen=HOST:PORT[,HOST:PORT...] in logfmt,
# "listen":"..." in JSON. Port 0 in --web.listen-address is the OS-picked port there.
listen=""
for _ in $(seq 1 300); do
  listen=$(grep -oE '(^| )listen=[^ ]+|"listen":"[^"]+"' "$exporter_log" | head -1 |
    sed -E 's/^ ?listen=//; s/^"listen":"//; s/"$//' || true)
  [[ -n "$listen" ]] && break
  kill -0 "$exporter_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$listen" ]]; then
  status=1
  wait "$exporter_pid" || status=$?
  echo "run.sh: akash_exporter did not start (exit status $status)" >&2
  exit 1
fi
IFS=',' read -r -a addresses <<<"$listen"
for address in "${addresses[@]}"; do
  host=${address%:*}
  port=${address##*:}
  # An empty or wildcard host listens on every interface; the loopback one reaches it.
  case "$host" in
    "" | 0.0.0.0) host=localhost ;;
    "[::]") host="[::1]" ;;
  esac
  echo "demo: metrics at http://$host:$port/metrics, landing page at http://$host:$port/" >&2
done

status=0
wait "$exporter_pid" || status=$?
exit "$status"
