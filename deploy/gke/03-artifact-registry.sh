#!/usr/bin/env bash
# Creates the Docker repository in Artifact Registry that the images are pushed to and pulled from.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/03-artifact-registry.sh [--config FILE] [--dry-run]  (the Docker repository for the images)"; }
gke_init "$@"

if gc_exists artifacts repositories describe "$AR_REPOSITORY" --location="$REGION"; then
  say "repository $REGISTRY exists"
else
  gc artifacts repositories create "$AR_REPOSITORY" --repository-format=docker --location="$REGION" \
    --description="LogMonitoring service images"
fi
say "images go to $REGISTRY"
