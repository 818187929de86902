#!/usr/bin/env bash
# Renders each kustomize overlay offline (kubectl kustomize) so a broken manifest fails CI before any
# cluster sees it, and lists what each overlay would create.
# Renders from a copy of the repository's deploy/ and grafana/ folders in which every missing
# secrets.env is the committed secrets.env.example, as on a machine that has filled them in; and
# with the load restrictor deploy/scripts/deploy.sh uses (the overlays read deploy/prometheus and grafana).
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: deploy/ci/check-manifests.sh OVERLAY_DIR [OVERLAY_DIR ...]

OVERLAY_DIR is relative to the repository root, e.g. deploy/k8s/overlays/gke.
Renders every overlay with 'kubectl kustomize' and prints the kinds and names it produces.
Fails when an overlay is missing, does not render, or renders nothing.
EOF2
}

case "${1:-}" in -h|--help) usage; exit 0 ;; "") usage >&2; exit 2 ;; esac
command -v kubectl >/dev/null || { echo "kubectl is required (it bundles kustomize)" >&2; exit 1; }
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r deploy "$work/deploy"
if [ -d grafana ]; then cp -r grafana "$work/grafana"; fi
while IFS= read -r example; do
  secrets="${example%.example}"
  if [ ! -f "$secrets" ]; then
    cp "$example" "$secrets"
    echo "(rendering with ${example#"$work"/} as ${secrets#"$work"/})"
  fi
done < <(find "$work/deploy" -name 'secrets.env.example')

failed=0
for overlay in "$@"; do
  if [ ! -f "$overlay/kustomization.yaml" ] && [ ! -f "$overlay/kustomization.yml" ] && [ ! -f "$overlay/Kustomization" ]; then
    echo "FAIL ${overlay}: no kustomization file"
    failed=1
    continue
  fi
  if ! rendered=$(kubectl kustomize --load-restrictor LoadRestrictionsNone "$work/$overlay" 2>&1); then
    echo "FAIL ${overlay}: kubectl kustomize failed"
    sed 's/^/    /' <<<"$rendered"
    failed=1
    continue
  fi
  resources=$(grep -c '^kind:' <<<"$rendered" || true)
  if [ "$resources" -eq 0 ]; then
    echo "FAIL ${overlay}: rendered no resources"
    failed=1
    continue
  fi
  echo "ok   ${overlay}: ${resources} resources"
  # The kind of each document and the first name after it (metadata.name).
  awk '/^kind:/ {kind=$2; want=1; next} want && /^  name:/ {print "       " kind "/" $2; want=0}' <<<"$rendered"
done
exit "$failed"
