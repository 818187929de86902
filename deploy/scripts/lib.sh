# shellcheck shell=bash disable=SC2034  # sourced: the scripts that source it use these variables
# Shared by the deploy scripts (sourced, not run): dry-run printing and the workloads to watch.

DRY_RUN=false

# The repository root, whichever folder the calling script was started from.
LOGMON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Every workload the manifests declare, in the order they should come up (a test holds this list
# equal to the rendered overlays, so a new workload cannot be forgotten here).
LOGMON_WORKLOADS=(
  statefulset/kafka
  statefulset/mongo
  statefulset/prometheus
  deployment/ingest
  deployment/persister
  deployment/stats
  deployment/grafana
)

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
