#!/usr/bin/env bash
# Documentation diagrams: renders every ```mermaid block of README.md and docs/*.md with mermaid-cli
# (headless Debian chromium), so a diagram GitHub could not draw fails the build.
# Installs what it needs: chromium (Debian) and @mermaid-js/mermaid-cli (npm, into .ci/node_modules).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
mmdc=.ci/node_modules/.bin/mmdc
if [ ! -x "$mmdc" ]; then
  # Puppeteer would download its own Chrome; the Debian one is used instead.
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .ci --no-save --no-audit --no-fund --silent \
    @mermaid-js/mermaid-cli@11.17.0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/puppeteer.json" <<'JSON'
{"executablePath":"/usr/bin/chromium","args":["--no-sandbox","--headless","--disable-gpu"]}
JSON

# One file per diagram, named after its document and opening line, so a failure says where to look.
count=0
for doc in README.md docs/*.md; do
  awk -v out="$work" -v doc="$doc" '
    /^```mermaid[[:space:]]*$/ { inside = 1; n++; name = doc; gsub(/[^A-Za-z0-9]/, "_", name);
                                 file = sprintf("%s/%s__line%d.mmd", out, name, NR); next }
    inside && /^```[[:space:]]*$/ { inside = 0; close(file); next }
    inside { print > file }
  ' "$doc"
done

failed=0
for diagram in "$work"/*.mmd; do
  [ -e "$diagram" ] || continue
  count=$((count + 1))
  label="$(basename "$diagram" .mmd | sed 's/__line/ line /')"
  if "$mmdc" --quiet -p "$work/puppeteer.json" -i "$diagram" -o "${diagram%.mmd}.svg" >"$work/mmdc.log" 2>&1; then
    echo "rendered: $label"
  else
    echo "FAILED:   $label" >&2
    sed 's/^/    /' "$work/mmdc.log" >&2
    failed=$((failed + 1))
  fi
done

if [ "$count" -eq 0 ]; then
  echo "no mermaid diagrams found in README.md or docs/*.md" >&2
  exit 1
fi
echo "$count diagram(s) rendered, $failed failed"
[ "$failed" -eq 0 ]
