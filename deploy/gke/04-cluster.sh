#!/usr/bin/env bash
# Creates the GKE cluster: Standard (zonal, an e2-medium pool plus a Spot pool) or Autopilot.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/04-cluster.sh [--config FILE] [--dry-run]  (creates cluster \$CLUSTER_NAME; CLUSTER_MODE=standard|autopilot)"; }
gke_init "$@"

if gc_exists container clusters describe "$CLUSTER_NAME" "$LOCATION_FLAG"; then
  say "cluster $CLUSTER_NAME exists"
elif [ "$CLUSTER_MODE" = autopilot ]; then
  gc container clusters create-auto "$CLUSTER_NAME" --region="$REGION" --release-channel=regular \
    --service-account="$NODE_SA_EMAIL"
else
  # Three on-demand e2-medium nodes hold Kafka's three brokers, MongoDB and Prometheus (and their disks).
  gc container clusters create "$CLUSTER_NAME" --zone="$ZONE" --release-channel=regular \
    --machine-type=e2-medium --num-nodes=3 --disk-type=pd-balanced --disk-size=30 \
    --service-account="$NODE_SA_EMAIL" --workload-pool="$PROJECT_ID.svc.id.goog" \
    --enable-ip-alias --addons=HttpLoadBalancing,HorizontalPodAutoscaling,GcePersistentDiskCsiDriver \
    --enable-dataplane-v2 \
    --logging=SYSTEM,WORKLOAD --monitoring=SYSTEM
fi

if [ "$CLUSTER_MODE" = standard ]; then
  # Spot VMs for the stateless services (their pods tolerate this taint; the stateful ones do not).
  # Scales to zero when idle; the services fall back to the on-demand pool if Spot capacity is gone.
  if gc_exists container node-pools describe spot-pool --cluster="$CLUSTER_NAME" --zone="$ZONE"; then
    say "node pool spot-pool exists"
  else
    gc container node-pools create spot-pool --cluster="$CLUSTER_NAME" --zone="$ZONE" --spot \
      --machine-type=e2-medium --disk-type=pd-balanced --disk-size=30 --num-nodes=2 \
      --enable-autoscaling --min-nodes=0 --max-nodes=6 \
      --node-taints=cloud.google.com/gke-spot=true:NoSchedule \
      --service-account="$NODE_SA_EMAIL"
  fi
fi
