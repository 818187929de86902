# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it use these variables
# Shared by the deploy scripts (sourced, not run): dry-run printing, the workloads to watch, and the
# record of rollout revisions that deploy.sh writes and rollback.sh reads.

DRY_RUN=false

# The repository root, whichever folder the calling script was started from.
LOGMON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Every workload the manifests declare, in the order they should come up (a test holds this list
# equal to the rendered overlays, so a new workload cannot be forgotten here).
LOGMON_WORKLOADS=(
  statefulset/kafka
  statefulset/mongo
  statefulset/prometheus
  deployment/alertmanager
  deployment/ingest
  deployment/persister
  deployment/stats
  deployment/explorer
  deployment/grafana
)

# The set-up Jobs (idempotent; deploy.sh runs them afresh each time), and the StatefulSet each needs.
LOGMON_JOBS=(
  job/kafka-create-topics
  job/mongo-init-replica-set
)

# Where deploy.sh records the revisions it found and rollback.sh reads them, unless --record says.
default_record() {
  printf '%s/logmonitoring/%s.revisions' "${XDG_STATE_HOME:-$HOME/.local/state}" "$1"
}

# Runs a command, or with --dry-run prints it (shell-quoted, prefixed with "+") instead.
run() {
  if [ "$DRY_RUN" = true ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

# Like run, with the command's standard output written to a file.
run_to() {
  local file="$1"
  shift
  if [ "$DRY_RUN" = true ]; then
    printf '+'
    printf ' %q' "$@"
    printf ' > %q\n' "$file"
  else
    "$@" >"$file"
  fi
}

say() { printf '== %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The value after an option, or a clear error when it is missing.
option_value() {
  [ $# -ge 2 ] && [ -n "$2" ] && [ "${2#--}" = "$2" ] || fail "$1 needs a value (see --help)"
  printf '%s' "$2"
}

# A duration as kubectl writes it (300s, 15m, 1h) in whole seconds, or a clear error.
duration_seconds() {
  case "$1" in
    *[!0-9smh]* | "") fail "'$1' is not a duration (e.g. 600s, 15m)" ;;
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# Prints "kind/name=revision" for every Deployment and StatefulSet of the namespace, sorted:
# a Deployment's revision is its deployment.kubernetes.io/revision annotation, a StatefulSet's the
# name of its current ControllerRevision. These are what `kubectl rollout undo --to-revision` returns to.
current_revisions() {
  local namespace="$1" deployments statefulsets
  deployments="$(kubectl --namespace "$namespace" get deployments --request-timeout=30s \
    --output jsonpath='{range .items[*]}deployment/{.metadata.name}={.metadata.annotations.deployment\.kubernetes\.io/revision}{"\n"}{end}')" || return 1
  statefulsets="$(kubectl --namespace "$namespace" get statefulsets --request-timeout=30s \
    --output jsonpath='{range .items[*]}statefulset/{.metadata.name}={.status.currentRevision}{"\n"}{end}')" || return 1
  printf '%s\n%s\n' "$deployments" "$statefulsets" | sed '/^$/d' | sort
}
