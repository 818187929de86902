#!/usr/bin/env bash
# Enables the Google Cloud APIs the deployment uses. Enabling an enabled API is a no-op.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/01-enable-apis.sh [--config FILE] [--dry-run]  (enables the project's APIs)"; }
gke_init "$@"

say "enabling APIs in $PROJECT_ID"
gc services enable \
  container.googleapis.com \
  compute.googleapis.com \
  artifactregistry.googleapis.com \
  iam.googleapis.com \
  cloudresourcemanager.googleapis.com \
  billingbudgets.googleapis.com \
  logging.googleapis.com \
  monitoring.googleapis.com
