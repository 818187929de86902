#!/usr/bin/env bash
# Checks that every workload has rolled out and that each service answers /health through its Service.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/scripts/verify.sh [--namespace log-monitoring] [--timeout 120s] [--dry-run]

Checks every StatefulSet and Deployment's rollout, then calls each service's health endpoint
through its Service (via the Kubernetes API server's service proxy, so no port needs to be open).
Exits non-zero if anything is not ready.

Options:
  --namespace <name>    namespace (default log-monitoring)
  --timeout <duration>  how long to wait for each rollout (default 120s)
  --dry-run             print the commands instead of running them
  --help                this text
USAGE
}

namespace="log-monitoring" timeout="120s"
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="$(option_value "$@")"; shift 2 ;;
    --timeout) timeout="$(option_value "$@")"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done

failures=0
check() {
  local what="$1"
  shift
  if [ "$DRY_RUN" = true ]; then
    run "$@"
  elif "$@" >/dev/null; then
    say "ok: $what"
  else
    say "FAILED: $what"
    failures=$((failures + 1))
  fi
}

for workload in "${LOGMON_WORKLOADS[@]}"; do
  check "$workload rolled out" kubectl --namespace "$namespace" rollout status "$workload" --timeout "$timeout"
done

# service:port-name:path (the Services name their ports "http").
for endpoint in ingest:/health persister:/health stats:/health explorer:/health grafana:/api/health prometheus:/-/ready; do
  service="${endpoint%%:*}" path="${endpoint#*:}"
  check "$service answers $path" kubectl get --raw "/api/v1/namespaces/$namespace/services/http:$service:http/proxy$path"
done

[ "$DRY_RUN" = true ] && { say "dry run: nothing was checked"; exit 0; }
[ "$failures" -eq 0 ] || fail "$failures check(s) failed in $namespace"
say "all checks passed in $namespace"
