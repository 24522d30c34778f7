"""The log dialog: a run's NDJSON log converted on the server into readable entries,
following new output while the run lives, with its event timeline."""
from bs4 import BeautifulSoup

CLAUDE_AGENT = "a9e00011-0000-4000-8000-000000000011"
SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"


def new_run(demo, agent=SHELL_AGENT, status="running"):
    return demo.control("POST", "/runs", agentId=agent, status=status)["id"]


def say(demo, run_id, chunk, stream="stdout"):
    demo.control("POST", f"/runs/{run_id}/output", stream=stream, chunk=chunk)


def entries(soup):
    return [(e["data-kind"], e.get_text(" ", strip=True)) for e in soup.select(".ow-entry")]


def test_claude_output_reads_as_a_transcript(demo, panel):
    run = new_run(demo, CLAUDE_AGENT)
    say(demo, run, '{"type":"system","subtype":"init","session_id":"s-1","model":"claude-sonnet-4-5"}\n')
    say(demo, run, '{"type":"assistant","message":{"content":[{"type":"thinking","thinking":"Check the tree."},'
                   '{"type":"text","text":"Let me look."},'
                   '{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"git status"}}]}}\n')
    say(demo, run, '{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_1",'
                   '"content":" M app.py","is_error":false}]}}\n')
    say(demo, run, "[paperclip] Using fallback workspace\n")
    say(demo, run, "warning: slow disk\n", stream="stderr")
    say(demo, run, '{"type":"result","subtype":"success","is_error":false,"result":"Done.",'
                   '"total_cost_usd":0.0123,"usage":{"input_tokens":92,"output_tokens":78,'
                   '"cache_read_input_tokens":2048}}\n')
    dialog = panel.soup(f"/operations/runs/{run}/log")
    kinds = [k for k, _ in entries(dialog)]
    assert kinds == ["init", "thinking", "assistant", "tool_call", "tool_result", "system",
                     "stderr", "result"]
    text = dict(entries(dialog))
    assert "claude-sonnet-4-5" in text["init"] and "s-1" in text["init"]
    assert "Bash" in text["tool_call"] and "git status" in text["tool_call"]
    assert "M app.py" in text["tool_result"]
    assert "[paperclip] Using fallback workspace" in text["system"]
    assert "in 92 / out 78" in text["result"] and "$0.0123" in text["result"]
    assert dialog.select_one(".ow-entry-stderr")  # its own style
    assert dialog.select_one("#ow-run-state .ow-status").get_text(strip=True) == "running"


def test_agent_output_is_always_escaped(demo, panel):
    run = new_run(demo)
    say(demo, run, "tick <script>alert(1)</script> <img src=x onerror=alert(2)>\n")
    for headers in ({"HX-Request": "true"}, {}):  # the dialog's fragment, the page of its own
        soup = BeautifulSoup(panel.get(f"/operations/runs/{run}/log", headers=headers).text,
                             "html.parser")
        assert not soup.find("img") and all(s.get("src") for s in soup.find_all("script"))
        assert "<script>alert(1)</script>" in soup.select_one(".ow-entry-stdout").get_text()
    body = panel.get(f"/api/operations/runs/{run}/log").json()
    assert "<script>alert(1)</script>" in body["text"]


def test_stdout_split_across_chunks_is_one_line(demo, panel):
    run = new_run(demo)
    say(demo, run, "first half, ")
    say(demo, run, "second half\nnext line\n")
    texts = [t for k, t in entries(panel.soup(f"/operations/runs/{run}/log")) if k == "stdout"]
    assert texts == ["first half, second half", "next line"]


def test_queued_run_has_no_output_yet(demo, panel):
    runs = demo.world.directory()["runs"]
    dialog = panel.soup(f"/operations/runs/{runs['queuedBehindClaude']}/log")
    assert dialog.select_one(".ow-no-output").get_text(strip=True) == "No output yet."
    assert not dialog.select(".ow-failure")
    body = panel.get(f"/api/operations/runs/{runs['queuedBehindClaude']}/log").json()
    assert body["entries"] == [] and body["finished"] is False


def test_the_dialog_follows_only_new_output_then_stops_when_the_run_ends(demo, panel):
    run = new_run(demo)
    say(demo, run, "one\n")
    dialog = panel.soup(f"/operations/runs/{run}/log")
    follow = dialog.select_one("#ow-log-follow")
    assert follow["hx-trigger"].startswith("every") and follow["hx-swap"] == "beforeend"
    assert follow["hx-target"] == "#ow-log-entries"
    say(demo, run, "two\n")
    resp = panel.get(follow["hx-get"], headers={"HX-Request": "true"})
    assert resp.status_code == 200
    page = BeautifulSoup(resp.text, "html.parser")
    assert [t for _, t in entries(page)] == ["two"]  # only the new line
    nxt = page.select_one("#ow-log-follow")
    assert nxt["hx-swap-oob"] == "true" and nxt["hx-get"] != follow["hx-get"]
    # nothing new: nothing sent
    again = BeautifulSoup(panel.get(nxt["hx-get"], headers={"HX-Request": "true"}).text,
                          "html.parser")
    assert entries(again) == []
    say(demo, run, "three\n")
    demo.control("POST", f"/runs/{run}/finish", status="succeeded")
    last = panel.get(nxt["hx-get"], headers={"HX-Request": "true"})
    assert last.status_code == 286  # htmx stops polling
    final = BeautifulSoup(last.text, "html.parser")
    assert [t for k, t in entries(final) if k == "stdout"] == ["three"]
    assert "succeeded" in final.select_one("#ow-run-state").get_text()
    assert not final.select_one("#ow-log-follow").get("hx-get")


def test_json_twin_gives_entries_text_and_cursor(demo, panel):
    run = new_run(demo)
    say(demo, run, "alpha\n")
    body = panel.get(f"/api/operations/runs/{run}/log").json()
    assert [e["text"] for e in body["entries"]] == ["alpha"]
    assert "alpha" in body["text"] and body["cursor"]
    assert body["run"]["status"] == "running" and body["run"]["adapterType"] == "process"
    say(demo, run, "beta\n")
    more = panel.get(f"/api/operations/runs/{run}/log", params={"cursor": body["cursor"]}).json()
    assert [e["text"] for e in more["entries"]] == ["beta"]
    text = panel.get(f"/api/operations/runs/{run}/log.txt")
    assert text.headers["Content-Type"].startswith("text/plain") and "alpha" in text.text


def test_raw_ndjson_download(demo, panel):
    run = new_run(demo)
    say(demo, run, "שלום\n")
    resp = panel.get(f"/api/operations/runs/{run}/log.ndjson")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    assert resp.text == demo.api(f"/heartbeat-runs/{run}/log").json()["content"]


def test_events_timeline(demo, panel):
    runs = demo.world.directory()["runs"]
    rid = runs["succeeded"]
    timeline = panel.soup(f"/operations/runs/{rid}/events")
    messages = [li.get_text(" ", strip=True) for li in timeline.select("li.ow-event")]
    assert any("run started" in m for m in messages)
    assert any("run succeeded" in m for m in messages)
    assert panel.get(f"/api/operations/runs/{rid}/events").json()["events"][0]["seq"] == 1


def test_the_log_of_an_unknown_run_is_a_404_with_paperclips_message(demo, panel):
    resp = panel.get("/api/operations/runs/b0000000-0000-4000-8000-00000000dead/log")
    assert resp.status_code == 404 and resp.json() == {  # Paperclip's words, and the id
        "error": "Heartbeat run not found (run b0000000-0000-4000-8000-00000000dead)"}
    page = panel.get("/operations/runs/b0000000-0000-4000-8000-00000000dead/log",
                     headers={"HX-Request": "true", "HX-Target": "ow-log-dialog"})
    soup = BeautifulSoup(page.text, "html.parser")
    assert page.status_code == 404
    assert "Heartbeat run not found" in soup.select_one(".ow-failure").get_text()
    assert soup.select_one(".ow-failure form[method=dialog] button")  # can still close


def test_a_huge_log_opens_at_its_tail_and_pages_backwards(demo, panel):
    run = new_run(demo, CLAUDE_AGENT)
    demo.control("POST", f"/runs/{run}/output", ndjson_bytes=3_000_000)
    say(demo, run, "the very last line\n")
    dialog = panel.soup(f"/operations/runs/{run}/log")
    shown = dialog.select(".ow-entry")
    assert shown and "the very last line" in shown[-1].get_text()
    earlier = dialog.select_one("#ow-earlier")
    assert earlier.get_text(strip=True) == "Load earlier output"
    assert earlier["hx-swap"] == "outerHTML" and earlier["hx-target"] == "this"
    older = panel.soup(earlier["hx-get"])
    assert older.select(".ow-entry") and older.select_one("#ow-earlier")["hx-get"] != earlier["hx-get"]
    # never more than 1 MiB asked of Paperclip in one request, and only the tail at first
    asked = [c["query"] for c in demo.calls()["recent"] if c["key"] == f"log:{run}"]
    limits = [int(q.split("limitBytes=")[1].split("&")[0]) for q in asked if "limitBytes=" in q]
    assert limits and max(limits) <= 1024 * 1024
    twin = panel.get(f"/api/operations/runs/{run}/log").json()
    assert twin["earlier"] and len(twin["text"].encode()) < 600_000


def test_a_tool_call_shows_running_until_its_result_then_completed_or_errored(demo, panel):
    run = new_run(demo, CLAUDE_AGENT)
    call = ('{"type":"assistant","message":{"content":[{"type":"tool_use","id":"toolu_%s",'
            '"name":"Bash","input":{"command":"make"}}]}}\n')
    result = ('{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_%s",'
              '"content":"done","is_error":%s}]}}\n')
    say(demo, run, call % "a")
    say(demo, run, result % ("a", "true"))
    say(demo, run, call % "b")
    dialog = panel.soup(f"/operations/runs/{run}/log")
    states = {c["data-tool-use-id"]: c.select_one(".ow-call-state").get_text()
              for c in dialog.select(".ow-entry-tool_call")}
    assert states == {"toolu_a": "errored", "toolu_b": "running"}
    # the later result arrives in a follow poll; it carries the id the page pairs it by
    say(demo, run, result % ("b", "false"))
    follow = panel.soup(dialog.select_one("#ow-log-follow")["hx-get"])
    late = follow.select_one(".ow-entry-tool_result")
    assert late["data-tool-use-id"] == "toolu_b" and "ow-entry-error" not in late["class"]
    assert late["data-call-state"] == "completed"  # the state it gives its call, decided here
