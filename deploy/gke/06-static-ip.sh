#!/usr/bin/env bash
# Reserves the global static IP the GKE Ingress uses, so the address survives redeploys.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/06-static-ip.sh [--config FILE] [--dry-run]  (reserves \$STATIC_IP_NAME)"; }
gke_init "$@"

# Global, because the GKE Ingress creates a global external Application Load Balancer.
if gc_exists compute addresses describe "$STATIC_IP_NAME" --global; then
  say "address $STATIC_IP_NAME exists"
else
  gc compute addresses create "$STATIC_IP_NAME" --global --ip-version=IPV4
fi
if [ "$DRY_RUN" = false ]; then
  address="$(gcloud --project="$PROJECT_ID" compute addresses describe "$STATIC_IP_NAME" --global --format='value(address)')"
  say "static IP $address; without a DOMAIN the hosts are ingest.$address.nip.io, stats.$address.nip.io, explorer.$address.nip.io, grafana.$address.nip.io"
fi
