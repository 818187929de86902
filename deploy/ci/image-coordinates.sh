#!/usr/bin/env bash
# Prints the CD images' coordinates as step outputs: the Artifact Registry repository the images go to
# (REGION-docker.pkg.dev/PROJECT/REPOSITORY, the one deploy/gke/03-artifact-registry.sh creates and the
# cluster's nodes may pull from) and the tag (the commit). Refuses to guess a missing setting.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: GAR_LOCATION=... GCP_PROJECT_ID=... [GAR_REPOSITORY=logmonitoring] deploy/ci/image-coordinates.sh --commit SHA

Prints two lines, registry=<region>-docker.pkg.dev/<project>/<repository> and tag=<SHA>, for
$GITHUB_OUTPUT. GAR_LOCATION is the repository's region (e.g. europe-west1), GCP_PROJECT_ID the project.
EOF2
}

commit=""
while [ $# -gt 0 ]; do
  case "$1" in
    --commit) commit="${2:?--commit needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$commit" ] || { echo "--commit is required" >&2; exit 2; }

missing=()
[ -n "${GAR_LOCATION:-}" ] || missing+=(GAR_LOCATION)
[ -n "${GCP_PROJECT_ID:-}" ] || missing+=(GCP_PROJECT_ID)
if [ ${#missing[@]} -gt 0 ]; then
  echo "set the repository variable(s) ${missing[*]} (docs/ci-cd.md): the images go to Artifact Registry" >&2
  exit 1
fi
[[ "$GAR_LOCATION" =~ ^[a-z0-9-]+$ ]] || { echo "GAR_LOCATION '$GAR_LOCATION' is not a region such as europe-west1" >&2; exit 1; }

echo "registry=${GAR_LOCATION}-docker.pkg.dev/${GCP_PROJECT_ID}/${GAR_REPOSITORY:-logmonitoring}"
echo "tag=${commit}"
