#!/usr/bin/env python3
"""Slow issue lookups against many runs: a stand-in Paperclip (tests/hostile_upstream.py)
lists N running runs, each on its own issue, and answers every `/api/issues/:id` after
D seconds. Prints how long the agents twin takes for its first reads, and how many
issue lookups were made meanwhile (opsweb caps them; titles arrive with later polls).

    .venv/bin/python bench/slow_lookups.py                 # 3,000 runs, 10 s lookups
    .venv/bin/python bench/slow_lookups.py --runs 300 --delay 2
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from conftest import serve_panel  # noqa: E402
from hostile_upstream import COMPANY, HostileUpstream, issue_id, live_run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3000)
    ap.add_argument("--delay", type=float, default=10.0, help="seconds per issue lookup")
    ap.add_argument("--reads", type=int, default=10)
    args = ap.parse_args()
    upstream = HostileUpstream()
    upstream.live_runs[COMPANY] = [live_run(n, issueId=issue_id(n))
                                   for n in range(1, args.runs + 1)]
    upstream.on("GET", r"/api/issues/.*", body={"identifier": "OPS-1", "title": "Slow"},
                delay=args.delay)
    panel, served = serve_panel(upstream.url, OPSWEB_TIMEOUT=3.0)
    try:
        took = []
        for _ in range(args.reads):
            started = time.monotonic()
            body = requests.get(panel.url + "/api/operations/agents", timeout=120).json()
            took.append(time.monotonic() - started)
            assert len(body["runs"]) == args.runs and not body["errors"], body["errors"]
        print(f"{args.runs} runs, issue lookups taking {args.delay:g} s:"
              f" first read {took[0] * 1000:.0f} ms, median of {args.reads}"
              f" {statistics.median(took) * 1000:.0f} ms, max {max(took) * 1000:.0f} ms;"
              f" issue lookups started: {upstream.count('GET', r'/api/issues/.*')}")
    finally:
        served.stop()
        upstream.stop()


if __name__ == "__main__":
    main()
