#!/usr/bin/env python3
"""An open log dialog: what the first paint costs and what each refresh moves, on the
demo Paperclip and, when OPSWEB_REAL_PAPERCLIP_URL is set, on the real one — and what
whole-log downloads leave in memory.

Two runs on each Paperclip:
  * burst-then-quiet: --mb megabytes printed at once, then nothing (Paperclip's
    lastOutputBytes stays at its first flush: the case issue 16 is about);
  * steady: the same log, then --refreshes refreshes each after ~2 KB of new output
    (on the demo: a Claude step per refresh; on the real server: a process agent
    printing a line every 0.2 s).
Printed per run: first paint (server time for the dialog fragment, median of 5), bytes
and requests to Paperclip (measured on the reader), bytes to the browser; then per
refresh. Last, the RSS of this process before and after --downloads downloads of the
whole log as .ndjson and .txt (issue 10, item 13).

    .venv/bin/python bench/log_follow.py [--mb 50] [--refreshes 20] [--downloads 10]
    OPSWEB_REAL_PAPERCLIP_URL=http://127.0.0.1:3100 .venv/bin/python bench/log_follow.py --mb 20
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from opsweb import create_app  # noqa: E402
from opsweb.demo.runner import DemoServer  # noqa: E402

NIGHT_WATCH = "a9e00015-0000-4000-8000-000000000015"  # a demo claude_local agent
HX = {"HX-Request": "true"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def downloads(paperclip_url: str, run_id: str, count: int) -> None:
    """RSS of `opsweb serve` (waitress, as in production; a process of its own, so that
    nothing else in it counts) around `count` downloads of the whole log."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as instance:
        server = subprocess.Popen(
            [sys.executable, "-m", "opsweb.cli", "serve", "--port", str(port),
             "--paperclip-url", paperclip_url], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=dict(os.environ, OPSWEB_INSTANCE_DIR=instance))
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    requests.get(f"{url}/operations", timeout=2)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            for suffix in ("log.ndjson", "log.txt"):
                before, sizes, after = rss_mb(server.pid), [], []
                for _ in range(count):
                    with requests.get(f"{url}/api/operations/runs/{run_id}/{suffix}", stream=True,
                                      timeout=600) as resp:
                        sizes.append(sum(len(p) for p in resp.iter_content(1 << 20)))
                    after.append(rss_mb(server.pid))
                print(f"  {suffix:<17} {count} downloads of {sizes[0] / 1e6:.1f} MB (opsweb serve):"
                      f" RSS {before:.0f} MB before, after each "
                      + " ".join(f"{r:.0f}" for r in after) + " MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


def claude_chunk(i: int) -> str:
    text = f"Step {i}: reading the next file and checking the tests. " * 8
    line = {"type": "assistant", "message": {"content": [
        {"type": "text", "text": text},
        {"type": "tool_use", "id": f"toolu_{i}", "name": "Bash",
         "input": {"command": f"pytest -q tests/test_{i}.py"}}]}}
    result = {"type": "user", "message": {"content": [
        {"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": "." * 600}]}}
    return json.dumps(line) + "\n" + json.dumps(result) + "\n"


class Panel:
    """opsweb over real HTTP in this process, plus its reader, to count upstream cost."""

    def __init__(self, paperclip_url: str):
        self.app = create_app({"OPSWEB_PAPERCLIP_URL": paperclip_url, "OPSWEB_COMPANIES": ()})
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.http = requests.Session()
        self.logs = self.app.extensions["opsweb"].logs

    def upstream(self, run_id: str, cursor: str | None = None) -> tuple[int, int]:
        """(bytes, requests) the reader asks of Paperclip for this read."""
        part = self.logs.transcript(self.logs.info(run_id), cursor=cursor)
        return part.bytes_fetched, part.calls

    def first_paint(self, run_id: str, label: str) -> str:
        times, sent = [], []
        for _ in range(5):
            started = time.perf_counter()
            resp = self.http.get(f"{self.url}/operations/runs/{run_id}/log", headers=HX, timeout=60)
            times.append(time.perf_counter() - started)
            sent.append(len(resp.content))
        page = BeautifulSoup(resp.text, "html.parser")
        last = page.select(".ow-entry")[-1].get_text(" ", strip=True)[:40] if page.select(".ow-entry") else "-"
        fetched, calls = self.upstream(run_id)
        print(f"  {label:<17} first paint {statistics.median(times) * 1000:7.1f} ms"
              f" | Paperclip {fetched / 1024:7.0f} KiB in {calls:2d} requests"
              f" | browser {sent[0] / 1024:6.0f} KiB | last entry {last!r}")
        return page.select_one("#ow-log-follow")["hx-get"]

    def follow(self, follow: str, run_id: str, refreshes: int, between, label: str = "following") -> str:
        fetched, sent, jumps = [], [], 0
        for i in range(refreshes):
            between(i)
            cursor = follow.split("cursor=")[1]
            fetched.append(self.upstream(run_id, cursor)[0])
            resp = self.http.get(self.url + follow, headers=HX, timeout=60)
            sent.append(len(resp.content))
            page = BeautifulSoup(resp.text, "html.parser")
            jumps += bool(page.select_one(".ow-gap"))
            follow = page.select_one("#ow-log-follow")["hx-get"]
        print(f"  {label:<17} {refreshes} refreshes: Paperclip mean {statistics.mean(fetched) / 1024:.1f}"
              f" KiB (max {max(fetched) / 1024:.1f}), browser mean {statistics.mean(sent) / 1024:.1f} KiB"
              f" (max {max(sent) / 1024:.1f}), {jumps} jumps")
        return follow

    def stop(self) -> None:
        self.server.shutdown()


def on_demo(args) -> None:
    demo = DemoServer(port=0, autoplay=False).start()
    control = demo.url + "/__demo"
    panel = Panel(demo.url)

    def new_run() -> str:
        run = requests.post(control + "/runs", json={"agentId": NIGHT_WATCH, "status": "running"},
                            timeout=10).json()["id"]
        say(run, claude_chunk(0))  # the first output: the hint is flushed here, then lags
        requests.post(f"{control}/runs/{run}/output", json={"ndjson_bytes": int(args.mb * 1e6)},
                      timeout=300)
        return run

    def say(run: str, chunk: str) -> None:
        requests.post(f"{control}/runs/{run}/output", json={"stream": "stdout", "chunk": chunk},
                      timeout=10)

    print(f"demo Paperclip, {args.mb:g} MB claude_local logs (lastOutputBytes lags as in Paperclip):")
    quiet = new_run()
    panel.first_paint(quiet, "burst-then-quiet")
    steady = new_run()
    follow = panel.first_paint(steady, "steady")
    follow = panel.follow(follow, steady, args.refreshes, lambda i: say(steady, claude_chunk(i + 1)))

    def second_burst(i: int) -> None:
        requests.post(f"{control}/runs/{steady}/output", json={"ndjson_bytes": int(args.mb * 1e6)},
                      timeout=300)
    panel.follow(follow, steady, 1, second_burst, "a 2nd burst")
    if args.downloads:
        downloads(demo.url, quiet, args.downloads)
    panel.stop()
    demo.stop()


def on_real_paperclip(url: str, args) -> None:
    from tests.contract.seed import PaperclipClient, wait_status
    api = PaperclipClient(url)
    company = api.create_company(f"Bench {secrets.token_hex(3)}")
    lines = int(args.mb * 1e6 / 80)
    burst = (f"seq -f 'burst line %08g <b>padding</b> ....................................' 1 {lines};"
             " echo 'LAST LINE OF THE BURST'")
    made = []

    def start(name: str, script: str) -> str:
        agent = api.create_process_agent(company["id"], name, script)
        run = api.wake(agent["id"], "bench", idempotency_key=f"bench-{secrets.token_hex(4)}")
        made.append(run["id"])
        wait_status(api, run["id"], {"running"}, 60)
        deadline = time.monotonic() + 120
        while "LAST LINE OF THE BURST" not in api.log_text(run["id"])[-65536:]:
            if time.monotonic() > deadline:
                raise SystemExit(f"run {run['id']} did not print its burst in 120 s")
            time.sleep(0.5)
        return run["id"]

    panel = Panel(url)
    try:
        quiet = start("Burst Bot", burst + "; sleep 900")
        row = api.run(quiet)
        print(f"real Paperclip {url}: burst of {args.mb:g} MB, lastOutputBytes {row['lastOutputBytes']}"
              f" (logBytes {row['logBytes']}):")
        panel.first_paint(quiet, "burst-then-quiet")
        steady = start("Steady Bot", burst + "; for i in $(seq 1 9000); do echo \"step $i"
                       " reading the next file and checking the tests\"; sleep 0.2; done")
        follow = panel.first_paint(steady, "steady")
        panel.follow(follow, steady, args.refreshes, lambda i: time.sleep(2))
        if args.downloads:
            downloads(url, quiet, max(1, args.downloads // 2))
    finally:
        for run_id in made:
            api.post(f"/heartbeat-runs/{run_id}/cancel")
        panel.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--refreshes", type=int, default=20)
    parser.add_argument("--downloads", type=int, default=10)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per refresh
    on_demo(args)
    real = os.environ.get("OPSWEB_REAL_PAPERCLIP_URL")
    if real:
        on_real_paperclip(real.rstrip("/"), args)
    else:
        print("real Paperclip: not measured (set OPSWEB_REAL_PAPERCLIP_URL)")


if __name__ == "__main__":
    main()
