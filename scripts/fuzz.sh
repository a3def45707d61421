#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer under ASan+UBSan (clang), starting from tests/fuzz/corpus and
# the fixtures, for a bounded time.
#   scripts/fuzz.sh [SECONDS]        explore (default 60 s); new inputs stay in a temporary corpus
#   scripts/fuzz.sh --ci [SECONDS]   the CI run called by scripts/test.sh (default 60 s): fails on
#                                    the first crash, leak, hang (>5 s) or UBSan report, keeps the
#                                    input under build-fuzz/crashes/ and says how to make it a
#                                    regression fixture
# One entry point (tests/fuzz/parsers_fuzz.cc) covers every parser: its first byte picks the
# parser, so libFuzzer's coverage guidance spreads the time over all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
ci=0
if [[ "${1:-}" == "--ci" ]]; then
  ci=1
  shift
fi
seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: scripts/fuzz.sh [--ci] [SECONDS]" >&2
  exit 2
fi
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
akash_install_packages "${AKASH_BUILD_PACKAGES[@]}" clang libclang-rt-14-dev
# Warnings are errors here too: this is the suite's clang build of the parsers and the libraries
# under them (core, http, collectors), so clang-only warnings (C++20's ambiguous reversed
# operators on RapidJSON iterators, for one) fail CI as GCC's do in the other builds.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DAKASH_FUZZ=ON -DAKASH_WERROR=ON -DAKASH_BUILD_TESTS=ON \
  -DAKASH_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz --target parsers_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp tests/fuzz/corpus/* "$work/"
crashes=$PWD/build-fuzz/crashes
mkdir -p "$crashes"
export UBSAN_OPTIONS="suppressions=$PWD/tests/fuzz/ubsan.supp:halt_on_error=1:print_stacktrace=1"
status=0
# In CI the run is reproducible: a fixed seed and a fixed number of runs (the time is only a
# ceiling), so a build that passed here passes there, and a new failure comes from a change.
extra=()
if ((ci)); then extra=(-seed=1 "-runs=${AKASH_FUZZ_RUNS:-200000}"); fi
build-fuzz/tests/fuzz/parsers_fuzz -max_total_time="$seconds" -max_len=65536 -timeout=5 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" "${extra[@]}" "$work" \
  tests/fuzz/corpus 2>&1 | tee "$work/fuzz.log" || status=$?
if ((status != 0)); then
  echo "== fuzz: FAILED (exit $status)" >&2
  found=0
  for f in "$crashes"/crash-* "$crashes"/leak-* "$crashes"/timeout-* "$crashes"/oom-*; do
    [[ -e "$f" ]] || continue
    found=1
    name=$(basename "$f")
    echo "   input: $f" >&2
    echo "   reproduce: build-fuzz/tests/fuzz/parsers_fuzz $f" >&2
    echo "   after the fix, keep it as a regression fixture (the suite's parsers_fuzz_replay" >&2
    echo "   test replays every file there through every parser):" >&2
    echo "     cp $f tests/fuzz/corpus/regression_${name#*-}" >&2
  done
  ((found)) || echo "   no input was saved; see the log above" >&2
  exit 1
fi
if ((ci)); then
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$work/fuzz.log" | grep -Eo '[0-9]+$' || true)
  echo "== fuzz: ${runs:-?} runs in ${seconds} s over every parser, no crash"
fi
