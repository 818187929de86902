#!/usr/bin/env bash
# Returns what a deploy changed to the revisions deploy.sh recorded before it, and nothing else.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/scripts/rollback.sh [--namespace log-monitoring] [--record FILE] [--timeout 900s]
                                  [--result-file FILE] [--dry-run]

Compares every Deployment's and StatefulSet's rollout revision with the record deploy.sh wrote just
before it applied, and for each one that changed runs
  kubectl rollout undo <workload> --to-revision=<recorded revision>
then waits for those rollouts. A workload whose revision did not change is left alone, and so is one
the deploy created (it has no earlier revision to return to; it is reported). An error on one
workload is reported and the others are still rolled back; the exit status is non-zero if any failed.
Without a record there is nothing to undo: deploy.sh writes it only right before it applies.

Options:
  --namespace <name>     namespace (default log-monitoring)
  --record <file>        the revisions deploy.sh recorded (default
                         ~/.local/state/logmonitoring/<namespace>.revisions)
  --timeout <duration>   how long to wait for each rollback's rollout (default 900s)
  --result-file <file>   append rolled-back=true|false to <file> (for a CI step's outputs)
  --dry-run              print the commands that read the cluster instead of running anything
  --help                 this text
USAGE
}

namespace="log-monitoring" timeout="900s" record="" result_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="$(option_value "$@")"; shift 2 ;;
    --record) record="$(option_value "$@")"; shift 2 ;;
    --timeout) timeout="$(option_value "$@")"; shift 2 ;;
    --result-file) result_file="$(option_value "$@")"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done
duration_seconds "$timeout" >/dev/null
record="${record:-$(default_record "$namespace")}"

report() {
  if [ -n "$result_file" ]; then echo "rolled-back=$1" >>"$result_file"; fi
}

if [ "$DRY_RUN" = true ]; then
  say "would compare the revisions in $record with:"
  run kubectl --namespace "$namespace" get deployments --output 'jsonpath=...'
  run kubectl --namespace "$namespace" get statefulsets --output 'jsonpath=...'
  say "and run kubectl rollout undo <workload> --to-revision=<recorded> for each one that changed"
  exit 0
fi

if [ ! -f "$record" ]; then
  say "no record of revisions at $record: no deploy applied anything since, so there is nothing to roll back"
  report false
  exit 0
fi

declare -A before=() after=()
while IFS='=' read -r workload revision; do
  [ -n "$workload" ] && before[$workload]="$revision"
done <"$record"
current="$(current_revisions "$namespace")" || fail "could not read the workloads of $namespace: nothing was rolled back"
while IFS='=' read -r workload revision; do
  [ -n "$workload" ] && after[$workload]="$revision"
done <<<"$current"

changed=() created=()
while read -r workload; do
  [ -n "$workload" ] || continue
  if [ -z "${before[$workload]:-}" ]; then
    created+=("$workload")
  elif [ "${before[$workload]}" != "${after[$workload]}" ]; then
    changed+=("$workload")
  fi
done < <(printf '%s\n' "${!after[@]}" | sort)

for workload in "${created[@]}"; do
  say "$workload did not exist before the deploy: no earlier revision to return to, left as it is"
done
if [ ${#changed[@]} -eq 0 ]; then
  say "no workload in $namespace changed revision since the record: nothing to roll back"
  report false
  exit 0
fi

# The revision number to return to: a Deployment's is recorded as is; a StatefulSet's is the number
# of the ControllerRevision recorded by name.
revision_number() {
  local workload="$1" revision="${before[$1]}"
  if [ "${workload%%/*}" = statefulset ]; then
    kubectl --namespace "$namespace" get controllerrevision "$revision" --output 'jsonpath={.revision}'
  else
    printf '%s' "$revision"
  fi
}

undone=() failed=()
for workload in "${changed[@]}"; do
  if ! number="$(revision_number "$workload")" || [ -z "$number" ]; then
    say "FAILED: $workload: recorded revision ${before[$workload]} is no longer in its history"
    failed+=("$workload")
    continue
  fi
  say "rolling back $workload to revision $number (it is at ${after[$workload]})"
  if kubectl --namespace "$namespace" rollout undo "$workload" --to-revision="$number"; then
    undone+=("$workload")
  else
    say "FAILED: kubectl rollout undo $workload"
    failed+=("$workload")
  fi
done

for workload in "${undone[@]}"; do
  if ! kubectl --namespace "$namespace" rollout status "$workload" --timeout "$timeout"; then
    say "FAILED: $workload did not finish rolling back within $timeout"
    failed+=("$workload")
  fi
done

report "$([ ${#undone[@]} -gt 0 ] && echo true || echo false)"
say "rolled back: ${undone[*]:-none}"
[ ${#failed[@]} -eq 0 ] || fail "could not roll back: ${failed[*]} (the namespace needs a person: kubectl -n $namespace rollout history <workload>)"
say "rolled back ${#undone[@]} workload(s) in $namespace"
