#!/usr/bin/env bash
# The identities CD signs in as, each allowed only what its job does:
#   - a Workload Identity pool and GitHub provider that admits tokens of GITHUB_REPOSITORY's main branch only;
#   - logmonitoring-publisher: pushes images to the Artifact Registry repository, usable only by a job
#     of main that runs outside any environment (CD's images job);
#   - logmonitoring-deploy-<environment>: may fetch the cluster's credentials, usable only by a job in
#     that GitHub environment; inside the cluster it can do what deploy/k8s/deployer grants, in that
#     environment's namespace (this script applies that RBAC with the identity bound to it).
# Run once per environment, after up.sh (the cluster must exist). Safe to re-run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/gke/ci-identities.sh --environment <staging|production|...> [--namespace log-monitoring]
                                   [--rbac-output FILE] [--config FILE] [--dry-run]

Creates (or leaves as they are) the Workload Identity pool "github" with provider "github-actions",
the image publisher identity, and the environment's deployer identity, then applies
deploy/k8s/deployer to the namespace with that identity bound. Prints the GitHub variables to set.
Reads GITHUB_REPOSITORY (owner/name) from the settings file.

  --environment <name>   the GitHub environment (and identity) to set up (required)
  --namespace <name>     the namespace that environment deploys to (default log-monitoring)
  --rbac-output <file>   only render the namespace's deployer RBAC to <file> and stop
USAGE
}

environment="" namespace="log-monitoring" rbac_output="" rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --environment) environment="$(option_value "$@")"; shift 2 ;;
    --namespace) namespace="$(option_value "$@")"; shift 2 ;;
    --rbac-output) rbac_output="$(option_value "$@")"; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
gke_init "${rest[@]}"
[ -n "$environment" ] || fail "--environment is required (the GitHub environment: staging, production)"
[[ "$environment" =~ ^[a-z0-9-]{1,16}$ ]] || fail "--environment '$environment': lower-case letters, digits and '-', at most 16"
[[ "$namespace" =~ ^[a-z0-9-]+$ ]] || fail "--namespace '$namespace' is not a namespace name"
[[ "${GITHUB_REPOSITORY:-}" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] ||
  fail "GITHUB_REPOSITORY must be owner/name in the settings file (deploy/gke/gke.env.example)"

pool=github
provider=github-actions
publisher="logmonitoring-publisher"
publisher_email="$publisher@$PROJECT_ID.iam.gserviceaccount.com"
deployer="logmonitoring-deploy-$environment"
deployer_email="$deployer@$PROJECT_ID.iam.gserviceaccount.com"

# The deployer RBAC of deploy/k8s/deployer, for this namespace, with the environment's identity bound
# (GKE names a Google service account in RBAC by its email).
render_rbac() {
  local work
  work="$(mktemp -d)"
  cat >"$work/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$work" "$LOGMON_ROOT/deploy/k8s/deployer")
patches:
  - target: {kind: RoleBinding, name: logmonitoring-deployer}
    patch: |-
      - op: add
        path: /subjects/-
        value: {kind: User, name: $deployer_email, apiGroup: rbac.authorization.k8s.io}
  - target: {kind: ClusterRoleBinding, name: logmonitoring-deployer-log-monitoring}
    patch: |-
      - op: add
        path: /subjects/-
        value: {kind: User, name: $deployer_email, apiGroup: rbac.authorization.k8s.io}
EOF
  # The manifests name the default namespace; the cluster-scoped part names it too (resourceNames, subjects).
  kubectl kustomize "$work" | sed "s/log-monitoring/$namespace/g" >"$1"
  rm -rf "$work"
}

if [ -n "$rbac_output" ]; then
  render_rbac "$rbac_output"
  say "rendered the deployer RBAC of $namespace for $deployer_email to $rbac_output (nothing applied)"
  exit 0
fi

if [ "$DRY_RUN" = true ]; then
  run gcloud projects describe "$PROJECT_ID" --format='value(projectNumber)'
  project_number=PROJECT_NUMBER
else
  project_number="$(gcloud projects describe "$PROJECT_ID" --format='value(projectNumber)')"
fi
pool_name="projects/$project_number/locations/global/workloadIdentityPools/$pool"

say "Workload Identity pool $pool, provider $provider (tokens of $GITHUB_REPOSITORY's main only)"
if gc_exists iam workload-identity-pools describe "$pool" --location=global; then
  say "pool $pool exists"
else
  gc iam workload-identity-pools create "$pool" --location=global --display-name="GitHub Actions"
fi
# The condition is checked on every token: another repository, or any branch but main, gets nothing.
condition="assertion.repository == '$GITHUB_REPOSITORY' && assertion.ref == 'refs/heads/main'"
if gc_exists iam workload-identity-pools providers describe "$provider" --location=global --workload-identity-pool="$pool"; then
  gc iam workload-identity-pools providers update-oidc "$provider" --location=global --workload-identity-pool="$pool" \
    --attribute-condition="$condition"
else
  gc iam workload-identity-pools providers create-oidc "$provider" --location=global --workload-identity-pool="$pool" \
    --issuer-uri=https://token.actions.githubusercontent.com \
    --attribute-mapping=google.subject=assertion.sub,attribute.repository=assertion.repository,attribute.ref=assertion.ref \
    --attribute-condition="$condition"
fi

# GitHub's token subject says where a job runs: repo:OWNER/NAME:ref:refs/heads/main for a job outside
# any environment, repo:OWNER/NAME:environment:NAME for a job in one.
say "image publisher $publisher_email: pushes to $REGISTRY, from main outside any environment"
ensure_service_account "$publisher" "$publisher_email" "LogMonitoring CD image publisher"
gc artifacts repositories add-iam-policy-binding "$AR_REPOSITORY" --location="$REGION" \
  --member="serviceAccount:$publisher_email" --role=roles/artifactregistry.writer --format=none
gc iam service-accounts add-iam-policy-binding "$publisher_email" --role=roles/iam.workloadIdentityUser \
  --member="principal://iam.googleapis.com/$pool_name/subject/repo:$GITHUB_REPOSITORY:ref:refs/heads/main" --format=none

say "deployer $deployer_email: the $environment environment only, namespace $namespace of $CLUSTER_NAME"
ensure_service_account "$deployer" "$deployer_email" "LogMonitoring CD deployer ($environment)"
# clusterViewer lets it fetch the cluster's endpoint and credentials; what it may do inside is RBAC's.
grant_project_role "serviceAccount:$deployer_email" roles/container.clusterViewer
gc iam service-accounts add-iam-policy-binding "$deployer_email" --role=roles/iam.workloadIdentityUser \
  --member="principal://iam.googleapis.com/$pool_name/subject/repo:$GITHUB_REPOSITORY:environment:$environment" --format=none

say "applying the deployer RBAC to $namespace (as you: this needs cluster-admin rights)"
gc container clusters get-credentials "$CLUSTER_NAME" "$LOCATION_FLAG"
rbac="$(mktemp)"
trap 'rm -f "$rbac"' EXIT
render_rbac "$rbac"
run kubectl apply -f "$rbac"

cat <<EOF
Set these in GitHub (Settings > Secrets and variables > Actions; docs/ci-cd.md):
  repository variables:  GCP_WORKLOAD_IDENTITY_PROVIDER=$pool_name/providers/$provider
                         GCP_IMAGE_PUBLISHER=$publisher_email
                         GCP_PROJECT_ID=$PROJECT_ID  GAR_LOCATION=$REGION  GAR_REPOSITORY=$AR_REPOSITORY
  environment "$environment" variables:
                         GCP_SERVICE_ACCOUNT=$deployer_email
                         GKE_CLUSTER=$CLUSTER_NAME  GKE_LOCATION=${LOCATION_FLAG#*=}  K8S_NAMESPACE=$namespace
EOF
