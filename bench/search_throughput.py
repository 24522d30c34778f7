#!/usr/bin/env python3
"""How fast opsweb searches a transcript, beside `grep -F -c` over the same transcript
already converted to text, measured in the same run.

A synthetic claude_local log (bench/transcript_throughput.py's) of --mb megabytes, with
one EACCES line in its first MB and one at its end, and printed:

  grep          MB of log per second that `grep -F -c EACCES` gets through, over the
                transcript already converted to text (log.txt): conversion not counted
  convert+grep  the same, counting the conversion to text (what grep over log.txt costs
                when the text does not exist yet)
  search        MB/s of opsweb's first search of the log (paging, NDJSON -> entries ->
                text, RE2), in-process: the conversion counted
  kept          MB/s of a search of the same finished run again, from the text its first
                search kept (fleet/search_store.py): ratio kept / grep (goal >= 0.5)
  regex         the same with regex=1, an alternation, and a catastrophic pattern
  first match   on the demo Paperclip over HTTP: the page's first answer (its search
                fragment), when the match lies in the first MB (goal < 300 ms), the JSON
                twin's whole first search (a panel keeping nothing) and a search again
  real          with OPSWEB_REAL_PAPERCLIP_URL set: a process agent's log of --real-mb
                MB searched through the real server, beside grep over its log.txt

    .venv/bin/python bench/search_throughput.py [--mb 50] [--repeat 3]
    OPSWEB_REAL_PAPERCLIP_URL=http://127.0.0.1:3100 .venv/bin/python bench/search_throughput.py
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from opsweb import create_app  # noqa: E402
from opsweb.demo.runner import DemoServer  # noqa: E402
from opsweb.fleet.runlog import RunInfo, RunLogs  # noqa: E402
from opsweb.fleet.search import Query, scan  # noqa: E402
from opsweb.fleet.search_store import SearchStore  # noqa: E402
from opsweb.fleet.search_text import Segment  # noqa: E402
from opsweb.transcript.entry import transcript_text  # noqa: E402
from transcript_throughput import _assistant, build_log, memory_fetch  # noqa: E402

NIGHT_WATCH = "a9e00015-0000-4000-8000-000000000015"  # a demo claude_local agent
NEEDLE = "EACCES"
HX = {"HX-Request": "true"}


def marked(text: str, seq: int) -> bytes:
    event = _assistant([{"type": "text", "text": text}], random.Random(seq))
    return json.dumps({"ts": "2026-11-24T15:00:00.000Z", "stream": "stdout",
                       "chunk": json.dumps(event) + "\n", "seq": seq},
                      separators=(",", ":")).encode() + b"\n"


def claude_log(megabytes: float) -> bytes:
    body = build_log(megabytes)
    cut = body.index(b"\n", 500_000) + 1   # the first match lies in the first MB
    return (body[:cut] + marked(f"open('/srv/billing.py'): {NEEDLE} permission denied", 1)
            + body[cut:] + marked(f"retrying after {NEEDLE} on /srv/billing.py", 2))


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def in_process(data: bytes, repeat: int) -> None:
    info = RunInfo("bench", "succeeded", "agent", "Bench", "claude_local", len(data), None, None)
    logs = RunLogs(None)  # reads() pages through the fetch it is given, here bytes in memory
    mb = len(data) / 1e6

    def convert() -> str:
        return "".join(transcript_text(r.entries) for r in logs.reads(info, memory_fetch(data)))

    def search(query: Query):
        return lambda: scan(map(Segment.of, logs.reads(info, memory_fetch(data))), query, len(data))

    store = SearchStore(10**9)

    def kept(query: Query):
        reads = lambda at: logs.reads(info, memory_fetch(data), at)  # noqa: E731
        return lambda: scan(store.segments("bench", True, len(data), "0", reads), query, len(data))

    t_convert, text = best_of(repeat, convert)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        t_grep, count = best_of(repeat, lambda: subprocess.run(
            ["grep", "-F", "-c", NEEDLE, f.name], capture_output=True, text=True).stdout.strip())
    finally:
        os.unlink(f.name)
    t_text, found = best_of(repeat, search(Query.parse(NEEDLE.lower(), False)))
    assert count == "2" and len(found.matches) == 2, (count, found.matches)
    print(f"log: {mb:.1f} MB of claude_local NDJSON, {len(text) / 1e6:.1f} MB as text;"
          f" {NEEDLE} twice (in the first MB, at the end)")
    print(f"grep -F -c over the text:        {mb / t_grep:8.1f} MB/s  ({t_grep * 1000:.0f} ms)")
    print(f"convert to text + grep:          {mb / (t_convert + t_grep):8.1f} MB/s"
          f"  ({(t_convert + t_grep) * 1000:.0f} ms)")
    print(f"opsweb search (text mode):       {mb / t_text:8.1f} MB/s  ({t_text * 1000:.0f} ms)")
    print(f"ratio search / grep:             {t_grep / t_text:8.2f}")
    print(f"ratio search / (convert + grep): {(t_convert + t_grep) / t_text:8.2f}")
    literal = Query.parse(NEEDLE.lower(), False)
    t_build, _ = best_of(1, kept(literal))
    t_kept, found = best_of(max(repeat, 5), kept(literal))
    assert len(found.matches) == 2
    print(f"first search, keeping its text:  {mb / t_build:8.1f} MB/s  ({t_build * 1000:.0f} ms,"
          f" {store.bytes / 1e6:.1f} MB kept)")
    print(f"search again, from the kept text:{mb / t_kept:8.1f} MB/s  ({t_kept * 1000:.1f} ms)")
    print(f"ratio kept / grep:               {t_grep / t_kept:8.2f}   (goal >= 0.5)")
    for label, pattern in (("regex EACCES|ENOENT", "EACCES|ENOENT"),
                           ("regex (a+)+$ (catastrophic)", "(a+)+$")):
        query = Query.parse(pattern, True)
        t, found = best_of(repeat, search(query))
        t2, _ = best_of(repeat, kept(query))
        print(f"opsweb search, {label + ':':<30}{mb / t:7.1f} MB/s  ({t * 1000:.0f} ms,"
              f" {len(found.matches)} matches{', truncated' if found.truncated else ''});"
              f" kept {mb / t2:.1f} MB/s ({t2 * 1000:.0f} ms)")


class Panel:
    """opsweb over real HTTP in this process."""

    def __init__(self, paperclip_url: str, keep_mb: int = 0):
        self.app = create_app({"OPSWEB_PAPERCLIP_URL": paperclip_url, "OPSWEB_COMPANIES": (),
                               "OPSWEB_SEARCH_STORE_MB": keep_mb})
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.paperclip_url = paperclip_url
        self.http = requests.Session()

    def timed(self, path: str, repeat: int = 5, **kw) -> tuple[float, requests.Response]:
        times, resp = [], None
        for _ in range(repeat):
            started = time.perf_counter()
            resp = self.http.get(self.url + path, timeout=120, **kw)
            times.append(time.perf_counter() - started)
            assert resp.status_code == 200, resp.text[:300]
        return statistics.median(times), resp

    def legs(self, run_id: str, label: str, size: int, query: str = NEEDLE) -> None:
        path = f"/operations/runs/{run_id}/search?q={query}"
        t_first, resp = self.timed(path, headers=HX)
        shown = resp.text.count('class="ow-match"')
        t_all, resp = self.timed(f"/api/operations/runs/{run_id}/search?q={query}", repeat=3)
        found = resp.json()
        print(f"{label}: first answer of the page (its first match) {t_first * 1000:6.0f} ms"
              f" ({shown} match{'es' if shown != 1 else ''}; goal < 300 ms)")
        print(f"{label}: the whole search (JSON twin)              {t_all * 1000:6.0f} ms,"
              f" {size / 1e6 / t_all:.1f} MB/s, {len(found['matches'])} matches,"
              f" {found['scannedBytes']:,} bytes")
        keeping = Panel(self.paperclip_url, keep_mb=1000)
        try:
            keeping.timed(f"/api/operations/runs/{run_id}/search?q={query}", repeat=1)
            t_again, resp = keeping.timed(f"/api/operations/runs/{run_id}/search?q={query}x"
                                          f"|{query}&regex=1")
        finally:
            keeping.stop()
        print(f"{label}: searched again (kept text, another query) {t_again * 1000:6.0f} ms,"
              f" {size / 1e6 / t_again:.1f} MB/s, {len(resp.json()['matches'])} matches")

    def stop(self) -> None:
        self.server.shutdown()


def on_demo(data: bytes) -> None:
    demo = DemoServer(port=0, autoplay=False).start()
    panel = Panel(demo.url)
    try:
        control = f"{demo.url}/__demo"
        run = requests.post(f"{control}/runs", json={"agentId": NIGHT_WATCH, "status": "running"},
                            timeout=30).json()["id"]
        requests.post(f"{control}/runs/{run}/output", data=data, timeout=120,
                      headers={"Content-Type": "application/x-ndjson"})
        requests.post(f"{control}/runs/{run}/finish", json={"status": "succeeded"}, timeout=30)
        panel.legs(run, "demo Paperclip over HTTP", len(data))
    finally:
        panel.stop()
        demo.stop()


def on_real_paperclip(url: str, megabytes: float) -> None:
    from tests.contract.seed import PaperclipClient, wait_status
    api = PaperclipClient(url)
    company = api.create_company(f"Bench Search {secrets.token_hex(3)}")
    lines = int(megabytes * 1e6 / 75)
    script = (f"seq -f 'line %08g of the build, all checks passed ........' 1 {lines // 60};"
              f" echo 'open /srv/billing.py: {NEEDLE} (first)';"
              f" seq -f 'line %08g of the build, all checks passed ........' 1 {lines};"
              f" echo 'open /srv/billing.py: {NEEDLE} (last)'; sleep 900")
    agent = api.create_process_agent(company["id"], "Search Bench", script)
    run = api.wake(agent["id"], "bench", idempotency_key=f"bench-{secrets.token_hex(4)}")["id"]
    panel = Panel(url)
    try:
        wait_status(api, run, {"running"}, 60)
        deadline = time.monotonic() + 180
        while f"{NEEDLE} (last)" not in api.log_text(run)[-4096:]:
            if time.monotonic() > deadline:
                raise SystemExit(f"run {run} did not print its log in 180 s")
            time.sleep(0.5)
        # finished, as the runs searched most are (a live run's text is never kept)
        api.post(f"/heartbeat-runs/{run}/cancel")
        wait_status(api, run, {"cancelled"}, 60)
        size = panel.http.get(f"{panel.url}/api/operations/runs/{run}/search?q=x",
                              timeout=120).json()["totalBytes"]
        panel.legs(run, f"real Paperclip ({size / 1e6:.1f} MB)", size)
        with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
            started = time.perf_counter()
            with panel.http.get(f"{panel.url}/api/operations/runs/{run}/log.txt", stream=True,
                                timeout=600) as resp:
                for piece in resp.iter_content(1 << 20):
                    f.write(piece)
            t_download = time.perf_counter() - started
        try:
            t_grep, _ = best_of(3, lambda: subprocess.run(["grep", "-F", "-c", NEEDLE, f.name],
                                                          capture_output=True))
        finally:
            os.unlink(f.name)
        print(f"real Paperclip: log.txt through opsweb {t_download * 1000:.0f} ms, then grep -F -c"
              f" {t_grep * 1000:.0f} ms ({size / 1e6 / (t_download + t_grep):.1f} MB/s together)")
    finally:
        api.post(f"/heartbeat-runs/{run}/cancel")
        panel.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--real-mb", type=float, default=20)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    data = claude_log(args.mb)
    in_process(data, args.repeat)
    on_demo(data)
    real = os.environ.get("OPSWEB_REAL_PAPERCLIP_URL")
    if real:
        on_real_paperclip(real.rstrip("/"), args.real_mb)
    else:
        print("real Paperclip: not measured (set OPSWEB_REAL_PAPERCLIP_URL)")


if __name__ == "__main__":
    main()
