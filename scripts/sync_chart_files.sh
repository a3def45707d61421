#!/usr/bin/env bash
# Copies the repository's Grafana dashboards (dashboards/*.json) and Prometheus rule files
# (rules/*.yml|yaml holding `groups:`; promtool test files are left out) into the Helm chart's
# files/, which is all a chart can read.
#   scripts/sync_chart_files.sh           # update the copies
#   scripts/sync_chart_files.sh --check   # exit 1 when the copies differ (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
files=helm/akash-exporter/files
want=$(mktemp -d)
trap 'rm -rf "$want"' EXIT
mkdir -p "$want/dashboards" "$want/rules"
for f in dashboards/*.json; do
  [[ -e "$f" ]] && cp "$f" "$want/dashboards/"
done
for f in rules/*.yml rules/*.yaml; do
  [[ -e "$f" ]] && grep -q '^groups:' "$f" && cp "$f" "$want/rules/"
done
if [[ "${1:-}" == --check ]]; then
  for sub in dashboards rules; do
    if ! diff -r "$want/$sub" "$files/$sub" -x .gitkeep >/dev/null; then
      echo "$files/$sub differs from $sub/: run scripts/sync_chart_files.sh" >&2
      diff -rq "$want/$sub" "$files/$sub" -x .gitkeep >&2 || true
      exit 1
    fi
  done
  exit 0
fi
for sub in dashboards rules; do
  find "$files/$sub" -type f ! -name .gitkeep -delete
  cp -r "$want/$sub/." "$files/$sub/"
done
