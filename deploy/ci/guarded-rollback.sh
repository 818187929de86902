#!/usr/bin/env bash
# Rolls a failed deploy back only when it actually rolled something out. 'kubectl rollout undo' after
# a deploy that changed nothing (say, the overlay did not render) would step the running release back
# to the one before it. So each Deployment's rollout revision is recorded before the deploy, and undo
# calls deploy/scripts/rollback.sh only when a revision has changed since.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: deploy/ci/guarded-rollback.sh record --namespace NS --file FILE
       deploy/ci/guarded-rollback.sh undo   --namespace NS --file FILE [--dry-run]

  record  write "deployment=revision" lines for the namespace to FILE (empty when it has none).
  undo    when any Deployment's revision differs from FILE (new Deployments included), run
          deploy/scripts/rollback.sh for the namespace; otherwise say there is nothing to undo.
          Writes rolled-back=true|false to GITHUB_OUTPUT when that is set.
  --dry-run  passed on to rollback.sh (prints its kubectl commands instead of running them).
EOF2
}

action="${1:-}"
[ $# -gt 0 ] && shift
namespace=""
file=""
dry_run=()
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="${2:?--namespace needs a value}"; shift 2 ;;
    --file) file="${2:?--file needs a value}"; shift 2 ;;
    --dry-run) dry_run=(--dry-run); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$action" in -h|--help) usage; exit 0 ;; esac
if [ -z "$namespace" ] || [ -z "$file" ]; then usage >&2; exit 2; fi

revisions() {
  kubectl get deployments --namespace "$namespace" --request-timeout=30s \
    -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.annotations.deployment\.kubernetes\.io/revision}{"\n"}{end}' \
    | sort
}

report_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "rolled-back=$1" >>"$GITHUB_OUTPUT"; fi
}

case "$action" in
  record)
    revisions >"$file"
    echo "recorded $(grep -c . "$file" || true) Deployment revision(s) in ${namespace}"
    ;;
  undo)
    if [ -f "$file" ]; then
      # Read first, so that a cluster that cannot be reached fails here instead of looking unchanged.
      current=$(revisions)
      changed=$(comm -13 "$file" - <<<"$current" | cut -d= -f1 | paste -sd ' ')
    else
      changed="(no recorded revisions: assuming everything)"
    fi
    if [ -z "$changed" ]; then
      echo "no Deployment in ${namespace} changed revision: nothing was rolled out, nothing to undo"
      report_output false
      exit 0
    fi
    echo "rolled out since the recording: ${changed}; rolling back"
    (cd "$(dirname "$0")/../.." && bash deploy/scripts/rollback.sh --namespace "$namespace" "${dry_run[@]}")
    report_output true
    ;;
  *) usage >&2; exit 2 ;;
esac
