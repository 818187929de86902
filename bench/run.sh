#!/usr/bin/env bash
# Benchmarks the pipeline in embedded mode on this machine, in one run: the plain Kafka producer and
# the plain store insert (the ceilings), ingest over HTTP in three framings, the persisters draining a
# backlog, and the whole pipeline end to end at held rates with a loss check and freshness probes; then
# the query language on a large store, and how soon the explorer shows the first logs of a link.
# It starts everything it measures on its own ports (6100-6199), and stops it all when it ends.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/run.sh [options]

  --out DIR             where results go (default: bench/results/<UTC timestamp>)
  --e2e-rates "R ..."   end-to-end rates to hold, events/s (default: "10000 30000")
  --e2e-duration SEC    how long each end-to-end rate is held (default: 60)
  --ingest-duration SEC how long each ingest-only run lasts (default: 15)
  --producer-events N   events for the producer ceiling (default: 1000000)
  --store-events N      events for the store ceiling (default: 120000, the same as --backlog)
  --fill-events N       events the store-fill step writes into one new file (default: 10000000)
  --fill-segments N     stretches of the fill timed on their own (default: 10)
  --backlog N           events the persisters drain (default: 120000; the mock broker keeps ~5 MiB per partition)
  --drain-warmup N      events the persisters store first, to be past start-up and JIT (default: 20000)
  --event-size BYTES    approximate size of one event's JSON (default: 300)
  --report FILE         also write the Markdown report there (e.g. docs/benchmarks.md)
  --search-events N     logs in the query benchmark's generated store (default: 10000000)
  --search-repeat N     timed runs of each query (default: 30)
  --search-store FILE   reuse this generated store instead of generating one (it is kept)
  --explorer-events N   logs in the explorer benchmark's generated store (default: 1000000)
  --explorer-repeat N   timed loads of each explorer link (default: 20)
  --explorer-store FILE reuse this generated store for the explorer benchmark (generated within the last hour)
  --chromium PATH       the chromium the explorer benchmark drives (default: /usr/bin/chromium)
  --only STEPS          run only these steps, comma-separated: producer,store,fill,ingest,persister,e2e,search,explorer
                        (e2e starts the stats service and persisters itself when persister is not run)
  --search-only         run only the query benchmark (the same as --only search)
  --no-search           skip the query benchmark
  --no-build            use the Release builds already there
  --help                this text

Needs: the .NET SDK, curl, python3; chromium for the explorer step. Writes results.json (every figure) and report.md into --out.
USAGE
}

root="$(cd "$(dirname "$0")/.." && pwd)"
out=""
e2e_rates="10000 30000"
e2e_duration=60
ingest_duration=15
producer_events=1000000
store_events=120000
fill_events=10000000
fill_segments=10
backlog=120000
drain_warmup=20000
event_size=300
report=""
build=1
search_events=10000000
search_repeat=30
search_store=""
search=1
only=""
explorer_events=1000000
explorer_repeat=20
explorer_store=""
chromium=/usr/bin/chromium
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --e2e-rates) e2e_rates="$2"; shift 2 ;;
    --e2e-duration) e2e_duration="$2"; shift 2 ;;
    --ingest-duration) ingest_duration="$2"; shift 2 ;;
    --producer-events) producer_events="$2"; shift 2 ;;
    --store-events) store_events="$2"; shift 2 ;;
    --fill-events) fill_events="$2"; shift 2 ;;
    --fill-segments) fill_segments="$2"; shift 2 ;;
    --backlog) backlog="$2"; shift 2 ;;
    --drain-warmup) drain_warmup="$2"; shift 2 ;;
    --event-size) event_size="$2"; shift 2 ;;
    --report) report="$2"; shift 2 ;;
    --search-events) search_events="$2"; shift 2 ;;
    --search-repeat) search_repeat="$2"; shift 2 ;;
    --search-store) search_store="$2"; shift 2 ;;
    --explorer-events) explorer_events="$2"; shift 2 ;;
    --explorer-repeat) explorer_repeat="$2"; shift 2 ;;
    --explorer-store) explorer_store="$2"; shift 2 ;;
    --chromium) chromium="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --search-only) only="search"; shift ;;
    --no-search) search=0; shift ;;
    --no-build) build=0; shift ;;
    --help|-h) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
  esac
done

# step NAME: true when the run includes that step (all of them without --only).
step() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
for name in ${only//,/ }; do
  case "$name" in producer|store|fill|ingest|persister|e2e|search|explorer) ;; *) echo "unknown step in --only: $name" >&2; usage >&2; exit 64 ;; esac
done
[ "$search" -eq 1 ] || [ -z "$only" ] || ! step search || { echo "--no-search and --only search contradict each other" >&2; exit 64; }
step search || search=0
# The pipeline's steps need the mock Kafka cluster and the pipeline's services; search and explorer do not.
pipeline=0
for name in producer store fill ingest persister e2e; do step "$name" && pipeline=1; done

out="${out:-$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out/logs"
out="$(cd "$out" && pwd)"
work="$(mktemp -d -t logmon-bench.XXXXXX)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

ingest_port=6101
stats_port=6102
persister_ports=(6103 6104)
explorer_port=6105
explorer_stats_port=6106
bootstrap=""
ingest_url="http://127.0.0.1:$ingest_port"
stats_url="http://127.0.0.1:$stats_port"

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

if [ "$build" -eq 1 ]; then
  for project in LoadGen $([ "$pipeline" -eq 0 ] || echo Ingest Persister Stats) $(step explorer && echo Stats); do
    log "building LogMonitoring.$project (Release)"
    dotnet build "$root/LogMonitoring.$project" -c Release -v quiet -nologo >"$out/logs/build-$project.log" 2>&1 \
      || { tail -30 "$out/logs/build-$project.log" >&2; exit 1; }
  done
  if step explorer; then
    # Published, as its image is: outside Development only a published app serves its libraries' static files.
    log "publishing LogMonitoring.Explorer (Release)"
    dotnet publish "$root/LogMonitoring.Explorer" -c Release -o "$root/LogMonitoring.Explorer/bin/Release/publish" -v quiet -nologo \
      >"$out/logs/build-Explorer.log" 2>&1 || { tail -30 "$out/logs/build-Explorer.log" >&2; exit 1; }
  fi
fi
bin() { echo "$root/LogMonitoring.$1/bin/Release/net10.0/$2"; }
needed="LoadGen:loadgen"
[ "$pipeline" -eq 0 ] || needed="$needed Ingest:LogMonitoring.Ingest Persister:LogMonitoring.Persister Stats:LogMonitoring.Stats"
! step explorer || needed="$needed Stats:LogMonitoring.Stats"
explorer_dll="$root/LogMonitoring.Explorer/bin/Release/publish/LogMonitoring.Explorer.dll"
! step explorer || [ -f "$explorer_dll" ] || { echo "no Release publish of LogMonitoring.Explorer ($explorer_dll): run without --no-build" >&2; exit 1; }
for project in $needed; do
  dll="$(bin "${project%%:*}" "${project#*:}.dll")"
  [ -f "$dll" ] || { echo "no Release build of LogMonitoring.${project%%:*} ($dll): run without --no-build" >&2; exit 1; }
done
loadgen() { dotnet "$(bin LoadGen loadgen.dll)" "$@"; }
# The services require an API key outside Development; the load generator sends this one.
export LOGMON_API_KEY="${LOGMON_API_KEY:-bench-$$-$RANDOM}"


# start NAME DLL PORT [ENV=VALUE...]: runs a service in the background on 127.0.0.1:PORT; its pid is in $started_pid.
start() {
  local name="$1" dll="$2" port="$3"; shift 3
  # Run from the build folder, so the service reads its own appsettings.json (the content root is the working directory).
  (cd "$(dirname "$dll")" && exec env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
      ApiKeys__Keys__0__Name=bench ApiKeys__Keys__0__Key="$LOGMON_API_KEY" ApiKeys__Keys__0__Scopes__0=logs:write \
      ApiKeys__Keys__0__Scopes__1=logs:read ApiKeys__RequestsPerSecond=1000000 ApiKeys__BytesPerSecond=2000000000 ApiKeys__BurstBytes=2000000000 \
      ConnectionStrings__kafka="$bootstrap" ConnectionStrings__logstore="Data Source=$work/logs.db" "$@" \
      dotnet "$dll" --urls "http://127.0.0.1:$port") >"$out/logs/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  echo "$started_pid" >"$work/$name.pid"
}

wait_healthy() {
  local url="$1" i
  for i in $(seq 1 120); do
    if curl -fsS -o /dev/null "$url/health" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "not healthy after 60 s: $url" >&2
  return 1
}

stop() {
  local pid; pid="$(cat "$work/$1.pid")"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Samples the resident memory (MiB) of the named services every 5 s until the marker file disappears.
sample_memory() {
  local marker="$1"; shift
  while [ -e "$marker" ]; do
    local name
    for name in "$@"; do
      local pid; pid="$(cat "$work/$name.pid")"
      awk -v n="$name" '/^VmRSS:/ { printf "%s %.1f\n", n, $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || true
    done
    sleep 5
  done
}

# cpu_mark PHASE NAME...: appends "PHASE NAME CPU-SECONDS" for each running service, to price a phase in CPU per event.
clk_tck="$(getconf CLK_TCK)"
cpu_mark() {
  local phase="$1"; shift
  local name
  # The whole machine too (every process, user and system time): what the services did not use went to
  # the broker, the load generator, anything else running, or nobody.
  awk -v p="$phase" -v hz="$clk_tck" '$1 == "cpu" { printf "%s machine %.2f\n", p, ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat >>"$out/cpu.txt"
  echo "$phase wall $(date +%s.%N)" >>"$out/cpu.txt"
  for name in "$@"; do
    awk -v p="$phase" -v n="$name" -v hz="$clk_tck" '{ printf "%s %s %.2f\n", p, n, ($14 + $15) / hz }' "/proc/$(cat "$work/$name.pid")/stat" >>"$out/cpu.txt"
  done
}

log "machine"
python3 - "$out/machine.json" <<'PY'
import json, os, platform, subprocess, sys, datetime
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
sdk = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
json.dump({"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu, "cores": os.cpu_count(),
           "memoryGiB": round(mem / 1024 / 1024, 1), "os": platform.platform(), "dotnetSdk": sdk,
           "loadAverageAtStart": round(os.getloadavg()[0], 1)}, open(sys.argv[1], "w"), indent=2)
PY

# 6. The query benchmark: its own store of generated logs, queried through the store's code and by hand.
search_step() {
  local store="$search_store" generate=0
  if [ -z "$store" ]; then
    store="$work/search.db"
    generate="$search_events"
  fi
  log "6. query benchmark: ${generate:-0} logs to generate (0: reuse $store), $search_repeat runs per query"
  python3 -c 'import json, os, sys; json.dump({"loadAverageAtStart": round(os.getloadavg()[0], 2)}, open(sys.argv[1], "w"))' "$out/search-load.json"
  loadgen search-bench --data-source "$store" --events "$generate" --repeat "$search_repeat" --json >"$out/search.json" 2>"$out/logs/search.log" \
    || { tail -20 "$out/logs/search.log" >&2; return 1; }
  python3 -c 'import json, os, sys; d = json.load(open(sys.argv[1])); d["loadAverageAtEnd"] = round(os.getloadavg()[0], 2); json.dump(d, open(sys.argv[1], "w"))' "$out/search-load.json"
  [ -n "$search_store" ] || rm -f "$store" "$store-wal" "$store-shm"
}

# 7. First results in the explorer: a generated store behind the stats service, the explorer in front of it,
# and chromium opening links to it; the floor is the same first page from the search API.
explorer_step() {
  local store="$explorer_store"
  if [ -z "$store" ]; then
    store="$work/explorer.db"
    log "7. explorer first results: generating a store of $explorer_events logs"
    loadgen search-bench --data-source "$store" --events "$explorer_events" --generate-only 2>"$out/logs/explorer-generate.log" \
      || { tail -20 "$out/logs/explorer-generate.log" >&2; return 1; }
  fi
  local explorer_stats="http://127.0.0.1:$explorer_stats_port" explorer_url="http://127.0.0.1:$explorer_port"
  start explorer-stats "$(bin Stats LogMonitoring.Stats.dll)" "$explorer_stats_port" ConnectionStrings__logstore="Data Source=$store" Search__IndexedFields__0=user_id
  wait_healthy "$explorer_stats"
  start explorer "$explorer_dll" "$explorer_port" Explorer__StatsUrl="$explorer_stats"
  wait_healthy "$explorer_url"
  log "   $explorer_repeat loads of each link in chromium, and as many first pages from the search API"
  python3 -c 'import json, os, sys; json.dump({"loadAverageAtStart": round(os.getloadavg()[0], 2)}, open(sys.argv[1], "w"))' "$out/explorer-load.json"
  loadgen first-results --explorer-url "$explorer_url" --stats-url "$explorer_stats" --chromium "$chromium" --repeat "$explorer_repeat" --json \
    >"$out/explorer.json" 2>"$out/logs/explorer-bench.log" || { tail -20 "$out/logs/explorer-bench.log" >&2; return 1; }
  python3 - "$out/explorer-load.json" "$store" <<'PY'
import json, os, sqlite3, sys
d = json.load(open(sys.argv[1]))
d["loadAverageAtEnd"] = round(os.getloadavg()[0], 2)
d["events"] = sqlite3.connect(f"file:{sys.argv[2]}?mode=ro", uri=True).execute("SELECT COUNT(*) FROM logs").fetchone()[0]
json.dump(d, open(sys.argv[1], "w"))
PY
  stop explorer
  stop explorer-stats
  [ -n "$explorer_store" ] || rm -f "$store" "$store-wal" "$store-shm"
}

if [ "$pipeline" -eq 0 ]; then
  if [ "$search" -eq 1 ]; then search_step; fi
  if step explorer; then explorer_step; fi
  if [ "$search" -eq 1 ]; then python3 "$root/bench/search_report.py" "$out" ${report:+--report "$report"}; fi
  if step explorer; then python3 "$root/bench/explorer_report.py" "$out" ${report:+--report "$report"}; fi
  log "done: $out"
  exit 0
fi

log "starting the mock Kafka cluster"
# dotnet itself in the background (not the loadgen function, whose $! is a subshell), so cleanup stops the broker.
dotnet "$(bin LoadGen loadgen.dll)" kafka-mock >"$work/kafka.out" 2>"$out/logs/kafka.log" &
pids+=("$!")
echo "$!" >"$work/broker.pid"
for _ in $(seq 1 100); do [ "$(wc -l 2>/dev/null <"$work/kafka.out" || echo 0)" -ge 2 ] && break; sleep 0.1; done
bootstrap="$(head -1 "$work/kafka.out")"
# Ingest's lag-gate settings for the mock broker: what it retains of a partition (the mock cannot be asked).
read -r -a mock_retention < <(sed -n 2p "$work/kafka.out")
[ -n "$bootstrap" ] || { echo "the mock Kafka cluster did not start" >&2; exit 1; }
log "Kafka at $bootstrap"

if step producer; then
log "1. producer ceiling: $producer_events events, plain Confluent.Kafka producer"
loadgen produce --bootstrap "$bootstrap" --topic bench-ceiling --events "$producer_events" --event-size "$event_size" --json >"$out/producer.json"
fi

if step store; then
log "3. store ceiling: $store_events events through SqliteLogStore.WriteBatchAsync"
loadgen store --data-source "$work/ceiling.db" --events "$store_events" --event-size "$event_size" --json >"$out/store.json"
rm -f "$work"/ceiling.db*
log "3. store floor: the same rows into the same schema with SQLite's own API"
loadgen store --floor --data-source "$work/floor.db" --events "$store_events" --event-size "$event_size" --json >"$out/store-floor.json"
rm -f "$work"/floor.db*
fi

if step fill; then
log "3. store as it fills: $fill_events events into one new file, in $fill_segments stretches timed on their own"
loadgen store-fill --data-source "$work/fill.db" --events "$fill_events" --segments "$fill_segments" --event-size "$event_size" --json \
  >"$out/store-fill.json" 2>"$out/logs/store-fill.log" || { tail -20 "$out/logs/store-fill.log" >&2; exit 1; }
rm -f "$work"/fill.db*
fi

if step ingest; then
log "2. ingest over HTTP into Kafka (topic bench-ingest, no consumers)"
# Without the mock's retention: nothing reads bench-ingest, so the lag gate, which keeps retention from deleting
# logs the persisters have not read, would close once the warm-up filled the partitions and answer every request 429.
start ingest "$(bin Ingest LogMonitoring.Ingest.dll)" "$ingest_port" Ingest__Topic=bench-ingest
wait_healthy "$ingest_url"
# Warm every framing's code path first: measured cold, the first framing paid for the JIT compiling
# ingest's hot paths (a tenth of its CPU in a profile) and read slower than it is.
for format in ndjson json single; do
  loadgen run --url "$ingest_url" --mode max --format "$format" --batch-size 1000 --concurrency 8 --duration 5s --event-size "$event_size" --quiet --json >/dev/null
done
for format in ndjson json single; do
  if [ "$format" = single ]; then concurrency=64; else concurrency=8; fi
  log "   $format, max throughput, ${ingest_duration}s"
  cpu_mark "ingest-$format:start" ingest
  loadgen run --url "$ingest_url" --mode max --format "$format" --batch-size 1000 --concurrency "$concurrency" \
    --duration "${ingest_duration}s" --event-size "$event_size" --quiet --json >"$out/ingest-$format.json"
  cpu_mark "ingest-$format:end" ingest
done
stop ingest
fi

# The stats service and two persisters, for the drain and the end-to-end runs.
readers_started=0
start_readers() {
  [ "$readers_started" -eq 0 ] || return 0
  start stats "$(bin Stats LogMonitoring.Stats.dll)" "$stats_port"
  wait_healthy "$stats_url"
  for i in 0 1; do
    start "persister-$i" "$(bin Persister LogMonitoring.Persister.dll)" "${persister_ports[$i]}"
  done
  readers_started=1
}

if step persister; then
log "4. persister drain: $backlog events waiting in Kafka, 2 persister replicas (warmed up on $drain_warmup first)"
# Warmed up as replicas that have been running are: measured from their start, the drain paid for each
# process's start-up and JIT, a third of its CPU per event. The producer sends one warm-up event before
# the ones asked for, hence the + 1s below.
loadgen produce --bootstrap "$bootstrap" --topic logs --events "$drain_warmup" --event-size "$event_size" --json >"$out/drain-warmup-produce.json"
start_readers
loadgen wait-stored --stats-url "$stats_url" --expected "$((drain_warmup + 1))" --timeout 60s --json >"$out/persister-warmup.json" || true
cpu_mark "persister:start" persister-0 persister-1 stats broker
loadgen produce --bootstrap "$bootstrap" --topic logs --events "$backlog" --event-size "$event_size" --json >"$out/backlog.json"
loadgen wait-stored --stats-url "$stats_url" --expected "$((drain_warmup + 1 + backlog + 1))" --timeout 30s --json >"$out/persister.json" || true
cpu_mark "persister:end" persister-0 persister-1 stats broker
fi

if step e2e; then
start_readers
for i in 0 1; do wait_healthy "http://127.0.0.1:${persister_ports[$i]}"; done

log "5. end to end: ingest -> Kafka -> 2 persisters -> SQLite -> stats"
start ingest "$(bin Ingest LogMonitoring.Ingest.dll)" "$ingest_port" "${mock_retention[@]}"
wait_healthy "$ingest_url"
for rate in $e2e_rates; do
  log "   $rate ev/s for ${e2e_duration}s"
  touch "$work/sampling"
  sample_memory "$work/sampling" ingest persister-0 persister-1 stats >"$out/memory-$rate.txt" &
  sampler=$!
  cpu_mark "e2e-$rate:start" ingest persister-0 persister-1 stats broker
  loadgen run --url "$ingest_url" --stats-url "$stats_url" --mode rate --rate "$rate" --format ndjson --batch-size 500 \
    --concurrency 32 --duration "${e2e_duration}s" --event-size "$event_size" --probe-interval 250ms --verify-stored --json \
    >"$out/e2e-$rate.json" || true
  cpu_mark "e2e-$rate:end" ingest persister-0 persister-1 stats broker
  rm -f "$work/sampling"
  wait "$sampler" || true
  grep -h 'LOST\|fail' "$out"/logs/persister-*.log | head -5 >&2 || true
done
fi

if [ "$search" -eq 1 ] || step explorer; then
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
fi
if [ "$search" -eq 1 ]; then search_step; fi
if step explorer; then explorer_step; fi

log "writing $out/results.json and report"
python3 "$root/bench/report.py" "$out" ${report:+--report "$report"}
if [ "$search" -eq 1 ]; then python3 "$root/bench/search_report.py" "$out" ${report:+--report "$report"}; fi
if step explorer; then python3 "$root/bench/explorer_report.py" "$out" ${report:+--report "$report"}; fi
log "done: $out"
