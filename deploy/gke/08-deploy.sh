#!/usr/bin/env bash
# Deploys the gke overlay with the images of TAG and the ingress hosts under DOMAIN (or the static IP's nip.io name).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: [TAG=...] deploy/gke/08-deploy.sh [--config FILE] [--dry-run]  (runs deploy/scripts/deploy.sh --overlay gke)"; }
gke_init "$@"

tag="${TAG:-$(git -C "$LOGMON_ROOT" rev-parse --short HEAD)}"
domain="${DOMAIN:-}"
if [ -z "$domain" ]; then
  if [ "$DRY_RUN" = true ]; then
    run gcloud --project="$PROJECT_ID" compute addresses describe "$STATIC_IP_NAME" --global --format='value(address)'
    domain="STATIC-IP.nip.io"
  else
    domain="$(gcloud --project="$PROJECT_ID" compute addresses describe "$STATIC_IP_NAME" --global --format='value(address)').nip.io"
  fi
fi

args=(--overlay gke --registry "$REGISTRY" --tag "$tag" --domain "$domain")
[ "$DRY_RUN" = true ] && args+=(--dry-run)
# The overlay's Ingress names the address logmonitoring-ip; a different STATIC_IP_NAME needs the overlay edited.
[ "$STATIC_IP_NAME" = logmonitoring-ip ] || say "warning: deploy/k8s/overlays/gke/ingress.yaml names logmonitoring-ip, not $STATIC_IP_NAME"
"$LOGMON_ROOT/deploy/scripts/deploy.sh" "${args[@]}"
say "ingest: https://ingest.$domain  stats: https://stats.$domain  explorer: https://explorer.$domain  grafana: https://grafana.$domain"
