#!/usr/bin/env bash
# Creates the nodes' service account and grants it only what nodes need. CI/CD's identities (one per
# environment, and one that pushes images) are made by ci-identities.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/02-service-accounts.sh [--config FILE] [--dry-run]  (the nodes' service account and its IAM roles)"; }
gke_init "$@"

ensure_service_account "$NODE_SERVICE_ACCOUNT" "$NODE_SA_EMAIL" "LogMonitoring GKE nodes"
# Instead of the Compute Engine default account (Editor on the whole project): logs, metrics, image pulls.
for role in roles/logging.logWriter roles/monitoring.metricWriter roles/monitoring.viewer \
  roles/stackdriver.resourceMetadata.writer roles/artifactregistry.reader; do
  grant_project_role "serviceAccount:$NODE_SA_EMAIL" "$role"
done
