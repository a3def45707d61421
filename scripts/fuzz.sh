#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer under ASan+UBSan (clang), starting from tests/fuzz/corpus and
# the fixtures, for a bounded time.  scripts/fuzz.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
akash_install_packages "${AKASH_BUILD_PACKAGES[@]}" clang libclang-rt-14-dev
seconds=${1:-60}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DAKASH_FUZZ=ON -DAKASH_WERROR=OFF -DAKASH_BUILD_TESTS=ON \
  -DAKASH_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz --target parsers_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/fuzz/corpus/* "$work/"
export UBSAN_OPTIONS="suppressions=$PWD/tests/fuzz/ubsan.supp:halt_on_error=1:print_stacktrace=1"
build-fuzz/tests/fuzz/parsers_fuzz -max_total_time="$seconds" -max_len=65536 -timeout=5 \
  -print_final_stats=1 "$work" tests/fuzz/corpus
