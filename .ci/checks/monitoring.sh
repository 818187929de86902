#!/usr/bin/env bash
# Checks the Prometheus side of monitoring: the scrape configuration, the rules, the rules' unit tests
# (every alert firing and not firing), and that every Prometheus query in the Grafana dashboards parses.
# Installs promtool (Debian's prometheus package) and jq if missing.
set -euo pipefail
cd "$(dirname "$0")/../../deploy/prometheus"

need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The package starts a Prometheus service; this check only needs the promtool binary.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus || true
  fi
fi
echo "promtool: $(promtool --version 2>&1 | head -1)"

echo "-- promtool check config prometheus.yml"
# Target files are written at run time (targets/README.md); their absence is only a warning here.
promtool check config prometheus.yml

echo "-- promtool check rules rules/*.yml"
promtool check rules rules/*.yml

echo "-- promtool test rules tests/*.yml"
promtool test rules tests/*.yml

echo "-- dashboard queries parse (grafana/dashboards/*.json)"
# promtool has no query linter, so each panel's query becomes a recording rule in a scratch file and
# `promtool check rules` parses it. Grafana's variables are replaced by values of the same kind first.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
{
  echo "groups:"
  echo "  - name: dashboard-queries"
  echo "    rules:"
  jq -r '
    [.. | objects | select(.datasource?.uid? == "logmon-prometheus" and (.expr? | type) == "string") | .expr]
    | to_entries[]
    | "      - record: dashboard_query:\(.key)\n        expr: \(.value
        | gsub("\\$__rate_interval|\\$__interval"; "1m")
        | gsub("\\$__range"; "1h")
        | gsub("\\$\\{[a-z_]+(:[a-z]+)?\\}"; ".*")
        | tojson)"' ../../grafana/dashboards/*.json
} > "$scratch/dashboard-queries.yml"
queries=$(grep -c 'record: dashboard_query:' "$scratch/dashboard-queries.yml")
if [ "$queries" -eq 0 ]; then
  echo "no Prometheus query found in the dashboards: the extraction is broken"
  exit 1
fi
promtool check rules "$scratch/dashboard-queries.yml"
echo "$queries dashboard queries parse"

echo "monitoring: scrape config, $(grep -c -E '^\s+- (alert|record):' rules/*.yml | awk -F: '{s+=$NF} END {print s}') rules and their unit tests OK"
