#!/usr/bin/env bash
# Checks the benchmark tooling without running a benchmark: bench/run.sh parses and answers --help,
# and bench/report.py turns a recorded run into the table docs/benchmarks.md shows.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v python3 >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi

echo "bench/run.sh: syntax"
bash -n bench/run.sh
echo "bench/run.sh: --help"
bench/run.sh --help | grep -q -- "--e2e-rates"
if bench/run.sh --no-such-option >/dev/null 2>&1; then
  echo "bench/run.sh accepted an unknown option" >&2
  exit 1
fi

if bench/run.sh --only producer,nonsense >/dev/null 2>&1; then
  echo "bench/run.sh accepted an unknown step in --only" >&2
  exit 1
fi
bench/run.sh --help | grep -q -- "--only STEPS"

echo "bench/report.py: a recorded run becomes the report"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r bench/testdata/sample-run "$work/run"
printf '# Title\n\nhand-written\n<!-- bench:begin -->\nold table\n<!-- bench:end -->\nafter\n' >"$work/doc.md"
python3 bench/report.py "$work/run" --report "$work/doc.md" >/dev/null
for expected in "Producer ceiling" "Ingest, ndjson" "Store ceiling" "Store text index" "Store floor" "Persister drain" "End to end at 10,000/s" \
                "producer ceiling: \*\*" "store ceiling: \*\*" "store floor (the same rows with SQLite's own API): \*\*" "hand-written" "after"; do
  grep -q "$expected" "$work/doc.md" || { echo "the report lacks: $expected" >&2; cat "$work/doc.md" >&2; exit 1; }
done
if grep -q "old table" "$work/doc.md"; then
  echo "the report did not replace the old table" >&2
  exit 1
fi
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['ratios']['ingestBatchedOverProducerCeiling'] > 0" "$work/run/results.json"

echo "bench/report.py: a run of some steps (--only ingest,persister) becomes a report of those"
cp -r bench/testdata/sample-run "$work/partial"
rm "$work/partial/producer.json" "$work/partial/store.json" "$work/partial/store-floor.json"
python3 bench/report.py "$work/partial" >"$work/partial.md"
grep -q "Ingest, ndjson" "$work/partial.md" || { echo "the partial report lacks the ingest rows" >&2; exit 1; }
if grep -q "Producer ceiling" "$work/partial.md"; then echo "the partial report shows a step that did not run" >&2; exit 1; fi

echo "bench/search_report.py: a recorded query benchmark becomes its table"
python3 bench/search_report.py "$work/run" --report "$work/doc.md" >/dev/null
for expected in "search-bench:begin" "common-word\\|request" "MB per million logs" "Floor p50" "hand-written"; do
  grep -q "$expected" "$work/doc.md" || { echo "the query report lacks: $expected" >&2; cat "$work/doc.md" >&2; exit 1; }
done
bench/run.sh --help | grep -q -- "--search-only"

echo "bench/explorer_report.py: a recorded explorer benchmark becomes its table"
python3 bench/explorer_report.py "$work/run" --report "$work/doc.md" >/dev/null
for expected in "explorer-bench:begin" "First rows p50 / p95" "Explorer / API" "last hour" "hand-written"; do
  grep -q "$expected" "$work/doc.md" || { echo "the explorer report lacks: $expected" >&2; cat "$work/doc.md" >&2; exit 1; }
done
bench/run.sh --help | grep -q -- "--explorer-events"
echo "bench tooling: ok"
