#!/usr/bin/env bash
# Creates a monthly budget on the billing account, limited to this project, that e-mails the billing
# admins at 50%, 90% and 100% of BUDGET_AMOUNT. It alerts; it does not stop spending (cleanup.sh does).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
usage() { echo "Usage: deploy/gke/10-budget-alert.sh [--config FILE] [--dry-run]  (needs BILLING_ACCOUNT and BUDGET_AMOUNT)"; }
gke_init "$@"

[ -n "${BILLING_ACCOUNT:-}" ] || fail "BILLING_ACCOUNT is not set (gcloud billing accounts list)"
[ -n "${BUDGET_AMOUNT:-}" ] || fail "BUDGET_AMOUNT is not set"
name="logmonitoring-$PROJECT_ID"

existing=""
if [ "$DRY_RUN" = true ]; then
  run gcloud billing budgets list --billing-account="$BILLING_ACCOUNT" --filter="displayName=$name" --format='value(name)'
else
  existing="$(gcloud billing budgets list --billing-account="$BILLING_ACCOUNT" --filter="displayName=$name" --format='value(name)')"
fi
if [ -n "$existing" ]; then
  say "budget $name exists ($existing)"
  exit 0
fi
run gcloud billing budgets create --billing-account="$BILLING_ACCOUNT" --display-name="$name" \
  --budget-amount="${BUDGET_AMOUNT}${BUDGET_CURRENCY:-USD}" --calendar-period=month \
  --filter-projects="projects/$PROJECT_ID" \
  --threshold-rule=percent=0.5 --threshold-rule=percent=0.9 --threshold-rule=percent=1.0
