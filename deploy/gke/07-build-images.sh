#!/usr/bin/env bash
# Builds the four service images with the .NET SDK (no Docker needed) and pushes them to Artifact Registry.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: [TAG=...] deploy/gke/07-build-images.sh [--config FILE] [--dry-run]  (tag: \$TAG or the commit's short SHA)"; }
gke_init "$@"

tag="${TAG:-$(git -C "$LOGMON_ROOT" rev-parse --short HEAD)}"
# The SDK pushes with Docker's credential helpers; this registers gcloud's for the registry host.
gc auth configure-docker "$REGION-docker.pkg.dev"
for project in LogMonitoring.Ingest LogMonitoring.Persister LogMonitoring.Stats LogMonitoring.Explorer; do
  say "building and pushing $project:$tag"
  run dotnet publish "$LOGMON_ROOT/$project" --configuration Release -t:PublishContainer \
    -p:ContainerRegistry="$REGION-docker.pkg.dev" \
    -p:ContainerRepositoryPrefix="$PROJECT_ID/$AR_REPOSITORY/" \
    -p:ContainerImageTag="$tag"
done
say "pushed tag $tag to $REGISTRY"
