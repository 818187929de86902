#!/usr/bin/env bash
# Creates the nodes' and the deployer's service accounts and grants each only what it needs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/02-service-accounts.sh [--config FILE] [--dry-run]  (service accounts and IAM roles)"; }
gke_init "$@"

ensure_service_account() {
  local name="$1" email="$2" description="$3"
  if gc_exists iam service-accounts describe "$email"; then
    say "service account $email exists"
  else
    gc iam service-accounts create "$name" --display-name="$description"
  fi
}

grant() {
  local email="$1" role="$2"
  # Adding a binding that exists changes nothing.
  gc projects add-iam-policy-binding "$PROJECT_ID" --member="serviceAccount:$email" --role="$role" --condition=None --format=none
}

ensure_service_account "$NODE_SERVICE_ACCOUNT" "$NODE_SA_EMAIL" "LogMonitoring GKE nodes"
# Instead of the Compute Engine default account (Editor on the whole project): logs, metrics, image pulls.
for role in roles/logging.logWriter roles/monitoring.metricWriter roles/monitoring.viewer \
  roles/stackdriver.resourceMetadata.writer roles/artifactregistry.reader; do
  grant "$NODE_SA_EMAIL" "$role"
done

ensure_service_account "$DEPLOYER_SERVICE_ACCOUNT" "$DEPLOYER_SA_EMAIL" "LogMonitoring CI/CD deployer"
# Push images and apply manifests; CI signs in as this account (Workload Identity Federation, no key file).
for role in roles/artifactregistry.writer roles/container.developer; do
  grant "$DEPLOYER_SA_EMAIL" "$role"
done
