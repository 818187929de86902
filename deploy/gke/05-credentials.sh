#!/usr/bin/env bash
# Points kubectl at the cluster (writes a context to ~/.kube/config) and checks that it answers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/05-credentials.sh [--config FILE] [--dry-run]  (kubectl credentials for the cluster)"; }
gke_init "$@"

# kubectl authenticates through gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin).
gc container clusters get-credentials "$CLUSTER_NAME" "$LOCATION_FLAG"
run kubectl get nodes --label-columns=cloud.google.com/gke-nodepool,cloud.google.com/gke-spot
# The HPAs read CPU from metrics-server, which GKE runs in kube-system.
run kubectl --namespace kube-system get deployment metrics-server
