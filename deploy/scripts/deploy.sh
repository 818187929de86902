#!/usr/bin/env bash
# Renders an overlay with the given images, records what is running, applies, then waits for the
# stateful sets, the set-up Jobs and every Deployment in turn.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/scripts/deploy.sh --overlay <local|gke> --registry <prefix> --tag <tag> [options]

Renders deploy/k8s/overlays/<overlay> with the service images set to
<prefix>/logmonitoring-{ingest,persister,stats,explorer}:<tag>, then:
  1. records every Deployment's and StatefulSet's current rollout revision (--record),
  2. re-creates the set-up Jobs and applies the manifests with kubectl,
  3. waits for the StatefulSets, then the Jobs (topics, replica set), then the Deployments.
Stops at the first workload that does not finish in time, shows its pods and warning events, and exits
non-zero; deploy/scripts/rollback.sh --record <same file> then returns what this run changed to the
recorded revisions. Safe to re-run.

Options:
  --overlay <local|gke>   which overlay to deploy (required)
  --registry <prefix>     image registry prefix, e.g. europe-west1-docker.pkg.dev/PROJECT/logmonitoring
                          (required; for images loaded into kind/minikube use "local")
  --tag <tag>             image tag (required), e.g. the commit SHA
  --domain <domain>       the ingress hosts' domain (gke; also read from $LOGMON_DOMAIN):
                          ingest.<domain>, stats.<domain>, explorer.<domain>, grafana.<domain>,
                          e.g. 34.120.1.2.nip.io
  --namespace <name>      namespace (default log-monitoring)
  --component <name>      add the optional kustomize component deploy/k8s/components/<name> (repeatable;
                          also read, space-separated, from $LOGMON_COMPONENTS), e.g. keda-persister:
                          the persisters scaled on Kafka consumer lag by KEDA (docs/operations.md)
  --timeout <duration>    how long each rollout may take (default 900s: a 10-replica surge, one pod
                          at a time, on Spot nodes that may first have to be created)
  --job-timeout <duration> how long each set-up Job may take (default 600s)
  --record <file>         where to write the revisions found before applying (default
                          ~/.local/state/logmonitoring/<namespace>.revisions; rollback.sh reads it)
  --output <file>         only render: write the manifests that would be applied to <file> and stop
  --dry-run               print the commands instead of running them
  --help                  this text

Environment: LOGMON_POLL_SECONDS, how often a Job's state is read while waiting (default 5).
Needs kubectl (with its built-in kustomize) pointing at the cluster, and
deploy/k8s/base/secrets.env (copy secrets.env.example and fill it in).
USAGE
}

overlay="" registry="" tag="" namespace="log-monitoring" timeout="900s" job_timeout="600s"
domain="${LOGMON_DOMAIN:-}" output="" record=""
read -r -a components <<<"${LOGMON_COMPONENTS:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --overlay) overlay="$(option_value "$@")"; shift 2 ;;
    --registry) registry="$(option_value "$@")"; shift 2 ;;
    --tag) tag="$(option_value "$@")"; shift 2 ;;
    --domain) domain="$(option_value "$@")"; shift 2 ;;
    --namespace) namespace="$(option_value "$@")"; shift 2 ;;
    --component) components+=("$(option_value "$@")"); shift 2 ;;
    --timeout) timeout="$(option_value "$@")"; shift 2 ;;
    --job-timeout) job_timeout="$(option_value "$@")"; shift 2 ;;
    --record) record="$(option_value "$@")"; shift 2 ;;
    --output) output="$(option_value "$@")"; shift 2 ;;
    --dry-run) DRY_RUN=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; fail "unknown argument: $1" ;;
  esac
done

[ -n "$overlay" ] || fail "--overlay is required (local or gke)"
[ -n "$registry" ] || fail "--registry is required"
[ -n "$tag" ] || fail "--tag is required"
[[ "$domain" =~ ^[A-Za-z0-9.-]*$ ]] || fail "--domain '$domain' is not a DNS name"
[[ "$namespace" =~ ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$ ]] || fail "--namespace '$namespace' is not a namespace name"
job_seconds="$(duration_seconds "$job_timeout")"
duration_seconds "$timeout" >/dev/null
poll="${LOGMON_POLL_SECONDS:-5}"
overlay_dir="$LOGMON_ROOT/deploy/k8s/overlays/$overlay"
[ -f "$overlay_dir/kustomization.yaml" ] || fail "no overlay named '$overlay' (expected $overlay_dir)"
record="${record:-$(default_record "$namespace")}"
for component in "${components[@]}"; do
  [[ "$component" =~ ^[a-z0-9-]+$ ]] && [ -f "$LOGMON_ROOT/deploy/k8s/components/$component/kustomization.yaml" ] \
    || fail "no component named '$component' (expected deploy/k8s/components/$component)"
done

secrets="$LOGMON_ROOT/deploy/k8s/base/secrets.env"
if [ ! -f "$secrets" ]; then
  message="$secrets is missing: copy secrets.env.example next to it and set real values"
  [ "$DRY_RUN" = true ] && say "warning: $message" || fail "$message"
fi

if [ "$overlay" = gke ] && [ -z "$domain" ]; then
  message="the gke overlay needs --domain (or LOGMON_DOMAIN), e.g. \$(gcloud compute addresses describe logmonitoring-ip --global --format='value(address)').nip.io"
  [ "$DRY_RUN" = true ] && say "warning: $message" || fail "$message"
fi

# A throw-away kustomization on top of the overlay sets the images and namespace, so the committed
# overlay files never change.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "namespace: $namespace"
  echo "resources:"
  echo "  - $(realpath --relative-to="$work" "$overlay_dir")"
  echo "images:"
  for service in ingest persister stats explorer; do
    if [ "$registry" = local ]; then
      echo "  - { name: logmonitoring-$service, newName: logmonitoring-$service, newTag: \"$tag\" }"
    else
      echo "  - { name: logmonitoring-$service, newName: ${registry%/}/logmonitoring-$service, newTag: \"$tag\" }"
    fi
  done
  if [ "${#components[@]}" -gt 0 ]; then
    echo "components:"
    for component in "${components[@]}"; do
      echo "  - $(realpath --relative-to="$work" "$LOGMON_ROOT/deploy/k8s/components/$component")"
    done
  fi
} >"$work/kustomization.yaml"
if [ "$DRY_RUN" = true ]; then
  sed 's/^/# /' "$work/kustomization.yaml"
fi

rendered="$work/rendered.yaml"
say "rendering $overlay${components[*]:+ with ${components[*]}} for $namespace ($registry, tag $tag)"
# LoadRestrictionsNone: the monitoring ConfigMaps come from deploy/prometheus/ and grafana/.
run_to "$rendered" kubectl kustomize --load-restrictor LoadRestrictionsNone "$work"
if [ -n "$domain" ]; then
  run sed -i "s/logmonitoring\\.example\\.com/$domain/g" "$rendered"
fi
# Addresses used from outside the namespace (KEDA's operator reaching Kafka) name it in full.
if [ "$namespace" != log-monitoring ]; then
  run sed -i "s/\\.log-monitoring\\.svc\\.cluster\\.local/.$namespace.svc.cluster.local/g" "$rendered"
fi

if [ -n "$output" ]; then
  run cp "$rendered" "$output"
  say "rendered $overlay to $output (nothing applied)"
  exit 0
fi

# The record is written only once the manifests rendered, right before anything changes: a run that
# fails earlier leaves no record, so a rollback after it has nothing to undo.
say "recording the revisions running in $namespace to $record"
if [ "$DRY_RUN" = true ]; then
  run kubectl --namespace "$namespace" get deployments --output 'jsonpath=...'
  run kubectl --namespace "$namespace" get statefulsets --output 'jsonpath=...'
else
  mkdir -p "$(dirname "$record")"
  rm -f "$record"
  revisions="$(current_revisions "$namespace")" || fail "could not read the workloads of $namespace: nothing was applied"
  printf '%s\n' "$revisions" | sed '/^$/d' >"$record.tmp"
  mv "$record.tmp" "$record"
  say "recorded $(grep -c . "$record" || true) workload(s)"
fi

# The set-up Jobs are idempotent, and a Job's pod template cannot be changed in place: run them afresh.
say "applying"
run kubectl --namespace "$namespace" delete "${LOGMON_JOBS[@]}" --ignore-not-found
run kubectl apply -f "$rendered"

# What a person needs to see when a workload does not come up: its pods and the namespace's warnings.
diagnose() {
  local name="${1#*/}"
  say "pods of $name:"
  kubectl --namespace "$namespace" get pods --selector "app.kubernetes.io/name=$name" --output wide >&2 || true
  say "recent warning events in $namespace:"
  kubectl --namespace "$namespace" get events --field-selector type=Warning --sort-by=.lastTimestamp >&2 || true
}

rollout_failed() {
  diagnose "$1"
  fail "$1 did not finish rolling out within $timeout; to return to the revisions before this deploy: deploy/scripts/rollback.sh --namespace $namespace --record $record"
}

# A Job is done when its Complete condition is true, and has given up when Failed is; anything else
# (still running, or backing off between attempts) is waited for until the deadline.
wait_for_job() {
  local job="$1" state deadline=$((SECONDS + job_seconds))
  while true; do
    state="$(kubectl --namespace "$namespace" get "$job" \
      --output 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')" || return 1
    case " $state " in
      *" Complete "*) say "$job completed"; return 0 ;;
      *" Failed "*) say "$job failed"; return 1 ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$job did not complete within $job_timeout"
      return 1
    fi
    sleep "$poll"
  done
}

job_failed() {
  say "last lines of $1:"
  kubectl --namespace "$namespace" logs "$1" --tail=30 >&2 || true
  diagnose "$1"
  fail "$1 did not complete; the services that need it will not become ready (re-run deploy.sh once the cause is fixed)"
}

# StatefulSets first (the Jobs need Kafka and MongoDB), then the Jobs, then the Deployments.
say "waiting for the rollouts (up to $timeout each) and the set-up Jobs (up to $job_timeout each)"
for workload in "${LOGMON_WORKLOADS[@]}"; do
  [ "${workload%%/*}" = statefulset ] || continue
  run kubectl --namespace "$namespace" rollout status "$workload" --timeout "$timeout" || rollout_failed "$workload"
done
for job in "${LOGMON_JOBS[@]}"; do
  if [ "$DRY_RUN" = true ]; then
    run kubectl --namespace "$namespace" get "$job" --output 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}'
  else
    wait_for_job "$job" || job_failed "$job"
  fi
done
for workload in "${LOGMON_WORKLOADS[@]}"; do
  [ "${workload%%/*}" = deployment ] || continue
  run kubectl --namespace "$namespace" rollout status "$workload" --timeout "$timeout" || rollout_failed "$workload"
done
say "deployed $overlay with tag $tag to $namespace"
