#!/usr/bin/env python3
"""What the rules loop costs Paperclip: the demo Paperclip counts every call while
opsweb runs for a while, first without rules, then with demo/rules.toml evaluated
every INTERVAL seconds. Twice: nobody watching, then a panel polling its agents,
attention and recent fragments as a browser does. Prints the upstream reads per
company per interval of each kind, and the ratio rules-on / rules-off with viewers
(1.0: the rules read only what the panel reads anyway).

    .venv/bin/python bench/rules_reads.py                 # 20 s per case, rules every 1 s
    .venv/bin/python bench/rules_reads.py --seconds 60 --interval 5
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from conftest import serve_panel  # noqa: E402
from opsweb.cli import DEMO_RULES  # noqa: E402
from opsweb.demo.runner import DemoServer  # noqa: E402

KINDS = ("live-runs", "agents", "heartbeat-runs")


def _kind(key: str) -> str | None:
    return next((k for k in KINDS if key.startswith(k + ":")), None)


def case(rules: bool, viewers: bool, seconds: float, interval: float, tmp: Path) -> Counter:
    demo = DemoServer(port=0).start()
    extra = {"OPSWEB_RULES": DEMO_RULES, "OPSWEB_RULES_INTERVAL": interval} if rules else {}
    panel, served = serve_panel(demo.url, OPSWEB_AUDIT_URL=f"sqlite:///{tmp}/{rules}{viewers}.db",
                                **extra)
    stop = threading.Event()

    def browse():  # what an open page polls: agents every 4 s, the others every 15 s
        n = 0
        while not stop.wait(0 if n == 0 else 1):
            if n % 4 == 0:
                requests.get(panel.url + "/api/operations/agents", timeout=10)
            if n % 15 == 0:
                requests.get(panel.url + "/api/operations/attention", timeout=10)
                requests.get(panel.url + "/api/operations/recent", timeout=10)
            n += 1
    try:
        requests.post(demo.url + "/__demo/reset", json={}, timeout=5)
        browser = threading.Thread(target=browse, daemon=True) if viewers else None
        if browser:
            browser.start()
        time.sleep(seconds)
        stop.set()
        counts = requests.get(demo.url + "/__demo/calls", timeout=5).json()["counts"]
    finally:
        watch = panel.app.extensions["opsweb"].watch
        if watch is not None:
            watch.stop()
        served.stop()
        demo.stop()
    reads = Counter()
    for key, n in counts.items():
        if _kind(key):
            reads[_kind(key)] += n
    return reads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=1.0)
    args = ap.parse_args()
    import tempfile
    tmp = Path(tempfile.mkdtemp(prefix="opsweb-bench-rules-"))
    companies, intervals = 2, args.seconds / args.interval
    results = {}
    for viewers in (False, True):
        for rules in (False, True):
            results[rules, viewers] = case(rules, viewers, args.seconds, args.interval, tmp)
    for (rules, viewers), reads in results.items():
        per = ", ".join(f"{k} {reads[k] / companies / intervals:.2f}" for k in KINDS)
        print(f"rules {'on ' if rules else 'off'} viewers {'yes' if viewers else 'no '}:"
              f" reads per company per {args.interval:g} s interval: {per}")
    on, off = results[True, True], results[False, True]
    ratio = ", ".join(f"{k} {on[k] / max(off[k], 1):.2f}" for k in KINDS)
    print(f"with viewers, rules on / rules off: {ratio}")


if __name__ == "__main__":
    main()
