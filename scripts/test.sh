#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs dependencies, builds the Release
# binaries exactly as scripts/run.sh does (a warning there fails the suite), builds with warnings
# as errors, runs every test (one of them runs scripts/run.sh against those Release binaries),
# then does the same under AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/test.sh            # both builds
#   AKASH_SKIP_ASAN=1 scripts/test.sh   # the plain build only (quicker local runs)
#   AKASH_SKIP_FUZZ=1, AKASH_FUZZ_SECONDS=N    # skip or resize the bounded fuzz run (default 60 s)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
akash_install_packages "${AKASH_BUILD_PACKAGES[@]}" "${AKASH_TEST_PACKAGES[@]}"

jobs=$(nproc)
run_suite() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DAKASH_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  local log="$dir/ctest-summary.log"
  (cd "$dir" && ctest -j "$jobs" --output-on-failure --timeout 300 "${ctest_args[@]}") | tee "$log"
  # "100% tests passed, 0 tests failed out of 313" → running totals for the closing line.
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  local failed total
  failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  all_passed=$((all_passed + total - failed))
  all_failed=$((all_failed + failed))
}
all_passed=0
all_failed=0
ctest_args=()

start=$(date +%s)
# Each stage's heading says how long the suite has run, so CI logs show where the time goes.
stage() { echo "== $* (at $(($(date +%s) - start)) s)"; }
# First, what users build: scripts/run.sh's own configuration (-O3, -Werror) into build-release/,
# which the run.sh test below then uses as it is, without a rebuild.
stage "release build (scripts/run.sh's configuration)"
scripts/build_release.sh
# Build types are chosen for CI's 2 cores: -O1 keeps the optimiser-dependent warnings and runs
# fast, -O0 -g1 under the sanitizers compiles 2.5x faster than -O2 -g and still gives file:line
# in sanitizer reports. Assertions stay on in both.
stage "build and test (-O1, -Werror)"
run_suite build -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O1 -DCMAKE_C_FLAGS_DEBUG=-O1
if [[ "${AKASH_SKIP_FUZZ:-0}" != "1" ]]; then
  stage "fuzz every parser for ${AKASH_FUZZ_SECONDS:-60} s (clang, ASan + UBSan)"
  scripts/fuzz.sh --ci "${AKASH_FUZZ_SECONDS:-60}"  # a crash stops the run, like a failed test
fi
if [[ "${AKASH_SKIP_ASAN:-0}" != "1" ]]; then
  stage "build and test under ASan + UBSan"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # The sanitizers check our C++: every unit, simulator and integration test runs again. Left
  # out: the fault matrix and the load test (wall-clock bounds sized for an optimised build;
  # they ran above), and the suites that test tools and files rather than our code paths
  # (mixin, e2e with Prometheus, systemd and Helm).
  ctest_args=(-LE "^(faults|load|mixin|e2e|ops)$")
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" \
    "-DCMAKE_C_FLAGS_DEBUG=-O0 -g1" -DAKASH_SANITIZE=ON -DAKASH_BUILD_BENCH=OFF
fi
stage "package the Release build (scripts/run.sh's) and install it into scratch roots"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASH_BUILD_TESTS=OFF \
  -DAKASH_BUILD_BENCH=OFF >/dev/null
scripts/test_packaging.sh build-release
echo "== test suite finished in $(($(date +%s) - start)) s"
echo "suite: $all_passed passed, $all_failed failed"
