#!/usr/bin/env bash
# Posts the outcome of a deployment to Slack and/or Discord incoming webhooks.
# The webhook URLs come from the environment (SLACK_WEBHOOK_URL, DISCORD_WEBHOOK_URL) so they never
# appear on a command line or in a log; with neither set the script says so and succeeds.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy/ci/notify.sh --status success|failure|cancelled --commit SHA --run-url URL
                           [--title TEXT] [--details TEXT] [--dry-run]

  --status   outcome to report.
  --commit   commit the run deployed (shown shortened).
  --run-url  link to the workflow run.
  --title    headline (default "LogMonitoring deployment").
  --details  one more line, e.g. the per-environment results or the commit subject.
  --dry-run  print the payloads instead of posting them.

Environment: SLACK_WEBHOOK_URL, DISCORD_WEBHOOK_URL (each optional).
EOF
}

status=""
commit=""
run_url=""
title="LogMonitoring deployment"
details=""
dry_run=false

while [ $# -gt 0 ]; do
  case "$1" in
    --status) status="${2:?--status needs a value}"; shift 2 ;;
    --commit) commit="${2:?--commit needs a value}"; shift 2 ;;
    --run-url) run_url="${2:?--run-url needs a value}"; shift 2 ;;
    --title) title="${2:?--title needs a value}"; shift 2 ;;
    --details) details="${2-}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

case "$status" in
  success) icon="✅"; color=3066993 ;;
  failure) icon="❌"; color=15158332 ;;
  cancelled) icon="⚪"; color=9807270 ;;
  *) echo "--status must be success, failure or cancelled (got '${status}')" >&2; exit 2 ;;
esac
[ -n "$commit" ] || { echo "--commit is required" >&2; exit 2; }
[ -n "$run_url" ] || { echo "--run-url is required" >&2; exit 2; }

slack_url="${SLACK_WEBHOOK_URL:-}"
discord_url="${DISCORD_WEBHOOK_URL:-}"
if [ -z "$slack_url" ] && [ -z "$discord_url" ] && ! $dry_run; then
  echo "notify: neither SLACK_WEBHOOK_URL nor DISCORD_WEBHOOK_URL is set; skipping the notification"
  exit 0
fi

command -v jq >/dev/null || { echo "notify: jq is required to build the message" >&2; exit 1; }

headline="${icon} ${title}: ${status}"
body="Commit ${commit:0:12}"
[ -n "$details" ] && body="${body}"$'\n'"${details}"

# jq escapes everything that came from outside (commit subjects, job results) into valid JSON;
# Slack also gives &, < and > a meaning of their own, so those are escaped in the text as well.
slack_payload=$(jq -n --arg headline "$headline" --arg body "$body" --arg url "$run_url" \
  'def slack: gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;");
   {text: ((($headline + "\n" + $body) | slack) + "\n<" + $url + "|Workflow run>")}')
discord_payload=$(jq -n --arg headline "$headline" --arg body "$body" --arg url "$run_url" --argjson color "$color" \
  '{embeds: [{title: $headline, description: $body, url: $url, color: $color}], allowed_mentions: {parse: []}}')

post() {
  local name="$1" url="$2" payload="$3"
  if $dry_run; then
    echo "notify (dry run): ${name} payload:"
    echo "$payload"
    return 0
  fi
  if curl --silent --show-error --fail-with-body --retry 3 --retry-delay 2 --max-time 20 \
      -H 'Content-Type: application/json' --data "$payload" "$url" >/dev/null; then
    echo "notify: posted to ${name}"
  else
    echo "::warning::notify: posting to ${name} failed"
    return 1
  fi
}

failed=0
if [ -n "$slack_url" ] || $dry_run; then post Slack "$slack_url" "$slack_payload" || failed=1; fi
if [ -n "$discord_url" ] || $dry_run; then post Discord "$discord_url" "$discord_payload" || failed=1; fi
exit "$failed"
