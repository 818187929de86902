#!/usr/bin/env bash
# Writes secrets.env next to deploy/k8s/base/secrets.env.example (never committed; the kustomize
# secretGenerator reads it) from the LOGMON_SECRETS_ENV environment variable, which CD fills from the
# environment's secret of that name.
# Refuses a file that lacks a key of secrets.env.example, leaves one empty, or still holds the
# example's placeholder for a password, key or token, so a half-filled secret cannot reach a cluster.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: LOGMON_SECRETS_ENV=... deploy/ci/write-secrets-env.sh [--dry-run]

  --dry-run  check the content without writing the file.

Environment: LOGMON_SECRETS_ENV (required): the whole secrets.env, KEY=VALUE lines as in
deploy/k8s/base/secrets.env.example.
EOF2
}

dry_run=false
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/../.."
example=deploy/k8s/base/secrets.env.example
target="${example%.example}" # the generator reads the file next to its example

[ -f "$example" ] || { echo "${example} is missing: nothing says which keys are needed" >&2; exit 1; }
if [ -z "${LOGMON_SECRETS_ENV:-}" ]; then
  echo "LOGMON_SECRETS_ENV is empty: set the LOGMON_SECRETS_ENV secret of this environment (docs/ci-cd.md)" >&2
  exit 1
fi

value_of() { # KEY FILE-CONTENT -> the value of KEY's last line, or nothing
  grep -E "^$1=" <<<"$2" | tail -n 1 | cut -d= -f2- || true
}

content="${LOGMON_SECRETS_ENV//$'\r'/}"
example_content=$(cat "$example")
problems=0
keys=0
while IFS= read -r key; do
  keys=$((keys + 1))
  value=$(value_of "$key" "$content")
  if ! grep -qE "^${key}=" <<<"$content"; then
    echo "missing key: ${key}" >&2; problems=1
  elif [ -z "$value" ]; then
    echo "empty value: ${key}" >&2; problems=1
  elif [[ "$key" =~ (password|keyfile|key|token|secret) ]] && [ "$value" = "$(value_of "$key" "$example_content")" ]; then
    echo "still the example's placeholder: ${key}" >&2; problems=1
  fi
done < <(grep -E '^[A-Za-z0-9_.-]+=' "$example" | cut -d= -f1)
[ "$problems" -eq 0 ] || exit 1

if $dry_run; then
  echo "LOGMON_SECRETS_ENV has all ${keys} keys of ${example}; would write ${target}"
  exit 0
fi
(umask 077 && printf '%s\n' "$content" >"$target")
echo "wrote ${target} (${keys} keys)"
