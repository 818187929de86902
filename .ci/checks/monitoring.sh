#!/usr/bin/env bash
# Checks the Prometheus side of monitoring: the scrape configuration, the rules, the rules' unit tests
# (every alert firing and not firing), Alertmanager's configuration (as committed and with every kind of
# receiver added), and that every Prometheus query in the Grafana dashboards parses.
# Installs promtool and amtool (Debian's prometheus and prometheus-alertmanager packages) and jq if missing.
set -euo pipefail
cd "$(dirname "$0")/../../deploy/prometheus"

need=()
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v jq >/dev/null || need+=(jq)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The packages start services; this check only needs the promtool and amtool binaries.
  for service in prometheus prometheus-alertmanager; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
      systemctl stop "$service" || true
    fi
  done
fi
echo "promtool: $(promtool --version 2>&1 | head -1)"
echo "amtool: $(amtool --version 2>&1 | head -1)"

echo "-- promtool check config prometheus.yml"
# Target files are written at run time (targets/README.md); their absence is only a warning here.
promtool check config prometheus.yml

echo "-- promtool check rules rules/*.yml"
promtool check rules rules/*.yml

echo "-- promtool test rules tests/*.yml"
promtool test rules tests/*.yml

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "-- amtool check-config ../alertmanager/alertmanager.yml, as committed and rendered with every receiver"
amtool check-config ../alertmanager/alertmanager.yml
LOGMON_ALERT_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T000/B000/XXXX \
  LOGMON_ALERT_SLACK_CHANNEL='#alerts' \
  LOGMON_ALERT_DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/000/XXXX \
  LOGMON_ALERT_WEBHOOK_URL=https://alerts.example.com/logmonitoring \
  LOGMON_ALERT_GROUP_WAIT=5s LOGMON_ALERT_GROUP_INTERVAL=10s \
  sh ../alertmanager/render-config.sh "$scratch/alertmanager.yml"
amtool check-config "$scratch/alertmanager.yml"
# The routing as docs/monitoring.md describes it: every alert reaches the one receiver.
for labels in "alertname=LogMonErrorRateHigh service=payment-service severity=warning" "alertname=LogMonServiceDown job=ingest severity=critical"; do
  # shellcheck disable=SC2086 # one argument per label
  if ! routed=$(amtool config routes test --config.file="$scratch/alertmanager.yml" --verify.receivers=logmonitoring $labels 2>&1); then
    echo "$labels: $routed"
    exit 1
  fi
done

echo "-- dashboard queries parse (grafana/dashboards/*.json)"
# promtool has no query linter, so each panel's query becomes a recording rule in a scratch file and
# `promtool check rules` parses it. Grafana's variables are replaced by values of the same kind first.
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
