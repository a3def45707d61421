#!/usr/bin/env bash
# Prints benchmark figures, each as a ratio against a baseline measured in the same run.
#   scripts/bench.sh [BUILD_DIR]   (default: build-bench, configured Release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAKASH_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" --target exposition_bench parse_bench >/dev/null
out=$(mktemp)
"$build/tests/bench/exposition_bench" --benchmark_format=csv 2>/dev/null >"$out"
echo "== exposition: full render vs cached scrape (baseline: cached scrape of the same body)"
awk -F, 'NR > 1 {
  gsub(/"/, "", $1); split($1, p, "/"); t[p[1] "/" p[2]] = $4; n[p[2]] = 1
} END {
  for (k in n) {
    printf "series=%-6s render %9.1f us  cached %6.3f us  render/cached %8.0fx  gzip %8.1f us  gzip/render %5.2fx\n",
      k, t["BM_Render/" k], t["BM_CachedScrape/" k], t["BM_Render/" k] / t["BM_CachedScrape/" k],
      t["BM_Gzip/" k], t["BM_Gzip/" k] / t["BM_Render/" k]
  }
}' "$out" | sort -t= -k2 -n
"$build/tests/bench/parse_bench" --benchmark_format=csv --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true 2>/dev/null >"$out"
echo "== poll parse: chain pages of 1000 records, the exporter's parser vs RapidJSON's raw parse"
echo "   of the same bytes with the same flags (baseline), medians of 5"
awk -F, 'NR > 1 && $1 ~ /_median"?$/ {
  gsub(/"/, "", $1); sub(/_median$/, "", $1); ns[$1] = $4; bps[$1] = $6
} END {
  for (kind in ns) if (kind ~ /^BM_Raw/) {
    page = substr(kind, 7); ours = "BM_Parse" page
    printf "%-12s ours %7.1f MB/s  raw %7.1f MB/s  ours/raw %5.2fx  (%.2f ms per page)\n", page,
      bps[ours] / 1e6, bps[kind] / 1e6, bps[ours] / bps[kind], ns[ours] / 1e6
  }
}' "$out" | sort
rm -f "$out"
