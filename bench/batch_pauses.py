#!/usr/bin/env python3
"""200 pauses as one batch against a stand-in Paperclip (tests/hostile_upstream.py)
that takes 150 ms per pause: how long the batch takes (4 calls at a time) beside the
same calls made straight through the port, 4 at a time, with nothing around them (the
floor on this machine), and the panel's p99 while the batch runs beside the p99 of the
same reads without a batch. Both baselines are measured in the same run.

    .venv/bin/python bench/batch_pauses.py
    .venv/bin/python bench/batch_pauses.py --agents 200 --delay 0.15 --reads 200
"""
from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from conftest import serve_panel  # noqa: E402
from hostile_upstream import COMPANY, HostileUpstream, live_run  # noqa: E402

from opsweb import platform_port as port  # noqa: E402

# figures only: no werkzeug access line per panel read
logging.getLogger("werkzeug").setLevel(logging.WARNING)


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def panel_reads(url: str, until, least: int, pause: float) -> list[float]:
    """The panel fragment as browsers poll it: `pause` s between reads (a browser
    polls every 4 s: 0.1 s is forty viewers)."""
    took, http = [], requests.Session()
    while until() or len(took) < least:
        started = time.monotonic()
        resp = http.get(url + "/operations/agents", headers={"HX-Request": "true"}, timeout=30)
        took.append(time.monotonic() - started)
        assert resp.status_code == 200, resp.status_code
        time.sleep(pause)
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.15, help="seconds per pause")
    ap.add_argument("--reads", type=int, default=100, help="panel reads without a batch")
    ap.add_argument("--pause", type=float, default=0.1, help="seconds between panel reads")
    args = ap.parse_args()
    upstream = HostileUpstream()
    upstream.live_runs[COMPANY] = [live_run(n) for n in range(1, 41)]
    upstream.on("POST", r"/api/agents/[^/]+/pause", delay=args.delay,
                body={"companyId": COMPANY, "status": "paused"})
    pauses = r"/api/agents/[^/]+/pause"
    ids = [str(uuid.uuid4()) for _ in range(args.agents)]
    upstream.agents[COMPANY] = [{"id": a, "companyId": COMPANY, "name": f"Agent {n}",
                                 "status": "idle"} for n, a in enumerate(ids)]
    panel, served = serve_panel(upstream.url)
    try:
        panel_reads(panel.url, lambda: False, 20, 0)  # warm: templates, connections
        bare = port.connect(upstream.url, None, 3.0, 15.0)
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda a: port.pc_pause_agent(bare, a), ids))
        floor = time.monotonic() - started
        quiet = panel_reads(panel.url, lambda: False, args.reads, args.pause)
        started = time.monotonic()
        batch = panel.post_json("/api/operations/batches", {
            "action": "pause", "agentIds": ids, "reason": "bench"}).json()
        state = {"status": "running"}

        def watch():
            while state["status"] == "running":
                state.update(panel.get(f"/api/operations/batches/{batch['id']}").json())
                time.sleep(0.25)
            state["took"] = time.monotonic() - started
        watcher = threading.Thread(target=watch)
        watcher.start()
        busy = panel_reads(panel.url, lambda: state["status"] == "running", 1, args.pause)
        watcher.join()
        print(f"{args.agents} pauses at {args.delay * 1000:.0f} ms each: batch {state['status']}"
              f" in {state['took']:.2f} s (done {state['done']}, failed {state['failed']},"
              f" unknown {state['unknown']}; at most {upstream.most_at_once('POST', pauses)} pauses at once;"
              f" serial would take {args.agents * args.delay:.1f} s)")
        print(f"the same calls straight through the port, 4 at a time: {floor:.2f} s;"
              f" batch / floor: {state['took'] / floor:.2f}")
        print(f"panel p99 without a batch {p99(quiet) * 1000:.1f} ms ({len(quiet)} reads),"
              f" during the batch {p99(busy) * 1000:.1f} ms ({len(busy)} reads):"
              f" ratio {p99(busy) / p99(quiet):.2f}")
    finally:
        served.stop()
        upstream.stop()


if __name__ == "__main__":
    main()
