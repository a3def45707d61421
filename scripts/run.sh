#!/usr/bin/env bash
# Builds and runs akash_exporter on a fresh Debian 12 machine.
#   scripts/run.sh --config.file=/etc/akash-exporter/config.yml [more exporter flags]
# With no --config.file, runs a demo: starts akash_sim (the simulated Akash APIs) and points the
# exporter at it, so live metrics appear at http://localhost:9733/metrics within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
akash_install_packages "${AKASH_BUILD_PACKAGES[@]}"

cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASH_BUILD_TESTS=OFF \
  -DAKASH_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target akash_exporter akash_sim

for arg in "$@"; do
  if [[ "$arg" == --config.file=* || "$arg" == --config.file ]]; then
    exec build-release/exporter/akash_exporter "$@"
  fi
done

demo_dir=$(mktemp -d)
build-release/sim/akash_sim --demo --demo-dir="$demo_dir" --listen=127.0.0.1:0 \
  >"$demo_dir/akash_sim.out" 2>"$demo_dir/akash_sim.log" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null || true; rm -rf "$demo_dir"' EXIT
config="$demo_dir/akash_exporter.yml"
for _ in $(seq 1 200); do
  [[ -s "$config" ]] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    cat "$demo_dir/akash_sim.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "demo: akash_sim running (pid $sim_pid); exporter config: $config" >&2
echo "demo: metrics at http://localhost:9733/metrics, landing page at http://localhost:9733/" >&2
build-release/exporter/akash_exporter --config.file="$config" "$@"
