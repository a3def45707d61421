#!/usr/bin/env bash
# Configures and builds the Release binaries (akash_exporter, akash_sim) into build-release/.
# The one definition of the build users run: scripts/run.sh uses it, and scripts/test.sh builds it
# first so that a warning under -Werror in this configuration fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASH_BUILD_TESTS=OFF \
  -DAKASH_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j "$(nproc)" --target akash_exporter akash_sim
