#!/usr/bin/env bash
# Deletes everything that costs money: the namespace (load balancer, persistent disks), the cluster,
# the static IP, the images, and any disk left behind. The budget and service accounts cost nothing
# and stay. Asks before deleting unless --yes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() {
  cat <<'USAGE'
Usage: deploy/gke/cleanup.sh [--config FILE] [--yes] [--dry-run]
Deletes the log-monitoring namespace, the cluster, the static IP, the Artifact Registry repository
and leftover persistent disks. --yes skips the question. Safe to re-run.
USAGE
}
gke_init "$@"
# shellcheck disable=SC2034  # read by exists() in lib.sh
DRY_RUN_ASSUMES=present

if [ "$DRY_RUN" = false ] && [ "$ASSUME_YES" = false ]; then
  read -r -p "Delete cluster $CLUSTER_NAME, its data, address $STATIC_IP_NAME and repository $REGISTRY? [y/N] " answer
  [ "$answer" = y ] || [ "$answer" = Y ] || fail "nothing deleted"
fi

if gc_exists container clusters describe "$CLUSTER_NAME" "$LOCATION_FLAG"; then
  # First the namespace: deleting it removes the Ingress (and its load balancer, forwarding rules and
  # NEGs) and the PVCs (and their disks). Deleting only the cluster would leave both behind, billed.
  gc container clusters get-credentials "$CLUSTER_NAME" "$LOCATION_FLAG"
  run kubectl delete namespace log-monitoring --ignore-not-found --wait=true --timeout=10m
  gc container clusters delete "$CLUSTER_NAME" "$LOCATION_FLAG"
else
  say "cluster $CLUSTER_NAME is already gone"
fi

if gc_exists compute addresses describe "$STATIC_IP_NAME" --global; then
  # A reserved address that nothing uses is billed by the hour.
  gc compute addresses delete "$STATIC_IP_NAME" --global
fi

# Free, but it would stop a later 06-static-ip.sh from creating it with other settings.
if gc_exists compute ssl-policies describe logmonitoring-tls; then
  gc compute ssl-policies delete logmonitoring-tls
fi

if gc_exists artifacts repositories describe "$AR_REPOSITORY" --location="$REGION"; then
  gc artifacts repositories delete "$AR_REPOSITORY" --location="$REGION"
fi

# Disks of PersistentVolumes whose claims outlived the cluster (e.g. a namespace deletion that timed out).
if [ "$DRY_RUN" = true ]; then
  run gcloud --project="$PROJECT_ID" compute disks list --filter='name~^pvc- AND -users:*' --format='value(name,zone.basename())'
else
  gcloud --project="$PROJECT_ID" compute disks list --filter='name~^pvc- AND -users:*' --format='value(name,zone.basename())' |
    while read -r disk zone; do
      gc compute disks delete "$disk" --zone="$zone"
    done
fi
say "cleanup finished; check https://console.cloud.google.com/billing for anything left"
