#!/usr/bin/env bash
# Verifies the deployment from inside (rollouts, /health through the Services) and from outside
# (the load balancer answers on the public hosts), and shows the certificate's state.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/09-verify.sh [--config FILE] [--dry-run]"; }
gke_init "$@"

verify_args=()
[ "$DRY_RUN" = true ] && verify_args+=(--dry-run)
"$LOGMON_ROOT/deploy/scripts/verify.sh" "${verify_args[@]}"

if [ -n "${DOMAIN:-}" ]; then
  domain="$DOMAIN"
elif [ "$DRY_RUN" = true ]; then
  domain="STATIC-IP.nip.io"
else
  domain="$(gcloud --project="$PROJECT_ID" compute addresses describe "$STATIC_IP_NAME" --global --format='value(address)').nip.io"
fi

# The load balancer takes a few minutes after the first deploy; HTTP works before the certificate is Active.
run kubectl --namespace log-monitoring get ingress logmonitoring
run kubectl --namespace log-monitoring get managedcertificate logmonitoring \
  --output=jsonpath='{.status.certificateStatus}{"\n"}'
failures=0
for host in ingest stats explorer; do
  if [ "$DRY_RUN" = true ]; then
    run curl --fail --silent --show-error --max-time 10 "http://$host.$domain/health"
  elif curl --fail --silent --show-error --max-time 10 "http://$host.$domain/health"; then
    say "ok: http://$host.$domain/health"
  else
    say "FAILED: http://$host.$domain/health (a new load balancer needs 5-10 minutes; see docs/deploy-gke.md)"
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ] || exit 1
