#!/usr/bin/env bash
# Builds the service images with the .NET SDK's container support (no Dockerfile): one image per
# service, named logmonitoring-<service>. Three destinations:
#   --push           to the registry named by --registry (log in first: docker/login-action, or
#                    gcloud auth configure-docker REGION-docker.pkg.dev)
#   --archive DIR    to DIR/logmonitoring-<service>.tar.gz (no container engine needed)
#   neither          to the local container engine (docker or podman)
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/ci/build-images.sh --tag TAG [--tag TAG ...] [--registry PREFIX] [--push | --archive DIR]
                                 [--service NAME ...] [--configuration Release] [--dry-run]

  --registry PREFIX  registry host and path the repositories live under, e.g.
                     europe-west1-docker.pkg.dev/my-project/logmonitoring (Artifact Registry);
                     lower-cased (registries reject upper case). Required with --push.
  --tag TAG          image tag; repeat for several (e.g. the commit SHA and latest).
  --push             push to the registry.
  --archive DIR      write each image as a tarball into DIR instead.
  --service NAME     ingest, persister, stats or explorer; repeat for several (default: all four).
  --configuration C  build configuration (default Release).
  --dry-run          print the dotnet commands instead of running them.
EOF
}

registry=""
tags=()
services=()
push=false
archive=""
configuration="Release"
dry_run=false

while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="${2:?--registry needs a value}"; shift 2 ;;
    --tag) tags+=("${2:?--tag needs a value}"); shift 2 ;;
    --service) services+=("${2:?--service needs a value}"); shift 2 ;;
    --push) push=true; shift ;;
    --archive) archive="${2:?--archive needs a directory}"; shift 2 ;;
    --configuration) configuration="${2:?--configuration needs a value}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

[ ${#tags[@]} -gt 0 ] || { echo "at least one --tag is required" >&2; exit 2; }
[ ${#services[@]} -gt 0 ] || services=(ingest persister stats explorer)
if $push && [ -n "$archive" ]; then echo "--push and --archive exclude each other" >&2; exit 2; fi
if $push && [ -z "$registry" ]; then echo "--push needs --registry" >&2; exit 2; fi

registry="${registry,,}"
registry="${registry%/}"
# The SDK takes the registry host and the repository path separately:
# europe-west1-docker.pkg.dev/p/logmonitoring -> europe-west1-docker.pkg.dev + p/logmonitoring/...
registry_host="${registry%%/*}"
repository_prefix=""
[[ "$registry" == */* ]] && repository_prefix="${registry#*/}/"

# MSBuild reads a semicolon inside a property value as a list separator only when the value is quoted.
tag_list=$(IFS=';'; echo "${tags[*]}")

cd "$(dirname "$0")/../.."

for service in "${services[@]}"; do
  case "$service" in
    ingest) project="LogMonitoring.Ingest/LogMonitoring.Ingest.csproj" ;;
    persister) project="LogMonitoring.Persister/LogMonitoring.Persister.csproj" ;;
    stats) project="LogMonitoring.Stats/LogMonitoring.Stats.csproj" ;;
    explorer) project="LogMonitoring.Explorer/LogMonitoring.Explorer.csproj" ;;
    *) echo "unknown service: $service (expected ingest, persister, stats or explorer)" >&2; exit 2 ;;
  esac

  repository="${repository_prefix}logmonitoring-${service}"
  command=(dotnet publish "$project" -c "$configuration" -t:PublishContainer
    "-p:ContainerRepository=${repository}"
    "-p:ContainerImageTags=\"${tag_list}\"")
  if $push; then
    command+=("-p:ContainerRegistry=${registry_host}")
  elif [ -n "$archive" ]; then
    command+=("-p:ContainerArchiveOutputPath=${archive%/}/logmonitoring-${service}.tar.gz")
  fi

  destination="local container engine"
  $push && destination="${registry_host}/${repository}"
  [ -n "$archive" ] && destination="${archive%/}/logmonitoring-${service}.tar.gz"
  echo "== ${service}: ${repository} tags ${tag_list} -> ${destination}"
  if $dry_run; then
    printf '%q ' "${command[@]}"
    echo
  else
    "${command[@]}"
  fi
done
