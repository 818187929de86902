#!/usr/bin/env bash
# Checks the Prometheus side of monitoring: the scrape configuration, the rules, and the rules' unit
# tests (every alert firing and not firing). Installs promtool (Debian's prometheus package) if missing.
set -euo pipefail
cd "$(dirname "$0")/../../deploy/prometheus"

if ! command -v promtool >/dev/null; then
  echo "promtool not found: installing the Debian prometheus package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
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

echo "monitoring: scrape config, $(grep -c -E '^\s+- (alert|record):' rules/*.yml | awk -F: '{s+=$NF} END {print s}') rules and their unit tests OK"
