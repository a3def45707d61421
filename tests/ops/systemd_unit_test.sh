#!/usr/bin/env bash
# Checks the shipped systemd units without a running systemd:
#  - `systemd-analyze security --offline=yes` rates akash-exporter.service at an exposure of 2.0
#    or lower (systemd 252 takes --threshold in tenths), and the gate does reject a unit without
#    the hardening;
#  - `systemd-analyze verify` accepts both units with no warning at all (it exits 0 on unknown
#    keys and bad values, so any output counts as a failure). verify wants ExecStart's binary to
#    exist, so it runs on copies that point at the binary just built.
#   tests/ops/systemd_unit_test.sh SYSTEMD_DIR AKASH_EXPORTER_BINARY
set -euo pipefail
src=${1:?systemd unit directory}
binary=${2:?akash_exporter binary}
unit=$src/akash-exporter.service
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# 1. Exposure gate.
report=$(systemd-analyze security --offline=yes --threshold=20 "$unit") ||
  fail "exposure above 2.0: $(tail -1 <<<"$report")"
score=$(sed -nE 's/.*Overall exposure level for [^:]+: ([0-9]+\.[0-9]+).*/\1/p' <<<"$report")
[[ -n "$score" ]] || fail "no exposure level in the report"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure $score above 2.0"
echo "exposure level: $score"

# The gate must be able to fail: the same unit without its sandboxing scores far worse.
sed -E '/^(DynamicUser|ProtectSystem|SystemCallFilter|CapabilityBoundingSet|PrivateUsers|ProtectKernel[A-Za-z]*|RestrictNamespaces|PrivateDevices)=/d' \
  "$unit" >"$work/akash-exporter.service"
if systemd-analyze security --offline=yes --threshold=20 "$work/akash-exporter.service" \
  >/dev/null 2>&1; then
  fail "the gate accepted a unit without sandboxing"
fi

# 2. Settings the operations docs and the exporter rely on.
expect() {
  grep -qxF -- "$1" "$unit" || fail "$unit lacks: $1"
}
expect 'DynamicUser=yes'
expect 'StateDirectory=akash-exporter'
expect 'LoadCredential=earnings.key:akash-exporter.earnings.key'
expect 'LoadCredential=console.key:akash-exporter.console.key'
# shellcheck disable=SC2016  # the literal systemd specifier
expect 'ExecReload=/bin/kill -HUP $MAINPID'
expect 'Restart=on-failure'
expect 'ProtectSystem=strict'
grep -qE '^ExecStart=/usr/bin/akash_exporter .*--storage\.path=\$\{STATE_DIRECTORY\}' "$unit" ||
  fail "ExecStart does not pass --storage.path=\${STATE_DIRECTORY}"
grep -qE '^IPAddressDeny=' "$unit" && fail "IPAddressDeny= would cut egress to the Akash APIs"

# 3. verify, on copies whose ExecStart names the built binary.
for f in "$src"/akash-exporter.service "$src"/akash-exporter.socket; do
  sed "s#/usr/bin/akash_exporter#$binary#g" "$f" >"$work/$(basename "$f")"
done
out=$(systemd-analyze verify "$work/akash-exporter.service" "$work/akash-exporter.socket" 2>&1) ||
  fail "systemd-analyze verify: $out"
[[ -z "$out" ]] || fail "systemd-analyze verify warned: $out"

# 4. The binary accepts ExecStart's flags as the unit passes them (config and state directory
#    replaced by scratch ones; --config.check parses every flag and exits).
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
state=$work/state
mkdir -p "$state"
printf 'sources:\n  market: {interval: 5m}\n' >"$work/config.yml"
read -r -a argv <<<"$exec_start"
argv[0]=$binary
argv=("${argv[@]//\$\{STATE_DIRECTORY\}/$state}")
argv=("${argv[@]//\/etc\/akash-exporter\/config.yml/$work/config.yml}")
out=$("${argv[@]}" --config.check 2>&1) || fail "ExecStart's flags refused: $out"

# verify must catch a mistake (it is the reason for step 3).
printf 'BogusKey=1\n' >>"$work/akash-exporter.service"
out=$(systemd-analyze verify "$work/akash-exporter.service" 2>&1 || true)
[[ "$out" == *BogusKey* ]] || fail "verify did not flag an unknown key"
echo "PASS: units verified, exposure $score"
