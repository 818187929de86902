#!/bin/sh
# Writes Alertmanager's configuration: alertmanager.yml (next to this script) with a Slack, Discord and
# generic-webhook integration added to its `logmonitoring` receiver for each address set below; then,
# when a command follows, runs it (the Alertmanager container and process start through this script).
# POSIX sh: it runs in the Alertmanager image, whose shell is busybox's.
#
# Usage: render-config.sh OUTPUT [COMMAND [ARGS...]]
#
# Environment (each optional; empty means not configured):
#   LOGMON_ALERT_SLACK_WEBHOOK_URL    a Slack incoming-webhook URL (https://hooks.slack.com/services/...)
#   LOGMON_ALERT_SLACK_CHANNEL        the channel to post to, e.g. #alerts (default: the webhook's own)
#   LOGMON_ALERT_DISCORD_WEBHOOK_URL  a Discord channel webhook URL (https://discord.com/api/webhooks/...)
#   LOGMON_ALERT_WEBHOOK_URL          any URL that takes Alertmanager's webhook JSON (POST)
#   LOGMON_ALERT_GROUP_WAIT           overrides the route's group_wait (e.g. 10s)
#   LOGMON_ALERT_GROUP_INTERVAL       overrides the route's group_interval (e.g. 1m)
set -eu

usage() {
  echo "Usage: render-config.sh OUTPUT [COMMAND [ARGS...]]"
  echo "Writes Alertmanager's configuration to OUTPUT with the receivers the LOGMON_ALERT_* variables"
  echo "configure (see the comment at the top of this script), then runs COMMAND if one is given."
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  '') usage >&2; exit 2 ;;
esac
output="$1"
shift
base="$(dirname "$0")/alertmanager.yml"

# A value goes between single quotes in YAML: refuse what would end the quotes or the line.
check() {
  case "$2" in
    *"'"* | *'
'*) echo "$1 must not contain a quote or a line break" >&2; exit 1 ;;
  esac
}
duration() {
  case "$2" in
    '') ;;
    *[!0-9smh]* | [!0-9]*) echo "$1 must be a duration such as 30s or 5m, is '$2'" >&2; exit 1 ;;
  esac
}

slack="${LOGMON_ALERT_SLACK_WEBHOOK_URL:-}"
channel="${LOGMON_ALERT_SLACK_CHANNEL:-}"
discord="${LOGMON_ALERT_DISCORD_WEBHOOK_URL:-}"
webhook="${LOGMON_ALERT_WEBHOOK_URL:-}"
group_wait="${LOGMON_ALERT_GROUP_WAIT:-}"
group_interval="${LOGMON_ALERT_GROUP_INTERVAL:-}"
check LOGMON_ALERT_SLACK_WEBHOOK_URL "$slack"
check LOGMON_ALERT_SLACK_CHANNEL "$channel"
check LOGMON_ALERT_DISCORD_WEBHOOK_URL "$discord"
check LOGMON_ALERT_WEBHOOK_URL "$webhook"
duration LOGMON_ALERT_GROUP_WAIT "$group_wait"
duration LOGMON_ALERT_GROUP_INTERVAL "$group_interval"

mkdir -p "$(dirname "$output")"
{
  # The route's own timings are the first (two-space indented) group_wait and group_interval lines.
  sed \
    -e "${group_wait:+s/^  group_wait: .*/  group_wait: $group_wait/}" \
    -e "${group_interval:+s/^  group_interval: .*/  group_interval: $group_interval/}" \
    "$base"
  # The receiver is the file's last entry: its integrations follow it.
  # printf, not echo: some shells' echo would read the backslashes in a value or a template.
  if [ -n "$slack" ]; then
    printf '%s\n' "    slack_configs:" "      - api_url: '$slack'"
    [ -z "$channel" ] || printf '%s\n' "        channel: '$channel'"
    printf '%s\n' "        send_resolved: true" \
      "        title: '{{ if eq .Status \"firing\" }}[FIRING:{{ .Alerts.Firing | len }}]{{ else }}[RESOLVED]{{ end }} {{ .CommonLabels.alertname }}{{ with .CommonLabels.service }} ({{ . }}){{ end }}'" \
      "        text: '{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}{{ \"\\n\" }}{{ end }}'"
  fi
  if [ -n "$discord" ]; then
    printf '%s\n' "    discord_configs:" "      - webhook_url: '$discord'" "        send_resolved: true"
  fi
  if [ -n "$webhook" ]; then
    printf '%s\n' "    webhook_configs:" "      - url: '$webhook'" "        send_resolved: true"
  fi
} >"$output.tmp"
mv "$output.tmp" "$output"

configured=""
[ -z "$slack" ] || configured="$configured slack"
[ -z "$discord" ] || configured="$configured discord"
[ -z "$webhook" ] || configured="$configured webhook"
echo "alertmanager: wrote $output (receivers:${configured:- none, alerts are only listed})" >&2

if [ $# -gt 0 ]; then
  exec "$@"
fi
