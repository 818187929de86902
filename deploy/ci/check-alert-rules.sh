#!/usr/bin/env bash
# Checks the Prometheus alert and recording rules with promtool: syntax and expressions
# (promtool check rules), then behaviour against the unit tests (promtool test rules).
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: deploy/ci/check-alert-rules.sh --rules DIR --tests DIR [--install]

  --rules DIR  folder of rule files (*.yml, *.yaml).
  --tests DIR  folder of promtool rule unit tests (*.yml, *.yaml).
  --install    install promtool from the distribution's 'prometheus' package when it is missing.
EOF2
}

rules_dir=""
tests_dir=""
install=false
while [ $# -gt 0 ]; do
  case "$1" in
    --rules) rules_dir="${2:?--rules needs a folder}"; shift 2 ;;
    --tests) tests_dir="${2:?--tests needs a folder}"; shift 2 ;;
    --install) install=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "$rules_dir" ] || [ -z "$tests_dir" ]; then usage >&2; exit 2; fi

if ! command -v promtool >/dev/null; then
  $install || { echo "promtool is missing (pass --install to install it)" >&2; exit 1; }
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
echo "promtool: $(promtool --version 2>&1 | head -1)"

shopt -s nullglob
rules=("$rules_dir"/*.yml "$rules_dir"/*.yaml)
tests=("$tests_dir"/*.yml "$tests_dir"/*.yaml)
[ ${#rules[@]} -gt 0 ] || { echo "FAIL: no rule files in ${rules_dir}" >&2; exit 1; }
[ ${#tests[@]} -gt 0 ] || { echo "FAIL: no rule tests in ${tests_dir}" >&2; exit 1; }

echo "== promtool check rules (${#rules[@]} files)"
promtool check rules "${rules[@]}"
echo "== promtool test rules (${#tests[@]} files)"
promtool test rules "${tests[@]}"
