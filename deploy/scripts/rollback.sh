#!/usr/bin/env bash
# Rolls every Deployment back to its previous revision, then waits for the rollouts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/scripts/rollback.sh [--namespace log-monitoring] [--timeout 300s] [--dry-run]

Runs `kubectl rollout undo` on every Deployment in the namespace (ingest, persister, stats,
grafana) and waits for each to finish. StatefulSets (Kafka, MongoDB, Prometheus) keep their data
and are left alone. Running it twice returns to the revision before the rollback.

Options:
  --namespace <name>    namespace (default log-monitoring)
  --timeout <duration>  how long to wait for each rollout (default 300s)
  --dry-run             print the commands instead of running them
  --help                this text
USAGE
}

namespace="log-monitoring" timeout="300s"
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="$(option_value "$@")"; shift 2 ;;
    --timeout) timeout="$(option_value "$@")"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done

if [ "$DRY_RUN" = true ]; then
  # Without a cluster to ask, the Deployments are the ones the manifests declare.
  run kubectl --namespace "$namespace" get deployments --output name
  deployments=()
  for workload in "${LOGMON_WORKLOADS[@]}"; do
    [ "${workload%%/*}" = deployment ] && deployments+=("$workload")
  done
else
  mapfile -t deployments < <(kubectl --namespace "$namespace" get deployments --output name)
fi
[ ${#deployments[@]} -gt 0 ] || fail "no Deployment in namespace $namespace"

for deployment in "${deployments[@]}"; do
  say "rolling back $deployment"
  run kubectl --namespace "$namespace" rollout undo "$deployment"
done
for deployment in "${deployments[@]}"; do
  run kubectl --namespace "$namespace" rollout status "$deployment" --timeout "$timeout"
done
say "rolled back ${#deployments[@]} deployments in $namespace"
