"""Issue 16 against the REAL Paperclip: a process agent prints several MB in a burst and
then sleeps, so Paperclip's lastOutputBytes stays at what it flushed with the first
chunk. opsweb's dialog still opens at the real end, in one small answer."""
from __future__ import annotations


import pytest
from bs4 import BeautifulSoup

from opsweb.transcript.cursor import Cursor

from .seed import printing_run

pytestmark = pytest.mark.contract

LINES = 60_000
LAST = "LAST LINE OF THE BURST"
# ~5 MB of stdout in well under a second, then quiet for ten minutes
BURST_SCRIPT = (f"seq -f 'burst line %06g <b>padding</b> ................................' 1 {LINES}; "
                f"echo '{LAST}'; sleep 600")


def log_size(api, run_id: str) -> int:
    """The log's real size: the end of its pages (a page with no nextOffset)."""
    offset = 0
    for _ in range(64):
        page = api.http.get(f"{api.base}/api/heartbeat-runs/{run_id}/log",
                            params={"offset": offset, "limitBytes": 1048576}, timeout=30).json()
        if "nextOffset" not in page:
            return offset + len(page["content"].encode())
        offset = page["nextOffset"]
    raise AssertionError("the log did not end within 64 MiB")


@pytest.fixture
def burst_run(seeded, paperclip_api):
    for company_id, _, run_id in printing_run(paperclip_api, "Burst", BURST_SCRIPT, LAST):
        yield company_id, run_id


def test_a_burst_then_quiet_run_opens_at_its_real_end(burst_run, paperclip_api, panel_for):
    company_id, run_id = burst_run
    size = log_size(paperclip_api, run_id)
    row = paperclip_api.run(run_id)
    print(f"\nreal Paperclip: log {size:,} bytes, lastOutputBytes {row['lastOutputBytes']},"
          f" lastOutputSeq {row['lastOutputSeq']}, logBytes {row['logBytes']}")
    assert size > 3_000_000 and row["logBytes"] is None
    assert (row["lastOutputBytes"] or 0) < size  # the lag this is about
    panel = panel_for(paperclip_api.base, OPSWEB_COMPANIES=(company_id,))
    resp = panel.get(f"/operations/runs/{run_id}/log", headers={"HX-Request": "true"})
    assert resp.status_code == 200 and len(resp.content) < 1_000_000
    shown = [e.get_text(" ", strip=True) for e in BeautifulSoup(resp.text, "html.parser").select(".ow-entry")]
    assert shown[-1] == LAST
    twin = panel.get(f"/api/operations/runs/{run_id}/log").json()
    assert Cursor.parse(twin["cursor"]).offset == size  # the first cursor is at the end
    assert twin["entries"][-1]["text"] == LAST and twin["earlier"]
