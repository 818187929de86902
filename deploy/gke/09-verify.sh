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

# The load balancer takes a few minutes after the first deploy, and HTTPS answers only once the
# certificate is Active (10-60 minutes after the first deploy); plain HTTP redirects to HTTPS at once.
run kubectl --namespace log-monitoring get ingress logmonitoring
run kubectl --namespace log-monitoring get managedcertificate logmonitoring \
  --output=jsonpath='{.status.certificateStatus}{"\n"}'
failures=0
for host in ingest stats explorer; do
  if [ "$DRY_RUN" = true ]; then
    run curl --silent --output /dev/null --max-time 10 --write-out '%{http_code} %{redirect_url}' "http://$host.$domain/health"
    run curl --fail --silent --show-error --max-time 10 "https://$host.$domain/health"
    continue
  fi
  redirect="$(curl --silent --output /dev/null --max-time 10 --write-out '%{http_code} %{redirect_url}' "http://$host.$domain/health" || true)"
  if [ "$redirect" = "301 https://$host.$domain/health" ]; then
    say "ok: http://$host.$domain/ redirects to HTTPS"
  else
    say "FAILED: http://$host.$domain/health answered '$redirect', not a redirect to HTTPS (a new load balancer needs 5-10 minutes)"
    failures=$((failures + 1))
  fi
  if curl --fail --silent --show-error --max-time 10 "https://$host.$domain/health"; then
    say "ok: https://$host.$domain/health"
  else
    say "FAILED: https://$host.$domain/health (HTTPS waits for the certificate to be Active; see docs/deploy-gke.md)"
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ] || exit 1
