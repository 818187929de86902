#!/usr/bin/env python3
"""Collects the JSON files bench/run.sh wrote into one results.json and a Markdown table.

With --report FILE, the table replaces the block between the bench markers in FILE (or becomes the
whole file when it has none), so hand-written notes around it survive a rerun.
"""
import argparse
import glob
import json
import os
import statistics

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def load(path):
    with open(path) as f:
        return json.load(f)


def load_if_run(path):
    """A step's result, or None when the run left that step out (bench/run.sh --only)."""
    return load(path) if os.path.exists(path) else None


def memory(path):
    """Median resident memory per service over the samples taken during the run, in MiB."""
    samples = {}
    if os.path.exists(path):
        for line in open(path):
            name, mib = line.split()
            samples.setdefault(name, []).append(float(mib))
    return {name: round(statistics.median(values), 1) for name, values in sorted(samples.items())}


def cpu_deltas(out):
    """CPU seconds each service spent in each phase, from the start and end marks run.sh took."""
    marks = {}
    path = os.path.join(out, "cpu.txt")
    if os.path.exists(path):
        for line in open(path):
            phase_mark, name, seconds = line.split()
            phase, mark = phase_mark.rsplit(":", 1)
            marks.setdefault(phase, {}).setdefault(name, {})[mark] = float(seconds)
    return {phase: {name: round(m["end"] - m["start"], 2) for name, m in services.items() if "start" in m and "end" in m}
            for phase, services in marks.items()}


def cores_busy(phase):
    """The whole machine's CPU seconds over the phase's wall-clock seconds: 2.0 is both cores busy throughout."""
    if phase.get("wall") and "machine" in phase:
        return round(phase["machine"] / phase["wall"], 2)
    return None


def per_event(seconds, events):
    return round(seconds * 1e6 / events, 1) if events else None


def collect(out):
    results = {"machine": load(os.path.join(out, "machine.json")),
               "producer": load_if_run(os.path.join(out, "producer.json")),
               "store": load_if_run(os.path.join(out, "store.json")),
               "storeFloor": load_if_run(os.path.join(out, "store-floor.json")),
               "storeFill": load_if_run(os.path.join(out, "store-fill.json")),
               "ingest": {}, "persister": None, "endToEnd": []}
    for fmt in ("ndjson", "json", "single"):
        path = os.path.join(out, f"ingest-{fmt}.json")
        if os.path.exists(path):
            results["ingest"][fmt] = load(path)
    if os.path.exists(os.path.join(out, "persister.json")):
        results["persister"] = load(os.path.join(out, "persister.json"))
        warmup = load_if_run(os.path.join(out, "persister-warmup.json"))
        # What was stored before the measured backlog (the warm-up) is neither timed nor priced.
        results["persister"]["warmedUpOn"] = warmup["reached"] if warmup else 0
    for path in sorted(glob.glob(os.path.join(out, "e2e-*.json")), key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0])):
        rate = int(path.rsplit("-", 1)[1].split(".")[0])
        run = load(path)
        run["memoryMiB"] = memory(os.path.join(out, f"memory-{rate}.txt"))
        results["endToEnd"].append(run)

    cpu = cpu_deltas(out)
    results["machine"]["loadAverageAtEnd"] = round(os.getloadavg()[0], 1)
    for fmt, run in results["ingest"].items():
        run["cpuMicrosecondsPerEvent"] = {"ingest": per_event(cpu.get(f"ingest-{fmt}", {}).get("ingest", 0), run["accepted"])}
    if results["persister"]:
        drained = results["persister"]["reached"] - results["persister"]["warmedUpOn"]
        phase = cpu.get("persister", {})
        results["persister"]["cpuMicrosecondsPerEvent"] = {
            "persisters": per_event(sum(v for k, v in phase.items() if k.startswith("persister-")), drained),
            **{name: per_event(seconds, drained) for name, seconds in phase.items() if name not in ("wall",) and not name.startswith("persister-")}}
        results["persister"]["coresBusy"] = cores_busy(phase)
    for run in results["endToEnd"]:
        phase = cpu.get(f"e2e-{int(run['targetRate'])}", {})
        events = run["accepted"] + (run.get("freshness") or {}).get("accepted", 0)
        run["cpuMicrosecondsPerEvent"] = {name: per_event(seconds, events) for name, seconds in phase.items() if name != "wall"}
        run["coresBusy"] = cores_busy(phase)

    ceiling = (results["producer"] or {}).get("deliveredPerSecond")
    store_ceiling = (results["store"] or {}).get("insertedPerSecond")
    best_ingest = max((r["acceptedPerSecond"] for r in results["ingest"].values()), default=0)
    results["ratios"] = {
        "ingestBatchedOverProducerCeiling": round(best_ingest / ceiling, 3) if ceiling and results["ingest"] else None,
        "persisterOverStoreCeiling": round(results["persister"]["storedPerSecond"] / store_ceiling, 3)
        if results["persister"] and store_ceiling else None,
        "storeCeilingOverFloor": round(store_ceiling / results["storeFloor"]["insertedPerSecond"], 3)
        if store_ceiling and results.get("storeFloor") else None,
        "storeFillLastOverFirst": (results.get("storeFill") or {}).get("lastOverFirst"),
    }
    return results


def n(value):
    return f"{value:,.0f}"


def markdown(r):
    m = r["machine"]
    lines = [BEGIN,
             f"Run on {m['date']}: {m['cores']} cores ({m['cpu']}), {m['memoryGiB']} GiB, {m['os']}, .NET SDK {m['dotnetSdk']}; "
             f"load average {m.get('loadAverageAtStart', '?')} at the start and {m.get('loadAverageAtEnd', '?')} at the end "
             f"(anything above {m['cores']} means other work shared the cores); " +
             (f"events of about {r['producer']['eventBytes']} bytes as JSON; " if r["producer"] else "") +
             f"Kafka is librdkafka's mock cluster, the store an SQLite file.",
             "",
             "| # | What | Setup | Events/s | Latency p50 / p99 / max (ms) | CPU µs/event | Notes |",
             "|---|------|-------|---------:|------------------------------|-------------:|-------|"]
    if r["producer"]:
        p = r["producer"]
        lines.append(f"| 1 | Producer ceiling | plain Confluent.Kafka producer, acks=all, idempotent, lz4, linger 0 ms | {n(p['deliveredPerSecond'])} | | {p.get('cpuMicrosecondsPerEvent', '')} | "
                     f"{n(p['delivered'])} events, {p['megabytesPerSecond']} MB/s |")
    for fmt, run in r["ingest"].items():
        lat = run["latencyMs"]
        outcomes = ", ".join(f"{k}: {n(v)}" for k, v in run["outcomes"].items())
        lines.append(f"| 2 | Ingest, {fmt} | HTTP, {run['batchSize']} events/request, {run['concurrency']} in flight, max throughput | "
                     f"{n(run['acceptedPerSecond'])} | {lat['p50']} / {lat['p99']} / {lat['max']} | {run['cpuMicrosecondsPerEvent']['ingest']} (ingest) | {n(run['accepted'])} accepted; {outcomes} |")
    if r["store"]:
        s = r["store"]
        lines.append(f"| 3 | Store ceiling | SqliteLogStore.WriteBatchAsync, batches of {n(s['batchSize'])}, one writer | {n(s['insertedPerSecond'])} | | {s.get('cpuMicrosecondsPerEvent', '')} | "
                     f"{n(s['inserted'])} events into a new file |")
    if r["store"] and r["store"].get("textIndex"):
        t = r["store"]["textIndex"]
        lines.append(f"| 3 | Store text index | SqliteLogStore.IndexTextAsync over the ceiling's rows, cycles of up to {n(t['batchSize'])}, off the write path | {n(t['indexedPerSecond'])} | | {t.get('cpuMicrosecondsPerEvent', '')} | "
                     f"{n(t['indexed'])} logs in {t['cycles']} cycles |")
    if r.get("storeFloor"):
        s = r["storeFloor"]
        lines.append(f"| 3 | Store floor | the same rows and schema with SQLite's own API: one prepared statement, one transaction per {n(s['batchSize'])} | {n(s['insertedPerSecond'])} | | {s.get('cpuMicrosecondsPerEvent', '')} | "
                     f"{n(s['inserted'])} events into a new file |")
    if r.get("storeFill"):
        f = r["storeFill"]
        first, last = f["segments"][0], f["segments"][-1]
        lines.append(f"| 3 | Store as it fills | SqliteLogStore.WriteBatchAsync, batches of {n(f['batchSize'])}, one writer, {len(f['segments'])} stretches | {n(last['insertedPerSecond'])} | | {last['cpuMicrosecondsPerEvent']} | "
                     f"rows {n(first['rowsBefore'])}-{n(first['rowsAfter'])}: {n(first['insertedPerSecond'])}/s; rows {n(last['rowsBefore'])}-{n(last['rowsAfter'])}: {n(last['insertedPerSecond'])}/s; "
                     f"slowest / fastest stretch {f['slowestOverFastest']:.0%}; {f['fileBytes'] / 2**30:.1f} GiB on disk |")
    if r["persister"]:
        d = r["persister"]
        warm = d.get("warmedUpOn", 0)
        lines.append(f"| 4 | Persister drain | 2 replicas, backlog of {n(d['expected'] - warm)} in Kafka | {n(d['storedPerSecond'])} | | "
                     f"{', '.join(f'{k} {v}' for k, v in d['cpuMicrosecondsPerEvent'].items())} | "
                     f"{n(d['reached'] - warm)} of {n(d['expected'] - warm)} stored in {d['writeSeconds']} s, after {n(warm)} to warm up; "
                     f"cores busy {d.get('coresBusy', '?')} of {m['cores']} |")
    for run in r["endToEnd"]:
        lat, st, fr = run["latencyMs"], run.get("stored") or {}, run.get("freshness") or {}
        frm = fr.get("milliseconds", {})
        lost = st.get("missing", "?")
        lines.append(f"| 5 | End to end at {n(run['targetRate'])}/s | {run['durationSeconds']:.0f} s, ndjson x{run['batchSize']}, 2 persisters | "
                     f"{n(run['acceptedPerSecond'])} | {lat['p50']} / {lat['p99']} / {lat['max']} | "
                     f"{', '.join(f'{k} {v}' for k, v in run['cpuMicrosecondsPerEvent'].items())} | "
                     f"lost {lost} of {n(run['accepted'] + fr.get('accepted', 0))}; refused {n(run['failedEvents'])}; "
                     f"freshness p50 {frm.get('p50', '?')} ms, p99 {frm.get('p99', '?')} ms ({frm.get('count', 0)} probes, {fr.get('notFound', 0)} not found); "
                     f"cores busy {run.get('coresBusy', '?')} of {m['cores']} |")
    ratios = r["ratios"]
    lines += ["",
              f"- Ingest (best batched framing) / producer ceiling: **{ratios['ingestBatchedOverProducerCeiling']:.0%}**"
              if ratios["ingestBatchedOverProducerCeiling"] is not None else "- Ingest / producer ceiling: n/a",
              f"- Persister drain / store ceiling: **{ratios['persisterOverStoreCeiling']:.0%}**"
              if ratios["persisterOverStoreCeiling"] is not None else "- Persister / store ceiling: n/a",
              f"- Store ceiling / store floor (the same rows with SQLite's own API): **{ratios['storeCeilingOverFloor']:.0%}**"
              if ratios.get("storeCeilingOverFloor") is not None else "- Store ceiling / store floor: n/a",
              f"- Store write rate, last stretch of the fill / first: **{ratios['storeFillLastOverFirst']:.0%}**"
              if ratios.get("storeFillLastOverFirst") is not None else "- Store write rate as it fills: n/a",
              ""]
    if r["endToEnd"]:
        lines += ["Resident memory at steady state (median of samples every 5 s during each end-to-end run, MiB):", "",
                  "| Rate | " + " | ".join(r["endToEnd"][0]["memoryMiB"].keys()) + " |",
                  "|---|" + "---:|" * len(r["endToEnd"][0]["memoryMiB"])]
        for run in r["endToEnd"]:
            lines.append(f"| {n(run['targetRate'])}/s | " + " | ".join(str(v) for v in run["memoryMiB"].values()) + " |")
    lines.append(END)
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", help="the results folder bench/run.sh wrote")
    parser.add_argument("--report", help="Markdown file whose bench block is replaced")
    args = parser.parse_args()
    results = collect(args.out)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    table = markdown(results)
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write(table)
    print(table)
    if args.report:
        text = open(args.report).read() if os.path.exists(args.report) else ""
        if BEGIN in text and END in text:
            text = text[:text.index(BEGIN)] + table.rstrip("\n") + text[text.index(END) + len(END):]
        else:
            text = table
        with open(args.report, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
