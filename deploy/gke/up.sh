#!/usr/bin/env bash
# From an empty project to a verified deployment: runs the numbered steps in order.
# Every step is safe to re-run, so after a failure fix the cause and run this again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: [TAG=...] deploy/gke/up.sh [--config FILE] [--dry-run]  (steps 01 to 10)"; }
gke_init "$@"

for step in "$GKE_DIR"/[0-9][0-9]-*.sh; do
  say "step $(basename "$step")"
  "$step" "$@"
done
