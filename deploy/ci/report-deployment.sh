#!/usr/bin/env bash
# Writes what a deployment job did (deploy, verify, rollback outcomes) and the cluster's view of the
# Deployments, to stdout and to the run's summary page when GITHUB_STEP_SUMMARY is set. On failure it
# adds the namespace's recent warning events, which usually say why a rollout stalled.
# It only reports: it never fails the job it runs in.
set -uo pipefail

usage() {
  cat <<'EOF2'
Usage: deploy/ci/report-deployment.sh --environment NAME --namespace NS --image-tag TAG
                                      --deploy OUTCOME --verify OUTCOME --rollback OUTCOME
                                      [--rolled-back true|false]

OUTCOME is a step outcome as GitHub reports it: success, failure, cancelled or skipped.
--rolled-back says whether the rollback step found a rollout to undo (deploy/scripts/rollback.sh).
EOF2
}

environment="" namespace="" image_tag="" deploy="" verify="" rollback="" rolled_back=""
while [ $# -gt 0 ]; do
  case "$1" in
    --environment) environment="${2-}"; shift 2 ;;
    --namespace) namespace="${2-}"; shift 2 ;;
    --image-tag) image_tag="${2-}"; shift 2 ;;
    --deploy) deploy="${2-}"; shift 2 ;;
    --verify) verify="${2-}"; shift 2 ;;
    --rollback) rollback="${2-}"; shift 2 ;;
    --rolled-back) rolled_back="${2-}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "$environment" ] || [ -z "$namespace" ]; then usage >&2; exit 2; fi

if [ "$deploy" = success ] && [ "$verify" = success ]; then
  verdict="deployed"
elif [ "$rollback" = success ] && [ "$rolled_back" = false ]; then
  verdict="failed before anything was rolled out; nothing to undo"
elif [ "$rollback" = success ]; then
  verdict="failed, rolled back"
elif [ "$rollback" = failure ]; then
  verdict="failed, ROLLBACK FAILED: the namespace needs a person"
else
  verdict="failed before anything was changed"
fi

report() {
  echo "### ${environment}: ${verdict}"
  echo
  echo "| step | outcome |"
  echo "| --- | --- |"
  echo "| image tag | \`${image_tag:-?}\` |"
  echo "| deploy | ${deploy:-skipped} |"
  echo "| verify | ${verify:-skipped} |"
  echo "| rollback | ${rollback:-skipped} |"
  echo
  if command -v kubectl >/dev/null && kubectl version --request-timeout=10s >/dev/null 2>&1; then
    echo "Deployments in \`${namespace}\`:"
    echo '```'
    kubectl get deployments --namespace "$namespace" -o wide --request-timeout=20s 2>&1
    echo '```'
    if [ "$verdict" != deployed ]; then
      echo "Recent warning events:"
      echo '```'
      kubectl get events --namespace "$namespace" --field-selector type=Warning \
        --sort-by=.lastTimestamp --request-timeout=20s 2>&1 | tail -n 20
      echo '```'
    fi
  else
    echo "(no cluster connection: nothing more to show)"
  fi
}

output=$(report)
echo "$output"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  echo "$output" >>"$GITHUB_STEP_SUMMARY"
fi
exit 0
