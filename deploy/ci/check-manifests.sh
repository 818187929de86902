#!/usr/bin/env bash
# Renders each kustomize overlay offline (kubectl kustomize) so a broken manifest fails CI before any
# cluster sees it, and lists what each overlay would create.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: deploy/ci/check-manifests.sh OVERLAY_DIR [OVERLAY_DIR ...]

Renders every overlay with 'kubectl kustomize' and prints the kinds and names it produces.
Fails when an overlay is missing, does not render, or renders nothing.
EOF2
}

case "${1:-}" in -h|--help) usage; exit 0 ;; "") usage >&2; exit 2 ;; esac
command -v kubectl >/dev/null || { echo "kubectl is required (it bundles kustomize)" >&2; exit 1; }

failed=0
for overlay in "$@"; do
  if [ ! -f "$overlay/kustomization.yaml" ] && [ ! -f "$overlay/kustomization.yml" ] && [ ! -f "$overlay/Kustomization" ]; then
    echo "FAIL ${overlay}: no kustomization file"
    failed=1
    continue
  fi
  if ! rendered=$(kubectl kustomize "$overlay" 2>&1); then
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
