"""Bytes on the wire and big fleets (issue 15), in one run:

1. first load over the wire (page + static files), uncompressed and as a browser gets
   it (brotli), beside Paperclip's own UI first load (8.76 MB on 2026.916.1), and the
   average size of a row;
2. bytes per refresh per viewer when 0 / 1 / 20 of 200 rows changed, beside the whole
   fragment (what every refresh cost before);
3. server time for the panel fragment and the JSON twin at 10 / 100 / 1,000 / 2,000
   live runs (upstream answers coalesced, so this is opsweb's own rendering).

Against the demo Paperclip over real HTTP; with OPSWEB_REAL_PAPERCLIP_URL set, 1 and
2 (unchanged panel) are printed for the real server too.

    .venv/bin/python bench/fleet_bytes.py
"""
from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from conftest import Waitress  # noqa: E402  (the tests' waitress, as serve runs it)

from opsweb import create_app  # noqa: E402
from opsweb.demo.runner import DemoServer  # noqa: E402

PAPERCLIP_UI_FIRST_LOAD = 8.76e6
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
PLAIN = {"Accept-Encoding": "identity"}
# as htmx asks: the panel fragment (opened without htmx, /operations/agents is the page)
FRAGMENT = {**PLAIN, "HX-Request": "true"}


def serve(paperclip_url: str, **config) -> tuple[str, Waitress]:
    """The production server with `opsweb serve`'s settings: no access line per request,
    so the bench prints its figures only."""
    served = Waitress(create_app({"OPSWEB_PAPERCLIP_URL": paperclip_url, "OPSWEB_COMPANIES": (),
                                  "OPSWEB_PAPERCLIP_TOKEN": os.environ.get("OPSWEB_PAPERCLIP_TOKEN"),
                                  "OPSWEB_TIMEOUT": 10.0, **config}))
    return served.url, served


def wire(url: str, headers: dict) -> int:
    """Bytes of the body as sent (undecoded)."""
    resp = requests.get(url, headers=headers, stream=True, timeout=60)
    return len(resp.raw.read())


def first_load(panel: str) -> tuple[int, int]:
    page = requests.get(panel + "/operations", headers=PLAIN, timeout=60).text
    assets = [u.replace("&amp;", "&") for u in re.findall(r'(?:href|src)="(/[^"]+/static/[^"]+)"', page)]
    urls = [panel + "/operations"] + [panel + a for a in assets]
    return sum(wire(u, PLAIN) for u in urls), sum(wire(u, BROWSER) for u in urls)


def poll_version(text: str) -> str:
    found = re.search(r'X-Opsweb-Panel-Version[^0-9a-f]+([0-9a-f]{20})', text)
    return found.group(1)


def refresh_bytes(panel: str, change) -> tuple[int, int, int]:
    """(sent as a browser gets it, uncompressed, whole fragment uncompressed) for one
    viewer's next poll after `change()`."""
    full = requests.get(panel + "/operations/agents", headers=FRAGMENT, timeout=60).text
    version = poll_version(full)
    change()
    time.sleep(0.3)  # past the coalescing window
    head = {"HX-Request": "true", "X-Opsweb-Panel-Version": version}
    plain = requests.get(panel + "/operations/agents", headers={**head, **PLAIN}, timeout=60)
    packed = wire(panel + "/operations/agents", {**head, **BROWSER})
    return packed, len(plain.content), len(full.encode())


def p50_ms(url: str, n: int = 15) -> float:
    requests.get(url, headers=FRAGMENT, timeout=60)  # warm: upstream answers now coalesced
    times = []
    for _ in range(n):
        t = time.perf_counter()
        requests.get(url, headers=FRAGMENT, timeout=60).raise_for_status()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    demo = DemoServer(port=0, autoplay=False).start()
    ctl = f"{demo.url}/__demo"
    made = requests.post(ctl + "/fleet", json={"companies": 4, "runsPerCompany": 50,
                                                "agentsPerCompany": 50}, timeout=60).json()
    ids = [c["id"] for c in requests.get(ctl + "/world", timeout=30).json()["companies"]][-4:]
    panel, server = serve(demo.url, OPSWEB_COMPANIES=tuple(ids), OPSWEB_FRESHNESS=0.2)
    plain, packed = first_load(panel)
    print(f"First load (page + CSS + htmx + opsweb.js), {made['runs']} rows:")
    print(f"  uncompressed {plain / 1024:8.1f} KB")
    print(f"  over the wire {packed / 1024:7.1f} KB  (brotli)  = 1/{PAPERCLIP_UI_FIRST_LOAD / packed:.0f}"
          " of Paperclip's own UI first load (8.76 MB)")
    print("  repeat visit: page only (static files are immutable for a year)"
          f" {wire(panel + '/operations', BROWSER) / 1024:.1f} KB")

    fragment = requests.get(panel + "/operations/agents", headers=FRAGMENT, timeout=60).text
    rows = re.findall(r'<tr id="ow-run-.*?</tr>', fragment, re.S)
    print(f"  a row: {sum(len(r.encode()) for r in rows) / len(rows):,.0f} B uncompressed"
          f" on average over {len(rows)} rows (goal <= 1,200 B)")

    runs = [r["id"] for c in ids for r in requests.get(f"{demo.url}/api/companies/{c}/live-runs",
                                                        timeout=30).json()]
    print("\nBytes per refresh per viewer, 200 rows:")
    print("  changed  sent (br)  sent (raw)  whole fragment (raw, before)")
    for k in (0, 1, 20):
        def change(k=k):
            for i, rid in enumerate(runs[:k]):  # output went quiet: silence level and age change
                requests.post(f"{ctl}/runs/{rid}/silence", json={"agoMs": 3_700_000 + i * 60_000},
                              timeout=30)
        packed_b, raw_b, full_b = refresh_bytes(panel, change)
        print(f"  {k:7d} {packed_b:10,d} {raw_b:11,d} {full_b:14,d}")
    server.stop()
    demo.stop()

    print("\nServer time, p50 of 15 (upstream coalesced):")
    print("   runs  panel ms  twin ms  rows shown")
    for total in (10, 100, 1000, 2000):
        demo = DemoServer(port=0, autoplay=False).start()
        companies = max(1, total // 50)
        requests.post(f"{demo.url}/__demo/fleet", json={"companies": companies,
                      "runsPerCompany": total // companies}, timeout=120)
        ids = [c["id"] for c in requests.get(f"{demo.url}/__demo/world", timeout=30).json()["companies"]][2:]
        panel, server = serve(demo.url, OPSWEB_COMPANIES=tuple(ids), OPSWEB_FRESHNESS=600.0)
        html = requests.get(panel + "/operations/agents", headers=FRAGMENT, timeout=60).text
        shown = html.count('<tr id="ow-')
        print(f"  {total:5d} {p50_ms(panel + '/operations/agents'):9.1f}"
              f" {p50_ms(panel + '/api/operations/agents'):8.1f} {shown:10d}")
        server.stop()
        demo.stop()

    real = os.environ.get("OPSWEB_REAL_PAPERCLIP_URL")
    if real:
        panel, server = serve(real, OPSWEB_FRESHNESS=0.2)
        plain, packed = first_load(panel)
        print(f"\nAgainst the real Paperclip at {real}:")
        print(f"  first load uncompressed {plain / 1024:.1f} KB, over the wire {packed / 1024:.1f} KB")
        packed_b, raw_b, full_b = refresh_bytes(panel, lambda: None)
        print(f"  unchanged refresh: {packed_b} B sent (whole fragment {full_b:,d} B)")
        server.stop()
    else:
        print("\n(no OPSWEB_REAL_PAPERCLIP_URL: real-Paperclip figures not measured)")


if __name__ == "__main__":
    main()
