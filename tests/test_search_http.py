"""Search inside transcripts over real HTTP (issue 23): the demo's critical run has
EACCES lines deep in its batch output; a run of several MB is searched to its first
and last match, each opening the dialog at its line; and through a real `opsweb serve`
an empty, a 10 KB and an invalid query are a 400 saying why, while a catastrophic
pattern answers (RE2 runs in linear time), and a finished run searched again reads no
log page (its converted text was kept)."""
from __future__ import annotations

import pytest
import requests
from bs4 import BeautifulSoup

from cli_process import served_on_demo

SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
HX = {"HX-Request": "true"}


def new_run(demo) -> str:
    return demo.control("POST", "/runs", agentId=SHELL_AGENT, status="running")["id"]


def say(demo, run_id: str, *lines: str) -> None:
    demo.control("POST", f"/runs/{run_id}/output",
                 chunks=[{"stream": "stdout", "chunk": line + "\n"} for line in lines])


def test_the_demos_critical_run_has_something_worth_searching(demo, panel):
    run = demo.world.directory()["runs"]["critical"]
    found = panel.get(f"/api/operations/runs/{run}/search?q=eacces").json()
    assert len(found["matches"]) == 4 and not found["truncated"]
    assert "shard-00617.pdb" in found["matches"][0]["text"]
    # the first lies before the window the dialog opens on; its match opens it there
    tail = panel.get(f"/api/operations/runs/{run}/log").json()
    assert "shard-00617" not in tail["text"]
    first = found["matches"][0]
    assert first["line"] > 0  # one record of the batch output holds 50 lines
    page = panel.soup(f"/operations/runs/{run}/log?at={first['offset']}&line={first['line']}")
    assert "shard-00617.pdb" in page.select_one("#ow-log-at").get_text()
    assert page.select_one("#ow-later") and not page.select_one("#ow-log-follow").get("hx-get")


def test_a_run_of_megabytes_gives_its_first_and_last_match_over_http(demo, panel):
    run = new_run(demo)
    say(demo, run, "open('/srv/app/billing.py'): EACCES (the first)")
    demo.control("POST", f"/runs/{run}/output", ndjson_bytes=4_000_000)
    say(demo, run, "open('/srv/app/billing.py'): EACCES (the last)")
    fragment = panel.soup(f"/operations/runs/{run}/search?q=billing.py")
    first = fragment.select("a.ow-match")
    assert len(first) == 1 and "(the first)" in first[0].get_text()
    assert [m.get_text() for m in fragment.select("mark")] == ["billing.py"]
    rest = panel.soup(fragment.select_one(".ow-search-more")["hx-get"])
    assert "(the last)" in rest.select("a.ow-match")[-1].get_text()
    for link in (first[0], rest.select("a.ow-match")[-1]):
        dialog = panel.get(link["hx-get"], headers=HX)
        marked = BeautifulSoup(dialog.text, "html.parser").select_one("#ow-log-at")
        assert "EACCES" in marked.get_text() and marked["data-offset"] == link["data-offset"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from served_on_demo(tmp_path_factory.mktemp("serve-search"))


@pytest.mark.parametrize("params, message", [
    ({"q": ""}, "q is empty: give the text to search for"),
    ({"q": "EACCES" * 1700}, "Query parameter q is too long (at most 200 characters)"),
    ({"q": "(unclosed", "regex": "1"}, "invalid regular expression: missing ): (unclosed"),
    ({"q": "[z-a]", "regex": "1"}, "invalid regular expression: invalid character class range: z-a"),
])
def test_bad_queries_through_opsweb_serve_are_a_400_with_the_reason(served, params, message):
    running, demo = served
    run = demo.world.directory()["runs"]["critical"]
    for path in (f"/api/operations/runs/{run}/search",
                 f"/api/operations/agents/{SHELL_AGENT}/search"):
        resp = requests.get(running.url + path, params=params, timeout=15)
        assert resp.status_code == 400 and resp.json() == {"error": message}


def test_a_catastrophic_pattern_through_opsweb_serve_answers(served):
    running, demo = served
    run = new_run_on(demo)
    say_on(demo, run, *["a" * 30_000 + "!"] * 20)
    resp = requests.get(f"{running.url}/api/operations/runs/{run}/search",
                        params={"q": "(a+)+$", "regex": "1"}, timeout=30)
    assert resp.status_code == 200 and resp.json()["matches"] == []
    resp = requests.get(f"{running.url}/api/operations/runs/{run}/search",
                        params={"q": "(a+)+!", "regex": "1"}, timeout=30)
    assert resp.status_code == 200 and len(resp.json()["matches"]) == 20
    resp = requests.get(f"{running.url}/operations/runs/{run}/search",
                        params={"q": "(a+)+!", "regex": "1"}, headers=HX, timeout=30)
    assert resp.status_code == 200 and BeautifulSoup(resp.text, "html.parser").select("mark")


def new_run_on(server) -> str:
    resp = requests.post(f"{server.url}/__demo/runs", json={"agentId": SHELL_AGENT,
                                                            "status": "running"}, timeout=15)
    return resp.json()["id"]


def say_on(server, run_id: str, *lines: str) -> None:
    requests.post(f"{server.url}/__demo/runs/{run_id}/output", timeout=15, json={
        "chunks": [{"stream": "stdout", "chunk": line + "\n"} for line in lines]})


def _pages_read(server, run_id: str) -> int:
    """Pages of the run's log the demo served (not the 4 KiB probes of its size)."""
    calls = requests.get(f"{server.url}/__demo/calls", timeout=15).json()["recent"]
    return sum(1 for c in calls if c["key"] == f"log:{run_id}"
               and int(dict(p.split("=", 1) for p in c["query"].split("&") if "=" in p)
                       .get("limitBytes", 0)) > 4096)


def test_a_finished_run_searched_again_through_opsweb_serve_reads_no_log(served):
    running, demo = served
    run = new_run_on(demo)
    say_on(demo, run, "open('/srv/app/billing.py'): EACCES (the first)")
    requests.post(f"{demo.url}/__demo/runs/{run}/output", json={"ndjson_bytes": 3_000_000},
                  timeout=60)
    say_on(demo, run, "open('/srv/app/billing.py'): EACCES (the last)")
    requests.post(f"{demo.url}/__demo/runs/{run}/finish", json={"status": "succeeded"}, timeout=15)
    search = f"{running.url}/api/operations/runs/{run}/search"
    first = requests.get(search, params={"q": "eacces"}, timeout=60).json()
    assert _pages_read(demo, run) >= 3
    requests.post(f"{demo.url}/__demo/reset", json={}, timeout=15)  # counters only
    again = requests.get(search, params={"q": "billing\\.py.*last", "regex": "1"}, timeout=60).json()
    assert [m["text"] for m in again["matches"]] == [first["matches"][1]["text"]]
    assert again["scannedBytes"] == again["totalBytes"] == first["totalBytes"]
    assert _pages_read(demo, run) == 0
