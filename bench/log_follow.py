#!/usr/bin/env python3
"""An open log dialog on a huge log: what the first paint costs, and what each
refresh moves while the log grows.

A claude_local run on the demo Paperclip gets a synthetic log of --mb megabytes
(default 50); opsweb serves the dialog over real HTTP. Printed:
  * first paint: server time for the dialog fragment (median of 5), bytes fetched
    from Paperclip and bytes sent to the browser;
  * follow: for --refreshes refreshes, each after ~2 KB of new output, the bytes
    fetched from Paperclip and sent to the browser per refresh — beside the log size.

    .venv/bin/python bench/log_follow.py [--mb 50] [--refreshes 20]
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import threading
import time
from pathlib import Path

import requests
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from opsweb import create_app  # noqa: E402
from opsweb.demo.runner import DemoServer  # noqa: E402

NIGHT_WATCH = "a9e00015-0000-4000-8000-000000000015"  # a claude_local agent


class CountLogBytes:
    """WSGI middleware on the demo Paperclip: bytes of /log answers sent to opsweb."""

    def __init__(self, app):
        self.app, self.sent = app, 0

    def __call__(self, environ, start_response):
        body = self.app(environ, start_response)
        if environ["PATH_INFO"].endswith("/log"):
            return self._count(body)
        return body

    def _count(self, body):
        for chunk in body:
            self.sent += len(chunk)
            yield chunk


def claude_chunk(i: int) -> str:
    text = f"Step {i}: reading the next file and checking the tests. " * 8
    line = {"type": "assistant", "message": {"content": [
        {"type": "text", "text": text},
        {"type": "tool_use", "id": f"toolu_{i}", "name": "Bash",
         "input": {"command": f"pytest -q tests/test_{i}.py"}}]}}
    result = {"type": "user", "message": {"content": [
        {"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": "." * 600}]}}
    return json.dumps(line) + "\n" + json.dumps(result) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--refreshes", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per refresh

    demo = DemoServer(port=0, autoplay=False)
    counter = demo.app = CountLogBytes(demo.app)
    demo.start()
    control = demo.url + "/__demo"
    run = requests.post(control + "/runs", json={"agentId": NIGHT_WATCH, "status": "running"},
                        timeout=10).json()["id"]
    requests.post(f"{control}/runs/{run}/output",
                  json={"ndjson_bytes": int(args.mb * 1_000_000)}, timeout=120)
    size = requests.get(f"{demo.url}/api/heartbeat-runs/{run}", timeout=10).json()["lastOutputBytes"]

    app = create_app({"OPSWEB_PAPERCLIP_URL": demo.url, "OPSWEB_COMPANIES": ()})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    panel = f"http://127.0.0.1:{server.server_port}"
    http = requests.Session()
    dialog_url = f"{panel}/operations/runs/{run}/log"

    times, fetched, sent = [], [], []
    for _ in range(5):
        counter.sent = 0
        started = time.perf_counter()
        resp = http.get(dialog_url, headers={"HX-Request": "true"}, timeout=30)
        times.append(time.perf_counter() - started)
        fetched.append(counter.sent)
        sent.append(len(resp.content))
    print(f"log size {size / 1e6:.1f} MB ({args.mb:g} MB synthetic claude_local)")
    print(f"first paint: server time median {statistics.median(times) * 1000:.1f} ms"
          f" (min {min(times) * 1000:.1f}), fetched from Paperclip {fetched[0] / 1024:.0f} KiB,"
          f" sent to browser {sent[0] / 1024:.0f} KiB  [goal < 150 ms]")

    follow = BeautifulSoup(resp.text, "html.parser").select_one("#ow-log-follow")["hx-get"]
    per_fetch, per_sent, appended = [], [], []
    for i in range(args.refreshes):
        chunk = claude_chunk(i)
        requests.post(f"{control}/runs/{run}/output", json={"stream": "stdout", "chunk": chunk},
                      timeout=10)
        appended.append(len(json.dumps({"chunk": chunk}).encode()))
        counter.sent = 0
        resp = http.get(panel + follow, headers={"HX-Request": "true"}, timeout=30)
        per_fetch.append(counter.sent)
        per_sent.append(len(resp.content))
        follow = BeautifulSoup(resp.text, "html.parser").select_one("#ow-log-follow")["hx-get"]
    print(f"follow, {args.refreshes} refreshes of ~{statistics.mean(appended) / 1024:.1f} KiB new"
          f" log each: fetched from Paperclip mean {statistics.mean(per_fetch) / 1024:.1f} KiB"
          f" (max {max(per_fetch) / 1024:.1f}), sent to browser mean"
          f" {statistics.mean(per_sent) / 1024:.1f} KiB (max {max(per_sent) / 1024:.1f})"
          f" — {statistics.mean(per_fetch) / size * 100:.4f}% of the log per refresh")
    server.shutdown()
    demo.stop()


if __name__ == "__main__":
    main()
