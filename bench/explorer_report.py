#!/usr/bin/env python3
"""Turns the explorer benchmark's explorer.json (bench/run.sh step 7) into a Markdown table.

With --report FILE, the table replaces the block between the explorer-bench markers in FILE (appended
when it has none), so the rest of the file survives a rerun.
"""
import json
import os

from report_block import report_main

BEGIN, END = "<!-- explorer-bench:begin -->", "<!-- explorer-bench:end -->"

# From the issue: first results visible within 1 s on a store of 1,000,000 logs.
GOAL_MS = 1000


def load(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def cell(text):
    """Table cells may hold any link: a | would end the cell."""
    return str(text).replace("|", "\\|")


def markdown(out):
    e = load(os.path.join(out, "explorer.json"))
    machine = load(os.path.join(out, "machine.json"), {})
    load_avg = load(os.path.join(out, "explorer-load.json"), {})
    events = load_avg.get("events")
    lines = [
        f"Run on {machine.get('date', '?')}: {machine.get('cores', '?')} cores ({machine.get('cpu', '?')}), "
        f"{machine.get('memoryGiB', '?')} GiB; load average {load_avg.get('loadAverageAtStart', '?')} at the start of this step and "
        f"{load_avg.get('loadAverageAtEnd', '?')} at its end. A store of {f'{events:,}' if events else '?'} generated logs (SQLite) behind "
        f"the stats service; each link opened {e['repeat']} times after two warm-up loads in chromium (a full page load and a new "
        f"circuit each time, signed in), and its first page of {e['pageSize']} logs fetched as many times from the search API.",
        "",
        "| Link | What | First rows p50 / p95 (ms) | Histogram p50 / p95 (ms) | Search API p50 / p95 (ms) | Explorer / API (p50) | Goal | Met |",
        "|---|---|---|---|---|---:|---:|:--:|",
    ]
    for c in e["cases"]:
        met = c["firstRows"]["p95"] <= GOAL_MS
        lines.append(
            f"| `{cell(c['link'])}` | {cell(c['what'])} | {c['firstRows']['p50']:,.0f} / {c['firstRows']['p95']:,.0f} | "
            f"{c['histogram']['p50']:,.0f} / {c['histogram']['p95']:,.0f} | {c['floor']['p50']:,.1f} / {c['floor']['p95']:,.1f} | "
            f"{c['ratioP50']:.1f}x (+{c['overheadP50']:,.0f} ms) | {GOAL_MS:,} | {'yes' if met else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    report_main(markdown, "explorer-report.md", BEGIN, END)
