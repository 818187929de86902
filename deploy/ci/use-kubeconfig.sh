#!/usr/bin/env bash
# The documented fallback to Workload Identity Federation: a kubeconfig stored as a secret.
# Reads it from KUBE_CONFIG (plain YAML or base64), writes it to a private file and points kubectl at
# it (through GITHUB_ENV on a runner, or by printing the export line when run by hand).
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: KUBE_CONFIG=... deploy/ci/use-kubeconfig.sh [--output FILE] [--dry-run]

  --output FILE  where to write the kubeconfig (default: $RUNNER_TEMP/kubeconfig, or ~/.kube/logmonitoring).
  --dry-run      check and describe the kubeconfig without writing it.

Environment: KUBE_CONFIG (required): the kubeconfig, as YAML or base64-encoded YAML.
EOF2
}

output="${RUNNER_TEMP:+${RUNNER_TEMP}/kubeconfig}"
output="${output:-${HOME}/.kube/logmonitoring}"
dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --output) output="${2:?--output needs a file}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -z "${KUBE_CONFIG:-}" ]; then
  echo "KUBE_CONFIG is empty: set the KUBE_CONFIG secret, or the GCP_WORKLOAD_IDENTITY_PROVIDER variable to use Workload Identity Federation instead (see docs/ci-cd.md)" >&2
  exit 1
fi

# A kubeconfig is YAML with an apiVersion line; anything else is taken to be base64.
if grep -q '^apiVersion:' <<<"$KUBE_CONFIG"; then
  config="$KUBE_CONFIG"
else
  config=$(base64 --decode <<<"$KUBE_CONFIG" 2>/dev/null) || { echo "KUBE_CONFIG is neither a kubeconfig nor base64" >&2; exit 1; }
  grep -q '^apiVersion:' <<<"$config" || { echo "KUBE_CONFIG does not decode to a kubeconfig" >&2; exit 1; }
fi

contexts=$(grep -c '^- context:' <<<"$config" || true)
if $dry_run; then
  echo "would write a kubeconfig with ${contexts} context(s) to ${output} and set KUBECONFIG"
  exit 0
fi

mkdir -p "$(dirname "$output")"
(umask 077 && printf '%s\n' "$config" >"$output")
if [ -n "${GITHUB_ENV:-}" ]; then
  echo "KUBECONFIG=${output}" >>"$GITHUB_ENV"
  echo "kubeconfig with ${contexts} context(s) written; KUBECONFIG set for the following steps"
else
  echo "kubeconfig with ${contexts} context(s) written; run: export KUBECONFIG=${output}"
fi
