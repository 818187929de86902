#!/usr/bin/env bash
# Installs the tools the tests and checks call: kcat (a Kafka client from outside the project),
# prometheus/promtool (alert-rule tests), prometheus-alertmanager/amtool (the alert-delivery test and
# `amtool check-config`), sqlite3 (inspecting the embedded store), docker-compose
# (`docker-compose config` validates docker-compose.yml without a Docker engine), chromium (the
# explorer's browser tests drive it through Playwright; never Playwright's own browser download).
set -euo pipefail
need=()
command -v kcat >/dev/null || need+=(kcat)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian packages start services on :9090 and :9093; the tests start their own.
for service in prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then systemctl stop "$service" || true; fi
  pkill -x "$service" 2>/dev/null || true
done
echo "kcat: $(kcat -V 2>&1 | head -1)"
echo "promtool: $(promtool --version 2>&1 | head -1)"
echo "amtool: $(amtool --version 2>&1 | head -1)"
echo "docker-compose: $(docker-compose version --short 2>&1 | head -1)"
echo "chromium: $(chromium --version 2>&1 | head -1)"
