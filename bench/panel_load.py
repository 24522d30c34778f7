#!/usr/bin/env python3
"""Many viewers, little upstream load: K simulated viewers poll the agents fragment
every 4 s, and the attention and recent-runs fragments every 16 s (as the page does:
every 15 s), against opsweb's production server (waitress, a subprocess), backed by
the demo Paperclip with added upstream latency and two companies.

Prints, for each K: p50/p99 latency of each fragment, upstream calls per minute per
company for each Paperclip route (live-runs; agents and heartbeat-runs for the history
fragments), opsweb's peak RSS and the error count — beside a naive baseline measured in
the same run (each poll makes sequential per-company upstream calls, no coalescing:
what a panel without opsweb's care costs).

    .venv/bin/python bench/panel_load.py            # K = 1, 10, 100 for 60 s each
    .venv/bin/python bench/panel_load.py --seconds 20 --viewers 1 10
"""
from __future__ import annotations

import argparse
import html
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from opsweb.demo.runner import DemoServer  # noqa: E402

POLL_SECONDS = 4.0
HISTORY_EVERY = 4  # the attention and recent fragments: every 4th poll (16 s)
ROUTES = ("live-runs", "agents", "heartbeat-runs")  # Paperclip routes, per company


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def start_opsweb(paperclip_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "opsweb.cli", "serve", "--paperclip-url", paperclip_url,
         "--port", str(port), "--threads", "32"],
        stdout=subprocess.DEVNULL, stderr=open(os.environ.get("OPSWEB_BENCH_LOG", os.devnull), "w"),
        env={**os.environ, "OPSWEB_COMPANIES": ""})
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/api/operations/agents", timeout=2)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("opsweb did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_viewers(k: int, seconds: float, poll) -> tuple[dict[str, list[float]], Counter]:
    """k viewers, each polling every 4 s (staggered like real page loads). `poll(session,
    state, tick)` yields (fragment, problem) after each request it makes."""
    latencies: dict[str, list[float]] = {}
    errors: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def viewer(index: int) -> None:
        session = requests.Session()
        state: dict = {}
        time.sleep(POLL_SECONDS * index / k)
        tick = 0
        while time.monotonic() < deadline:
            started = last = time.monotonic()
            try:
                for fragment, problem in poll(session, state, tick):
                    now = time.monotonic()
                    with lock:
                        latencies.setdefault(fragment, []).append(now - last)
                        if problem:
                            errors[problem] += 1
                    last = now
            except requests.RequestException as err:
                with lock:
                    errors[type(err).__name__] += 1
            tick += 1
            time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))

    threads = [threading.Thread(target=viewer, args=(i,)) for i in range(k)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def opsweb_poll(url: str):
    def poll(session: requests.Session, state: dict, tick: int):
        headers = {"HX-Request": "true", **state.get("headers", {})}
        resp = session.get(url + "/operations/agents", headers=headers, timeout=10)
        if resp.status_code == 200:  # like htmx: keep the version the panel now shows
            marker = 'hx-headers=\''
            start = resp.text.find(marker)
            if start >= 0:
                raw = resp.text[start + len(marker):resp.text.find("'", start + len(marker))]
                state["headers"] = json.loads(html.unescape(raw))
        yield "agents", None if resp.status_code in (200, 204) else f"HTTP {resp.status_code}"
        if tick % HISTORY_EVERY == 0:
            for fragment in ("attention", "recent"):
                resp = session.get(f"{url}/operations/{fragment}",
                                   headers={"HX-Request": "true"}, timeout=10)
                yield fragment, None if resp.status_code == 200 else f"HTTP {resp.status_code}"
    return poll


def naive_poll(paperclip_url: str, companies: list[str]):
    """Per viewer: live-runs per company every poll; agents and heartbeat-runs per
    company for the history fragments, as often as opsweb's viewers ask for them."""
    def poll(session: requests.Session, state: dict, tick: int):
        problem = None
        for cid in companies:
            status = session.get(f"{paperclip_url}/api/companies/{cid}/live-runs",
                                 timeout=10).status_code
            problem = problem or (None if status == 200 else f"HTTP {status}")
        yield "agents", problem
        if tick % HISTORY_EVERY == 0:
            problem = None
            for cid in companies:
                for path in ("agents", "heartbeat-runs?limit=100"):
                    status = session.get(f"{paperclip_url}/api/companies/{cid}/{path}",
                                         timeout=10).status_code
                    problem = problem or (None if status == 200 else f"HTTP {status}")
            yield "attention+recent", problem
    return poll


def upstream_calls(demo_url: str) -> dict[str, int]:
    return requests.get(demo_url + "/__demo/calls", timeout=5).json()["counts"]


def measure(label: str, k: int, seconds: float, poll, demo_url: str, companies: list[str],
            pid: int | None) -> None:
    requests.post(demo_url + "/__demo/reset", json={}, timeout=5)
    requests.post(demo_url + "/__demo/latency", json={"ms": LATENCY_MS}, timeout=5)
    for _ in poll(requests.Session(), {}, 0):  # warm up: names, titles, history cached
        pass
    requests.post(demo_url + "/__demo/reset", json={}, timeout=5)
    requests.post(demo_url + "/__demo/latency", json={"ms": LATENCY_MS}, timeout=5)
    latencies, errors = run_viewers(k, seconds, poll)
    calls = upstream_calls(demo_url)
    per_min = {route: max(calls.get(f"{route}:{c}", 0) for c in companies) * 60 / seconds
               for route in ROUTES}
    rss = f"{peak_rss_mb(pid):6.1f}" if pid else "     —"
    timing = "  ".join(f"{name} p50={percentile(v, 50) * 1000:6.1f} p99={percentile(v, 99) * 1000:6.1f} ms"
                       for name, v in latencies.items())
    upstream = " ".join(f"{route}={n:6.1f}" for route, n in per_min.items())
    print(f"{label:<7} K={k:<4} requests={sum(map(len, latencies.values())):<5} {timing}"
          f"  upstream calls/min/company: {upstream}  peak RSS={rss} MB"
          f"  errors={sum(errors.values())}{' ' + str(dict(errors)) if errors else ''}",
          flush=True)


LATENCY_MS = 150


def main() -> None:
    global LATENCY_MS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=int, default=150)
    args = parser.parse_args()
    LATENCY_MS = args.latency_ms

    with DemoServer(port=0, autoplay=True) as demo:
        companies = [c["id"] for c in requests.get(demo.url + "/api/companies", timeout=5).json()]
        print(f"demo Paperclip {demo.url}, {len(companies)} companies, upstream latency"
              f" {LATENCY_MS} ms per call, each viewer polls every {POLL_SECONDS:g} s"
              f" for {args.seconds:g} s")
        proc, url = start_opsweb(demo.url)
        try:
            for k in args.viewers:
                measure("opsweb", k, args.seconds, opsweb_poll(url), demo.url, companies, proc.pid)
                measure("naive", k, args.seconds, naive_poll(demo.url, companies), demo.url,
                        companies, None)
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"goals: opsweb agents p99 <= slowest upstream call + 50 ms ({LATENCY_MS + 50} ms) at"
          " K=100; <= 60 live-runs calls/min/company at any K (naive: 15 x K); agents and"
          " heartbeat-runs bounded by the 15 s history window (~4/min/company) whatever K"
          " (naive: 3.75 x K); peak RSS < 80 MB; 0 errors")


if __name__ == "__main__":
    main()
