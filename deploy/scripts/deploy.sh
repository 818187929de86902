#!/usr/bin/env bash
# Renders an overlay with the given images, applies it, and waits for every rollout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/scripts/deploy.sh --overlay <local|gke> --registry <prefix> --tag <tag> [options]

Renders deploy/k8s/overlays/<overlay> with the service images set to
<prefix>/logmonitoring-{ingest,persister,stats}:<tag>, applies it with kubectl, and waits for
every StatefulSet and Deployment to finish rolling out. Safe to re-run.

Options:
  --overlay <local|gke>   which overlay to deploy (required)
  --registry <prefix>     image registry prefix, e.g. europe-west1-docker.pkg.dev/PROJECT/logmonitoring
                          (required; for images loaded into kind/minikube use "local")
  --tag <tag>             image tag (required), e.g. the commit SHA
  --domain <domain>       the ingress hosts' domain (gke; also read from $LOGMON_DOMAIN):
                          ingest.<domain>, stats.<domain>, grafana.<domain>, e.g. 34.120.1.2.nip.io
  --namespace <name>      namespace (default log-monitoring)
  --timeout <duration>    how long to wait for each rollout (default 300s)
  --output <file>         only render: write the manifests that would be applied to <file> and stop
  --dry-run               print the commands instead of running them
  --help                  this text

Needs kubectl (with its built-in kustomize) pointing at the cluster, and
deploy/k8s/base/secrets.env (copy secrets.env.example and fill it in).
USAGE
}

overlay="" registry="" tag="" namespace="log-monitoring" timeout="300s" domain="${LOGMON_DOMAIN:-}" output=""
while [ $# -gt 0 ]; do
  case "$1" in
    --overlay) overlay="$(option_value "$@")"; shift 2 ;;
    --registry) registry="$(option_value "$@")"; shift 2 ;;
    --tag) tag="$(option_value "$@")"; shift 2 ;;
    --domain) domain="$(option_value "$@")"; shift 2 ;;
    --namespace) namespace="$(option_value "$@")"; shift 2 ;;
    --timeout) timeout="$(option_value "$@")"; shift 2 ;;
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
overlay_dir="$LOGMON_ROOT/deploy/k8s/overlays/$overlay"
[ -f "$overlay_dir/kustomization.yaml" ] || fail "no overlay named '$overlay' (expected $overlay_dir)"

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
  for service in ingest persister stats; do
    if [ "$registry" = local ]; then
      echo "  - { name: logmonitoring-$service, newName: logmonitoring-$service, newTag: \"$tag\" }"
    else
      echo "  - { name: logmonitoring-$service, newName: ${registry%/}/logmonitoring-$service, newTag: \"$tag\" }"
    fi
  done
} >"$work/kustomization.yaml"
if [ "$DRY_RUN" = true ]; then
  sed 's/^/# /' "$work/kustomization.yaml"
fi

rendered="$work/rendered.yaml"
say "rendering $overlay for $namespace ($registry, tag $tag)"
# LoadRestrictionsNone: the monitoring ConfigMaps come from deploy/prometheus/ and grafana/.
run_to "$rendered" kubectl kustomize --load-restrictor LoadRestrictionsNone "$work"
if [ -n "$domain" ]; then
  run sed -i "s/logmonitoring\\.example\\.com/$domain/g" "$rendered"
fi

if [ -n "$output" ]; then
  run cp "$rendered" "$output"
  say "rendered $overlay to $output (nothing applied)"
  exit 0
fi

# The set-up Jobs are idempotent, and a Job's pod template cannot be changed in place: run them afresh.
say "applying"
run kubectl --namespace "$namespace" delete job kafka-create-topics mongo-init-replica-set --ignore-not-found
run kubectl apply -f "$rendered"

say "waiting for the rollouts (up to $timeout each)"
for workload in "${LOGMON_WORKLOADS[@]}"; do
  run kubectl --namespace "$namespace" rollout status "$workload" --timeout "$timeout"
done
say "deployed $overlay with tag $tag to $namespace"
