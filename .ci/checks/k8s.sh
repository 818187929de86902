#!/usr/bin/env bash
# Kubernetes manifests and deploy scripts: renders every overlay with kubectl kustomize, validates
# every object against the Kubernetes (and GKE, and KEDA) OpenAPI schemas, lints and dry-runs the scripts.
# Installs what it needs: shellcheck (Debian) and the schema models (npm, into .ci/node_modules).
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v kubectl >/dev/null || {
  echo "kubectl is missing: it comes with this machine's google-cloud-cli (kubectl component)" >&2
  exit 1
}
if ! command -v shellcheck >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi
models=.ci/node_modules
if [ ! -d "$models/kubernetes-models" ] || [ ! -d "$models/@kubernetes-models/gke" ] || [ ! -d "$models/@kubernetes-models/keda" ] || [ ! -d "$models/yaml" ]; then
  npm install --prefix .ci --no-save --no-audit --no-fund --silent \
    kubernetes-models@5.1.0 @kubernetes-models/gke@4.6.2 @kubernetes-models/keda@2.0.0 yaml@2.9.1
fi

# Render from a copy with the example secrets, as a user with a filled-in secrets.env would.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r deploy "$work/deploy"
[ -d grafana ] && cp -r grafana "$work/grafana"
cp deploy/k8s/base/secrets.env.example "$work/deploy/k8s/base/secrets.env"

cat >"$work/validate.mjs" <<'JS'
// Validates every object of a rendered overlay against its OpenAPI schema.
// Usage: node validate.mjs RENDERED.yaml NODE_MODULES (modules are imported by path: this file lives elsewhere).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[3];
const load = (...parts) => import(pathToFileURL(join(modules, ...parts)).href);
const { parseAllDocuments } = await load("yaml", "dist", "index.js");

const docs = parseAllDocuments(readFileSync(process.argv[2], "utf8")).map((d) => d.toJS()).filter(Boolean);
let invalid = 0;
for (const doc of docs) {
  const groupVersion = doc.apiVersion;
  const gke = groupVersion.startsWith("cloud.google.com/") || groupVersion.includes(".gke.io/");
  const module = gke ? join("@kubernetes-models", "gke", groupVersion, "index.mjs")
    : groupVersion.startsWith("keda.sh/") ? join("@kubernetes-models", "keda", groupVersion, "index.js")
    : join("kubernetes-models", groupVersion, "index.js");
  if (doc.kind === "Secret") {
    // kustomize wraps long base64 values over lines; the API server's decoder skips the newlines, the schema's does not.
    for (const key of Object.keys(doc.data ?? {})) doc.data[key] = doc.data[key].replace(/\s/g, "");
  }
  try {
    const Model = (await load(module))[doc.kind];
    if (!Model) throw new Error(`no schema for ${doc.kind} in ${module}`);
    new Model(doc).validate();
  } catch (error) {
    invalid++;
    console.log(`  INVALID ${doc.kind}/${doc.metadata?.name}: ${error.message}`);
  }
}
console.log(`  ${docs.length - invalid} of ${docs.length} objects valid`);
process.exit(invalid ? 1 : 0);
JS

failed=0
# The monitoring ConfigMaps are generated from files outside deploy/k8s; name any that are missing.
monitoring=deploy/k8s/base/monitoring
while read -r source; do
  [ -f "$monitoring/$source" ] || { echo "missing $(realpath -m --relative-to=. "$monitoring/$source"), which $monitoring/kustomization.yaml generates a ConfigMap from"; failed=1; }
done < <(sed -n 's/^ *- \(\.\.\/[^ ]*\)$/\1/p' "$monitoring/kustomization.yaml")

# Every overlay, the optional local Kafka UI, and the deployer RBAC an admin applies before the first deploy.
for overlay in "$work"/deploy/k8s/overlays/*/ "$work/deploy/k8s/overlays/local/kafka-ui/" "$work/deploy/k8s/deployer/"; do
  name="$(basename "$overlay")"
  echo "$name: kubectl kustomize --load-restrictor LoadRestrictionsNone"
  if kubectl kustomize --load-restrictor LoadRestrictionsNone "$overlay" >"$work/$name.yaml"; then
    node "$work/validate.mjs" "$work/$name.yaml" "$PWD/$models" || failed=1
  else
    echo "  render FAILED"
    failed=1
  fi
done

# Every optional component on the gke overlay, rendered as deploy.sh --component renders it.
for component in "$work"/deploy/k8s/components/*/; do
  name="gke+$(basename "$component")"
  echo "$name: deploy.sh --output --component $(basename "$component")"
  if "$work/deploy/scripts/deploy.sh" --overlay gke --registry europe-west1-docker.pkg.dev/p/r --tag ci --domain example.org \
    --component "$(basename "$component")" --output "$work/$name.yaml" 2>/dev/null; then
    node "$work/validate.mjs" "$work/$name.yaml" "$PWD/$models" || failed=1
  else
    echo "  render FAILED"
    failed=1
  fi
done

mapfile -t scripts < <(find deploy -name '*.sh' | sort)
echo "scripts: bash -n and shellcheck on ${#scripts[@]} files"
for script in "${scripts[@]}"; do
  bash -n "$script" || { echo "  syntax error: $script"; failed=1; }
done
shellcheck --external-sources --severity=warning "${scripts[@]}" || failed=1

echo "scripts: --dry-run"
export GKE_CONFIG="$work/deploy/gke/gke.env.example" TAG=ci
"$work/deploy/scripts/deploy.sh" --overlay local --registry local --tag ci --dry-run >/dev/null || failed=1
"$work/deploy/scripts/deploy.sh" --overlay gke --registry europe-west1-docker.pkg.dev/p/r --tag ci --domain example.org --dry-run >/dev/null || failed=1
"$work/deploy/scripts/rollback.sh" --dry-run >/dev/null || failed=1
"$work/deploy/gke/ci-identities.sh" --environment staging --dry-run >/dev/null || failed=1
"$work/deploy/scripts/verify.sh" --dry-run >/dev/null || failed=1
"$work/deploy/gke/up.sh" --dry-run >/dev/null || failed=1
"$work/deploy/gke/cleanup.sh" --dry-run >/dev/null || failed=1

if [ "$failed" -ne 0 ]; then
  echo "k8s check FAILED"
  exit 1
fi
echo "k8s check passed"
