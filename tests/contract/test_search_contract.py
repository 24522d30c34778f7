"""Issue 23 against the REAL Paperclip: a process agent prints a 5 MB log with an
EACCES line at its start and one at its end (and Hebrew beside the last); opsweb
searches it through Paperclip's /log pages, finds both, and opens the dialog at each;
the agent's card search finds its first match too."""
from __future__ import annotations


import pytest
from bs4 import BeautifulSoup

from .seed import printing_run

pytestmark = pytest.mark.contract

LINES = 80_000
FIRST = "open('/srv/billing.py'): EACCES first"
LAST = "open('/srv/billing.py'): EACCES last — ההרשאה נדחתה"
SCRIPT = (f"echo \"{FIRST}\"; seq -f 'line %06g of the build <b>padding</b> ..........................'"
          f" 1 {LINES}; echo \"{LAST}\"; sleep 600")


@pytest.fixture
def searched_run(seeded, paperclip_api):
    yield from printing_run(paperclip_api, "Search", SCRIPT, "EACCES last")


def test_a_5_mb_log_is_searched_through_the_real_server(searched_run, paperclip_api, panel_for):
    company_id, agent_id, run_id = searched_run
    panel = panel_for(paperclip_api.base, OPSWEB_COMPANIES=(company_id,))
    found = panel.get(f"/api/operations/runs/{run_id}/search", params={"q": "eacces"},
                      timeout=60).json()
    print(f"\nreal Paperclip: searched {found['scannedBytes']:,} of {found['totalBytes']:,} bytes")
    assert found["totalBytes"] > 5_000_000 and found["scannedBytes"] == found["totalBytes"]
    first, last = found["matches"]
    assert first["text"] == f"[stdout] {FIRST}" and last["text"] == f"[stdout] {LAST}"
    assert last["before"].startswith(f"[stdout] line {LINES:06d}")
    hebrew = panel.get(f"/api/operations/runs/{run_id}/search", params={"q": "ההרשאה"},
                       timeout=60).json()
    assert [m["offset"] for m in hebrew["matches"]] == [last["offset"]]
    for m in (first, last):
        dialog = panel.get(f"/operations/runs/{run_id}/log",
                           params={"at": m["offset"], "line": m["line"]},
                           headers={"HX-Request": "true"})
        marked = BeautifulSoup(dialog.text, "html.parser").select_one("#ow-log-at")
        assert marked.get_text(strip=True) == m["text"].removeprefix("[stdout] ")
    card = panel.get(f"/api/operations/agents/{agent_id}/search",
                     params={"q": "EACCES", "runs": 1}, timeout=60).json()
    assert [r["runId"] for r in card["runs"]] == [run_id]
    assert card["runs"][0]["match"]["offset"] == first["offset"]
