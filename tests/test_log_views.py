"""The log dialog over real HTTP against the demo, which lags lastOutputBytes as
Paperclip does: it opens at the real end of a burst, jumps over the next burst with an
"N KB skipped" button, names the run (id, issue, Stop), deep-links as
/operations?run=<id>, opens as a page of its own, and log.txt is the whole transcript
(issue 16; issue 13, items 5, 7, 8)."""
from __future__ import annotations

import json

from bs4 import BeautifulSoup

SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
HX = {"HX-Request": "true"}


def new_run(demo, **body):
    return demo.control("POST", "/runs", agentId=SHELL_AGENT, status="running", **body)["id"]


def say(demo, run_id, chunk):
    demo.control("POST", f"/runs/{run_id}/output", stream="stdout", chunk=chunk)


def burst(demo, run_id, nbytes):
    demo.control("POST", f"/runs/{run_id}/output", ndjson_bytes=nbytes)


def texts(soup):
    return [e.get_text(" ", strip=True) for e in soup.select(".ow-entry")]


def test_a_burst_then_quiet_opens_at_its_last_line_in_one_small_answer(demo, panel):
    run = new_run(demo)
    say(demo, run, "first line\n")  # the hint is flushed here, then never again
    burst(demo, run, 5_000_000)
    say(demo, run, "the last line\n")
    row = demo.api(f"/heartbeat-runs/{run}").json()
    assert row["lastOutputBytes"] < 1000 and row["logBytes"] is None  # stale, as in Paperclip
    resp = panel.get(f"/operations/runs/{run}/log", headers=HX)
    assert resp.status_code == 200 and len(resp.content) < 1_000_000
    assert texts(BeautifulSoup(resp.text, "html.parser"))[-1] == "the last line"
    twin = panel.get(f"/api/operations/runs/{run}/log").json()
    assert twin["entries"][-1]["text"] == "the last line"
    again = panel.get(f"/api/operations/runs/{run}/log", params={"cursor": twin["cursor"]}).json()
    assert again["entries"] == [] and again["atEof"]  # the first cursor was at the end


def test_following_a_burst_jumps_to_its_end_and_offers_the_skipped_output(demo, panel):
    run = new_run(demo)
    say(demo, run, "before the burst\n")
    dialog = panel.soup(f"/operations/runs/{run}/log")
    burst(demo, run, 3_000_000)
    say(demo, run, "after the burst\n")
    resp = panel.get(dialog.select_one("#ow-log-follow")["hx-get"], headers=HX)
    assert len(resp.content) < 1_000_000
    follow = BeautifulSoup(resp.text, "html.parser")
    assert texts(follow)[-1] == "after the burst"
    gap = follow.select_one("button.ow-gap")
    assert gap.get_text(strip=True).endswith("skipped — load earlier output")
    assert "MB" in gap.get_text() or "KB" in gap.get_text()
    assert "since=" in gap["hx-get"] and gap["hx-target"] == "this"
    earlier = panel.soup(gap["hx-get"])
    assert earlier.select(".ow-entry") and earlier.select_one("button.ow-gap")["hx-get"] != gap["hx-get"]
    twin = panel.get(f"/api/operations/runs/{run}/log", params={
        "cursor": dialog.select_one("#ow-log-follow")["hx-get"].split("cursor=")[1]}).json()
    assert twin["skipped"]["bytes"] > 2_000_000 and twin["entries"][-1]["text"] == "after the burst"


def test_every_entry_carries_its_record_offset_and_the_dialog_its_dom_bound(demo, panel_for):
    panel = panel_for(demo.url, OPSWEB_LOG_DOM_ENTRIES=1234)
    run = new_run(demo)
    for i in range(5):
        say(demo, run, f"line {i}\n")
    dialog = panel.soup(f"/operations/runs/{run}/log")
    log = dialog.select_one("#ow-log-entries")
    assert log["data-max-entries"] == "1234" and int(log["data-max-chars"]) >= 1_000_000
    offsets = [int(e["data-offset"]) for e in dialog.select(".ow-entry")]
    assert offsets == sorted(offsets) and len(set(offsets)) == 5
    content = demo.api(f"/heartbeat-runs/{run}/log").json()["content"].encode()
    assert all(content[o:o + 1] == b"{" for o in offsets) and offsets[0] == 0
    assert log["data-log-url"].endswith(f"/runs/{run}/log")


def test_the_dialog_names_the_run_its_issue_and_offers_stop_while_it_lives(demo, panel):
    run = new_run(demo, issue={"title": "Drain the <queue>"})
    say(demo, run, "working\n")
    dialog = panel.soup(f"/operations/runs/{run}/log")
    assert dialog.select_one("#ow-run-id").get_text() == run
    assert dialog.select_one(".ow-copy")["data-copy"] == "ow-run-id"
    assert "Drain the <queue>" in dialog.select_one(".ow-run-issue").get_text()
    stop = dialog.select_one("#ow-dialog-stop")
    assert stop["hx-post"].endswith(f"/runs/{run}/cancel")
    assert json.loads(dialog.select_one(".ow-log-view")["hx-headers"])["X-CSRF-Token"]
    assert panel.get(f"/api/operations/runs/{run}/log").json()["run"]["issueLabel"].endswith(
        "Drain the <queue>")
    done = panel.post_as_browser(stop["hx-post"])
    assert done.status_code == 200 and "ow-outcome" in done.text
    ended = panel.soup(f"/operations/runs/{run}/log")
    assert not ended.select_one("#ow-dialog-stop") and "cancelled" in ended.select_one("#ow-run-state").get_text()


def test_opening_a_log_puts_the_run_in_the_address_and_that_address_opens_it(demo, panel):
    run = new_run(demo)
    say(demo, run, "hello\n")
    opened = panel.get(f"/operations/runs/{run}/log", headers=HX)
    assert opened.headers["HX-Push-Url"] == f"/operations?run={run}"
    follow = BeautifulSoup(opened.text, "html.parser").select_one("#ow-log-follow")["hx-get"]
    assert "HX-Push-Url" not in panel.get(follow, headers=HX).headers  # only opening does
    page = BeautifulSoup(panel.get(f"/operations?run={run}").text, "html.parser")
    loader = page.select_one("#ow-log-dialog [hx-trigger=load]")
    assert loader["hx-get"] == f"/operations/runs/{run}/log"
    assert loader["hx-target"] == "#ow-log-dialog" and page.select_one("#ow-agents")
    assert not BeautifulSoup(panel.get("/operations").text, "html.parser").select(
        "#ow-log-dialog [hx-get]")
    bad = panel.get("/operations?run=../../etc")
    assert bad.status_code == 400 and "run" in bad.text


def test_the_log_url_opened_on_its_own_is_a_page(demo, panel):
    run = new_run(demo)
    say(demo, run, "hello\n")
    page = BeautifulSoup(panel.get(f"/operations/runs/{run}/log").text, "html.parser")
    assert page.find("html") and page.select_one("link[rel=stylesheet]")["href"].split("?")[0].endswith("opsweb.css")
    assert page.select_one("main.ow-root .ow-log-view") and texts(page) == ["hello"]
    assert page.select_one("a.ow-dialog-close")["href"] == "/operations"  # no dialog to close
    fragment = BeautifulSoup(panel.get(f"/operations/runs/{run}/log", headers=HX).text, "html.parser")
    assert not fragment.find("html") and fragment.select_one("form[method=dialog]")


def test_each_route_has_one_format_and_refuses_the_other(demo, panel):
    run = new_run(demo)
    say(demo, run, "hello\n")
    html_json = panel.get(f"/operations/runs/{run}/log", params={"format": "json"}, headers=HX)
    twin_html = panel.get(f"/api/operations/runs/{run}/log", params={"format": "html"})
    twin_text = panel.get(f"/api/operations/runs/{run}/log", params={"format": "text"})
    assert (html_json.status_code, twin_html.status_code, twin_text.status_code) == (400, 400, 400)
    assert "log.txt" in twin_text.json()["error"]
    assert panel.get(f"/api/operations/runs/{run}/log", params={"format": "json"}).status_code == 200
    assert panel.get(f"/operations/runs/{run}/log", params={"format": "html"}, headers=HX).status_code == 200


def test_log_txt_is_the_whole_transcript_streamed_with_a_download_name(demo, panel):
    run = new_run(demo)
    say(demo, run, "the very first line\n")
    burst(demo, run, 2_500_000)
    say(demo, run, "the very last line\n")
    demo.control("POST", f"/runs/{run}/finish", status="succeeded")
    with panel.http.get(f"{panel.url}/api/operations/runs/{run}/log.txt", stream=True, timeout=30) as resp:
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/plain")
        assert resp.headers["Content-Disposition"] == f'attachment; filename="{run}.txt"'
        assert "Content-Length" not in resp.headers  # streamed, page by page
        text = resp.content.decode()
    assert text.startswith("[stdout] the very first line\n")
    assert text.rstrip().endswith("[stdout] the very last line")
    tail = panel.get(f"/api/operations/runs/{run}/log").json()["text"]
    assert len(text) > 4 * len(tail)  # the whole log, not the tail window
