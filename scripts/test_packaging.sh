#!/usr/bin/env bash
# Packages the Release build as a .deb and installs it into scratch roots:
#   scripts/test_packaging.sh [BUILD_DIR]     (default: build-release, as scripts/run.sh makes it)
# Checks that the package's files land where docs/operations.md says, that the binary from the
# package runs, that its Depends were computed, that the packaged unit passes the systemd
# checks, and that a plain `cmake --install --prefix` points the unit at that prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-${AKASH_RELEASE_BUILD_DIR:-build-release}}")
[[ -f "$build/CPackConfig.cmake" ]] || {
  echo "FAIL: $build is not a configured build directory" >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
need_file() {
  [[ -f "$1" ]] || fail "missing ${1#"$work"/}"
}

cmake --build "$build" --target akash_exporter >/dev/null
version=$(sed -nE 's/^project\(akash_exporter VERSION ([0-9.]+).*/\1/p' CMakeLists.txt)

# 1. The package.
(cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
  fail "cpack: $(cat "$work/cpack.log")"
deb=$(find "$work/pkg" -maxdepth 1 -name 'akash-exporter_*.deb')
[[ -n "$deb" ]] || fail "cpack made no akash-exporter .deb"
[[ "$(dpkg-deb -f "$deb" Package)" == akash-exporter ]] || fail "package name"
[[ "$(dpkg-deb -f "$deb" Version)" == "$version" ]] || fail "package version"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libyaml-cpp; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes), Depends: $depends"

# 2. Unpacked as files.
root=$work/root
dpkg -x "$deb" "$root"
need_file "$root/usr/bin/akash_exporter"
need_file "$root/usr/lib/systemd/system/akash-exporter.service"
need_file "$root/usr/lib/systemd/system/akash-exporter.socket"
need_file "$root/usr/share/doc/akash-exporter/config.yml.example"
need_file "$root/usr/share/doc/akash-exporter/README.md"
for f in dashboards/*.json; do
  [[ -e "$f" ]] && need_file "$root/usr/share/akash-exporter/$f"
done
for f in rules/*.yml rules/*.yaml; do
  if [[ -e "$f" ]] && grep -q '^groups:' "$f"; then
    need_file "$root/usr/share/akash-exporter/$f"
  elif [[ -e "$f" && -e "$root/usr/share/akash-exporter/$f" ]]; then
    fail "$f is not a rule file (no groups:) but is in the package"
  fi
done
[[ -z "$(find "$root" -name 'akash_sim*')" ]] || fail "akash_sim is in the package"
[[ ! -e "$root/etc" ]] || fail "the package ships files under /etc: $(find "$root/etc")"

out=$("$root/usr/bin/akash_exporter" --version 2>&1) || fail "--version: $out"
[[ "$out" == *"version $version"* ]] || fail "--version says: $out"
"$root/usr/bin/akash_exporter" --config.check \
  --config.file="$root/usr/share/doc/akash-exporter/config.yml.example" >"$work/check.log" 2>&1 ||
  fail "the shipped example config is refused: $(cat "$work/check.log")"
grep -qx 'ExecStart=/usr/bin/akash_exporter .*' \
  "$root/usr/lib/systemd/system/akash-exporter.service" || fail "packaged ExecStart"
tests/ops/systemd_unit_test.sh "$root/usr/lib/systemd/system" "$root/usr/bin/akash_exporter" ||
  fail "the packaged unit fails the systemd checks"

# 3. Installed by dpkg into an empty root (no maintainer scripts run; Depends are not in it).
droot=$work/dpkg-root
mkdir -p "$droot/var/lib/dpkg/info" "$droot/var/lib/dpkg/updates"
touch "$droot/var/lib/dpkg/status"
dpkg --root="$droot" --force-depends --log=/dev/null -i "$deb" >"$work/dpkg.log" 2>&1 ||
  fail "dpkg -i: $(cat "$work/dpkg.log")"
dpkg --root="$droot" -s akash-exporter | grep -qx 'Status: install ok installed' ||
  fail "dpkg does not list the package as installed"
dpkg --root="$droot" -L akash-exporter | grep -qx /usr/bin/akash_exporter ||
  fail "dpkg -L lacks the binary"
"$droot/usr/bin/akash_exporter" --version >/dev/null || fail "installed binary does not run"

# 4. cmake --install to another prefix rewrites the unit's ExecStart.
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
grep -qx "ExecStart=$prefix/bin/akash_exporter .*" \
  "$prefix/lib/systemd/system/akash-exporter.service" || fail "ExecStart not rewritten for $prefix"
[[ ! -e "$prefix/bin/akash_sim" ]] || fail "akash_sim installed although AKASH_INSTALL_SIM is OFF"
"$prefix/bin/akash_exporter" --version >/dev/null || fail "prefix install does not run"
echo "PASS: packaging"
