# shellcheck shell=bash disable=SC2034  # sourced: the step scripts use these variables
# Shared by the deploy/gke scripts (sourced, not run): settings, options, dry-run.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

GKE_DIR="$LOGMON_ROOT/deploy/gke"

# Parses the options every step takes (--config, --dry-run, --help) and loads the settings.
# The caller defines usage(); any other option is an error.
gke_init() {
  local config="${GKE_CONFIG:-$GKE_DIR/gke.env}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --config) config="$(option_value "$@")"; shift 2 ;;
      --dry-run) DRY_RUN=true; shift ;;
      --yes) ASSUME_YES=true; shift ;;
      -h | --help) usage; exit 0 ;;
      *) usage >&2; fail "unknown argument: $1" ;;
    esac
  done
  [ -f "$config" ] || fail "no settings file $config: copy deploy/gke/gke.env.example to deploy/gke/gke.env and edit it"
  set -a
  # shellcheck source=/dev/null
  source "$config"
  set +a
  local name
  for name in PROJECT_ID REGION ZONE CLUSTER_NAME CLUSTER_MODE AR_REPOSITORY STATIC_IP_NAME NODE_SERVICE_ACCOUNT; do
    [ -n "${!name:-}" ] || fail "$name is not set in $config"
  done
  case "$CLUSTER_MODE" in standard | autopilot) ;; *) fail "CLUSTER_MODE must be standard or autopilot, not '$CLUSTER_MODE'" ;; esac
  REGISTRY="$REGION-docker.pkg.dev/$PROJECT_ID/$AR_REPOSITORY"
  NODE_SA_EMAIL="$NODE_SERVICE_ACCOUNT@$PROJECT_ID.iam.gserviceaccount.com"
  # Autopilot clusters are regional; the Standard cluster is zonal (one zone's nodes, no cross-zone traffic).
  if [ "$CLUSTER_MODE" = autopilot ]; then LOCATION_FLAG="--region=$REGION"; else LOCATION_FLAG="--zone=$ZONE"; fi
}

ASSUME_YES=false
# What a dry run assumes a describe finds: "missing" shows the commands a first run makes;
# cleanup.sh sets "present" to show what a run against a full project deletes.
DRY_RUN_ASSUMES=missing

# True when a describe/list command finds the resource. A dry run prints the check instead.
exists() {
  if [ "$DRY_RUN" = true ]; then
    printf '+'
    printf ' %q' "$@"
    printf '   # exists?\n'
    [ "$DRY_RUN_ASSUMES" = present ]
    return
  fi
  "$@" >/dev/null 2>&1
}

# gcloud for this project, never prompting.
gc() {
  run gcloud --project="$PROJECT_ID" --quiet "$@"
}

gc_exists() {
  exists gcloud --project="$PROJECT_ID" --quiet "$@"
}

# Creates a service account unless it exists.
ensure_service_account() {
  local name="$1" email="$2" description="$3"
  if gc_exists iam service-accounts describe "$email"; then
    say "service account $email exists"
  else
    gc iam service-accounts create "$name" --display-name="$description"
  fi
}

# Grants a role on the project; adding a binding that exists changes nothing.
grant_project_role() {
  local member="$1" role="$2"
  gc projects add-iam-policy-binding "$PROJECT_ID" --member="$member" --role="$role" --condition=None --format=none
}
