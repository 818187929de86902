#!/usr/bin/env bash
# Installs the tools the tests and checks call: kcat (a Kafka client from outside the project),
# prometheus/promtool (alert-rule tests), sqlite3 (inspecting the embedded store), docker-compose
# (`docker-compose config` validates docker-compose.yml without a Docker engine), chromium (the
# explorer's browser tests drive it through Playwright; never Playwright's own browser download).
set -euo pipefail
need=()
command -v kcat >/dev/null || need+=(kcat)
command -v promtool >/dev/null || need+=(prometheus)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The Debian package starts a Prometheus service on :9090; tests do not want it.
if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then systemctl stop prometheus || true; fi
pkill -x prometheus 2>/dev/null || true
echo "kcat: $(kcat -V 2>&1 | head -1)"
echo "promtool: $(promtool --version 2>&1 | head -1)"
echo "docker-compose: $(docker-compose version --short 2>&1 | head -1)"
echo "chromium: $(chromium --version 2>&1 | head -1)"
