#!/usr/bin/env bash
# Lints and renders helm/akash-exporter with a real Helm and checks the objects:
#   tests/helm/helm_test.sh [AKASH_EXPORTER_BINARY]
# - `helm lint` (strict) and `helm template` for every tests/helm/values-*.yaml, each checked by
#   check_rendered.py; with the binary, the container's rendered args, config and key files also
#   pass the real `akash_exporter ... --config.check`;
# - every tests/helm/bad/*.yaml is refused (values.schema.json or the chart's own checks);
# - a copy of the chart with a fixture dashboard and rule file renders them as ConfigMaps and
#   PrometheusRule groups;
# - the chart's files/ are in sync with the repository's dashboards/ and rules/.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-}
helm=$(scripts/helm.sh)
chart=helm/akash-exporter
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
  echo "FAIL: $*" >&2
  failed=1
}
echo "helm: $("$helm" version --short)"

render_and_check() { # CHART VALUES
  local chart_dir=$1 values=$2
  local name
  name=$(basename "$values" .yaml)
  name=${name#values-}
  local out=$work/$name
  mkdir -p "$out"
  if ! "$helm" lint --strict "$chart_dir" -f "$values" >"$out/lint.log" 2>&1; then
    fail "helm lint $values: $(cat "$out/lint.log")"
    return
  fi
  if ! "$helm" template akash "$chart_dir" -n monitoring -f "$values" >"$out/rendered.yaml" \
    2>"$out/template.log"; then
    fail "helm template $values: $(cat "$out/template.log")"
    return
  fi
  # NOTES.txt renders only on install: a client-side dry run needs no cluster.
  if ! "$helm" install akash "$chart_dir" -n monitoring --dry-run=client -f "$values" \
    >"$out/install.log" 2>&1 || ! grep -q '^NOTES:' "$out/install.log"; then
    fail "helm install --dry-run=client $values: $(cat "$out/install.log")"
    return
  fi
  python3 tests/helm/check_rendered.py "$name" "$out/rendered.yaml" "$values" "$chart_dir" \
    "$out/keys" || {
    failed=1
    return
  }
  if [[ -n "$binary" ]]; then
    # The pod reads keys from the Secret's mount; here the same files sit in a directory that
    # the exporter's $CREDENTIALS_DIRECTORY fallback finds by file name. existingSecret stands
    # for a Secret the user made: give it the key its config names.
    if [[ "$name" == existing-secret ]]; then
      printf 'akash_%064d\n' 0 >"$out/keys/earnings.key"
    fi
    # The container's args as rendered, with the pod's paths mapped to scratch ones.
    local args=()
    mapfile -t args <"$out/args"
    mkdir -p "$out/state"
    args=("${args[@]//\/etc\/akash-exporter\/config\/config.yml/$out/config.yml}")
    args=("${args[@]//\/var\/lib\/akash-exporter/$out/state}")
    if [[ -f "$out/web.yml" ]]; then
      # The web config as mounted, its TLS Secret standing in as a fresh self-signed pair, so
      # --config.check loads the certificate and key as the pod's server would.
      args=("${args[@]//\/etc\/akash-exporter\/web\/web.yml/$out/web.yml}")
      if grep -q /etc/akash-exporter/tls/ "$out/web.yml"; then
        mkdir -p "$out/tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
          -subj /CN=akash-exporter -keyout "$out/tls/tls.key" -out "$out/tls/tls.crt" \
          >/dev/null 2>&1 || fail "$values: openssl could not make a test certificate"
        sed -i "s|/etc/akash-exporter/tls/|$out/tls/|g" "$out/web.yml"
      fi
    fi
    if ! CREDENTIALS_DIRECTORY=$out/keys "$binary" "${args[@]}" --config.check \
      >"$out/check.log" 2>&1; then
      fail "$values: the exporter refuses the rendered args or config: $(cat "$out/check.log")"
    elif [[ -f "$out/web.yml" ]] && ! grep -q "^web config $out/web.yml: " "$out/check.log"; then
      fail "$values: --config.check did not load the web config: $(cat "$out/check.log")"
    fi
  fi
}

for values in tests/helm/values-*.yaml; do
  render_and_check "$chart" "$values"
done

for values in tests/helm/bad/*.yaml; do
  if "$helm" template akash "$chart" -f "$values" >/dev/null 2>"$work/bad.log"; then
    fail "bad values accepted: $values"
  elif ! grep -qiE 'schema|execution error' "$work/bad.log"; then
    fail "$values refused for an unexpected reason: $(cat "$work/bad.log")"
  fi
done

# Dashboards and rules as the chart renders them, on fixtures.
fixture=$work/chart/akash-exporter
mkdir -p "$work/chart"
cp -r "$chart" "$fixture"
cat >"$fixture/files/dashboards/fixture_board.json" <<'JSON'
{"uid": "akash-fixture", "title": "Fixture", "schemaVersion": 39, "panels": [{"type": "stat", "title": "up"}]}
JSON
cat >"$fixture/files/rules/fixture.yml" <<'YAML'
groups:
  - name: fixture
    rules:
      - record: fixture:up:sum
        expr: sum(up)
      - alert: FixtureDown
        expr: fixture:up:sum == 0
        for: 5m
        labels: {severity: warning}
        annotations: {summary: "fixture"}
YAML
render_and_check "$fixture" tests/helm/values-monitoring.yaml
grep -q 'grafana_dashboard: "1"' "$work/monitoring/rendered.yaml" ||
  fail "fixture dashboard not labelled for the Grafana sidecar"
grep -q 'alert: FixtureDown' "$work/monitoring/rendered.yaml" ||
  fail "fixture rule not in the PrometheusRule"

# The chart carries copies of the repository's dashboards and rules (Helm cannot read files
# outside the chart); scripts/sync_chart_files.sh refreshes them.
if ! scripts/sync_chart_files.sh --check >"$work/sync.log" 2>&1; then
  fail "$(cat "$work/sync.log")"
fi

if ((failed)); then
  exit 1
fi
echo "PASS: helm chart"
