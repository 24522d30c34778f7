"""opsweb against the REAL Paperclip (2026.916.1), through its own HTTP routes, asserting
what an operator sees: the agents panel and its JSON twin, the log dialog, the events
timeline, Stop and Reset session, and bad ids.

The seeded runs (tests/contract/seed.py) are shared by the whole session, so every test
that uses a run up (Stop) makes its own with the `fresh_run` fixture.
"""
from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup
from werkzeug.wrappers import Request

from conftest import ServedApp
import row_actions

pytestmark = pytest.mark.contract

HTML_LINE = "<b>bold</b><script>alert(1)</script>"
CLAUDE_JSON = re.compile(r'^\{"type":"assistant","message":\{"content":\[\{"type":"text","text":"step (\d+)"\}\]\}\}$')
TICK = re.compile(r"^tick (\d+) " + re.escape(HTML_LINE) + "$")
UNKNOWN = "00000000-0000-4000-8000-00000000dead"


# ---- helpers ------------------------------------------------------------------------------
@pytest.fixture
def panel(seeded, panel_for):
    """opsweb against the real server, limited to the two seeded companies (the server may
    hold other seeds' companies too)."""
    return panel_for(seeded.base_url, OPSWEB_COMPANIES=seeded.company_ids)


def html(resp: requests.Response) -> BeautifulSoup:
    return BeautifulSoup(resp.text, "html.parser")


def entries(page: BeautifulSoup) -> list[tuple[str, str]]:
    return [(div["data-kind"], div.select_one(".ow-text").get_text() if div.select_one(".ow-text")
             else div.get_text(" ", strip=True)) for div in page.select("div.ow-entry")]


def ticks(items: list[tuple[str, str]]) -> list[int]:
    return [int(m.group(1)) for kind, text in items if kind == "stdout" and (m := TICK.match(text))]


def real_live_runs(api, seeded) -> dict[str, dict]:
    return {row["id"]: row for cid in seeded.company_ids
            for row in api.get(f"/companies/{cid}/live-runs")}


def stable_live_runs(api, seeded, read_panel):
    """(rows live with the same status before and after `read_panel()`, every row seen, its
    result): what opsweb must show, and all it may show, whatever moved in between."""
    before = real_live_runs(api, seeded)
    shown = read_panel()
    after = real_live_runs(api, seeded)
    stable = {rid: row for rid, row in after.items()
              if rid in before and before[rid]["status"] == row["status"]}
    return stable, {**before, **after}, shown


def process_state(pid: int) -> str | None:
    """The process's state letter from /proc (None: no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def alive(pid: int) -> bool:
    state = process_state(pid)
    if state is None and not Path("/proc/self").exists():  # no procfs: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return state is not None and state != "Z"


def wait_until(check, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


class CountingProxy:
    """A pass-through in front of the real Paperclip that records every request opsweb
    sends it: the proof that a malformed id never reaches Paperclip."""

    def __init__(self, target: str):
        self.target = target.rstrip("/")
        self.seen: list[str] = []
        self.served = ServedApp(self._app)
        self.url = self.served.url

    def _app(self, environ, start_response):
        req = Request(environ)
        query = f"?{req.query_string.decode()}" if req.query_string else ""
        self.seen.append(f"{req.method} {req.path}{query}")
        headers = {k: v for k, v in req.headers.items()
                   if k.lower() in ("content-type", "accept", "authorization")}
        resp = requests.request(req.method, self.target + req.path + query, headers=headers,
                                data=req.get_data(), timeout=30)
        start_response(f"{resp.status_code} {resp.reason}",
                       [("Content-Type", resp.headers.get("Content-Type", "application/json"))])
        return [resp.content]


@pytest.fixture
def counting_proxy(seeded):
    proxy = CountingProxy(seeded.base_url)
    yield proxy
    proxy.served.stop()


# ---- the agents panel -------------------------------------------------------------------
def test_agents_twin_lists_the_real_running_and_queued_runs_of_both_companies(seeded, panel, paperclip_api):
    def read():
        resp = panel.get("/api/operations/agents")
        assert resp.status_code == 200, resp.text[:500]
        return resp.json()

    stable, seen, body = stable_live_runs(paperclip_api, seeded, read)
    assert body["errors"] == []
    assert {c["id"] for c in body["companies"]} == set(seeded.company_ids)
    shown = {row["runId"]: row for row in body["runs"]}
    # the seeded live runs of both companies are among them
    for rid in (*seeded.running_run_ids, seeded.queued_run_id):
        assert rid in stable, f"seeded run {rid} is not live on the real server any more"
    for rid, real in stable.items():
        row = shown.get(rid)
        assert row is not None, f"real live run {rid} ({real['agentName']}, {real['status']}) missing"
        assert (row["companyId"], row["agentId"], row["agentName"], row["status"],
                row["adapterType"], row["silenceLevel"], row["issueId"]) == (
            real["companyId"], real["agentId"], real["agentName"], real["status"],
            real["adapterType"], real["outputSilence"]["level"], real["issueId"])
    assert set(shown) <= set(seen), "opsweb shows runs the real live-runs never listed"
    assert shown[seeded.queued_run_id]["status"] == "queued"
    assert shown[seeded.queued_run_id]["silenceLevel"] == "not_applicable"
    assert shown[seeded.runner_run_id]["agentName"] == f"Runner {HTML_LINE}"
    assert shown[seeded.issue_run_id]["issueLabel"].startswith(f"{seeded.issue_identifier} ")


def test_agents_panel_shows_each_real_run_with_escaped_name_status_and_silence_badge(seeded, panel, paperclip_api):
    stable, seen, page = stable_live_runs(paperclip_api, seeded,
                                          lambda: panel.soup("/operations/agents"))
    assert not page.find_all(["script", "b"]), "agent-controlled markup became HTML"
    assert not page.select(".ow-error")
    rows = {tr["data-run-id"]: tr for tr in page.select("tr.ow-row")}
    assert set(rows) <= set(seen)
    for rid, real in stable.items():
        tr = rows.get(rid)
        assert tr is not None, f"real live run {rid} ({real['agentName']}) has no row"
        agent = tr.select_one(".ow-agent")
        assert agent.get_text(" ", strip=True) == f"{real['agentName']} {real['adapterType']}"
        assert f"ow-status-{real['status']}" in tr.select_one(".ow-status")["class"]
        assert tr.select_one(".ow-status").get_text(strip=True) == real["status"]
        silence = tr.select_one(".ow-silence")
        assert f"ow-silence-{real['outputSilence']['level']}" in silence["class"]
        assert tr.select_one(".ow-company").get_text(strip=True) != ""
    runner = rows[seeded.runner_run_id].select_one(".ow-agent").get_text(" ", strip=True)
    assert runner.startswith(f"Runner {HTML_LINE}")  # the markup is text on screen
    issue = rows[seeded.issue_run_id].select_one(".ow-issue").get_text(strip=True)
    assert issue == f"{seeded.issue_identifier} Fix the <b>flaky</b> deploy"
    queued = rows[seeded.queued_run_id]
    assert queued.select_one(".ow-age").get_text(strip=True).startswith("waiting")
    assert "ow-silence-not_applicable" in queued.select_one(".ow-silence")["class"]


# ---- the log dialog ---------------------------------------------------------------------
def test_log_dialog_shows_the_real_output_converted_and_escaped(seeded, panel):
    dialog = panel.soup(f"/operations/runs/{seeded.runner_run_id}/log")
    assert not dialog.find_all(["script", "b"]), "agent output became HTML"
    assert dialog.select_one("#ow-log-title").get_text(" ", strip=True) == f"Runner {HTML_LINE} process"
    assert "ow-status-running" in dialog.select_one("#ow-run-state .ow-status")["class"]
    shown = entries(dialog)
    kinds = {kind for kind, _ in shown}
    assert kinds <= {"system", "stdout", "stderr"}, kinds
    # the <script> line is visible as text
    assert ticks(shown), [t for _, t in shown][:10]
    assert "<script>alert(1)</script>" in dialog.select_one("#ow-log-entries").get_text()
    # a process agent's Claude-shaped JSON is a plain stdout line, as in Paperclip's own UI
    # (its process parser hands JSON to the Pi parser, which does not know type "assistant")
    claude = [text for kind, text in shown if CLAUDE_JSON.match(text)]
    assert claude and all(kind == "stdout" for kind, text in shown if CLAUDE_JSON.match(text))
    assert not dialog.select('[data-kind="assistant"]')
    assert any(kind == "stdout" and re.fullmatch(r"héllo שלום \d+", text) for kind, text in shown)
    # stderr: ANSI red becomes a class, never raw escape codes
    stderr = dialog.select('div.ow-entry[data-kind="stderr"]')
    assert stderr and all(re.fullmatch(r"warn \d+", div.select_one(".ow-text").get_text().strip())
                          for div in stderr)
    assert stderr[0].select_one(".ow-ansi-red")
    assert "\x1b" not in dialog.get_text()
    # Paperclip's own note at the start of the run
    assert any(kind == "system" and text.startswith("[paperclip]") for kind, text in shown)

    twin = panel.get(f"/api/operations/runs/{seeded.runner_run_id}/log").json()
    assert twin["run"]["status"] == "running" and twin["run"]["adapterType"] == "process"
    assert twin["finished"] is False and twin["cursor"]
    assert ticks([(e["kind"], e["text"]) for e in twin["entries"]])
    assert HTML_LINE in twin["text"]  # JSON carries the text as it is; escaping is the page's job
    assert not [e for e in twin["entries"] if e["kind"] == "assistant"]


def test_log_dialog_follows_new_real_output(seeded, panel):
    dialog = panel.soup(f"/operations/runs/{seeded.runner_run_id}/log")
    first = ticks(entries(dialog))
    assert first
    follow = dialog.select_one("#ow-log-follow")
    assert follow["hx-target"] == "#ow-log-entries" and follow["hx-swap"] == "beforeend"
    time.sleep(2.5)  # the agent prints once a second
    resp = panel.get(follow["hx-get"], headers={"HX-Request": "true"})
    assert resp.status_code == 200, resp.text[:300]
    page = html(resp)
    assert not page.find_all(["script", "b"])
    new = ticks(entries(page))
    assert new, "no new output after 2.5 s of a run printing every second"
    assert min(new) == max(first) + 1, (first[-3:], new)  # only what came after, nothing twice
    assert new == list(range(new[0], new[0] + len(new)))
    assert any(kind == "stderr" for kind, _ in entries(page))
    nxt = page.select_one("#ow-log-follow")
    assert nxt["hx-swap-oob"] == "true" and nxt["hx-get"] != follow["hx-get"]
    # and once more from the new cursor: strictly later lines only
    time.sleep(1.5)
    later = ticks(entries(html(panel.get(nxt["hx-get"], headers={"HX-Request": "true"}))))
    assert all(n > max(new) for n in later)


def test_queued_run_log_says_no_output_yet(seeded, panel):
    dialog = panel.soup(f"/operations/runs/{seeded.queued_run_id}/log")
    assert dialog.select_one(".ow-no-output").get_text(strip=True) == "No output yet."
    assert not dialog.select(".ow-failure")
    assert "ow-status-queued" in dialog.select_one("#ow-run-state .ow-status")["class"]
    assert dialog.select_one("#ow-log-follow")["hx-get"]  # keeps looking for output
    body = panel.get(f"/api/operations/runs/{seeded.queued_run_id}/log").json()
    assert (body["entries"], body["finished"], body["run"]["status"]) == ([], False, "queued")


def test_finished_run_log_is_whole_and_does_not_follow(seeded, panel):
    dialog = panel.soup(f"/operations/runs/{seeded.finished_run_id}/log")
    shown = entries(dialog)
    assert ("stdout", f"quick start {HTML_LINE}") in shown and ("stdout", "quick done") in shown
    assert any(kind == "stderr" and text.strip() == "quick warning" for kind, text in shown)
    assert not dialog.find_all(["script", "b"])
    assert not dialog.select_one("#ow-log-follow")
    assert "run ended" in dialog.select_one("#ow-run-state").get_text()
    body = panel.get(f"/api/operations/runs/{seeded.finished_run_id}/log").json()
    assert body["finished"] is True and body["run"]["status"] == "succeeded"


def test_events_timeline_shows_the_real_lifecycle_events(seeded, panel, paperclip_api):
    dialog = panel.soup(f"/operations/runs/{seeded.runner_run_id}/log")
    timeline = panel.soup(dialog.select_one("#ow-events-list")["hx-get"])
    shown = [(li.select_one(".ow-tag").get_text(strip=True),
              li.select_one("bdi").get_text(strip=True)) for li in timeline.select("li.ow-event")]
    assert all(t.get_text().endswith(" UTC") for t in timeline.select("li.ow-event time"))
    real = paperclip_api.get(f"/heartbeat-runs/{seeded.runner_run_id}/events?afterSeq=0&limit=200")
    assert shown[:2] == [("lifecycle", "run started"), ("adapter.invoke", "adapter invocation")]
    assert shown == [(e["eventType"], e["message"]) for e in real][:len(shown)]
    assert timeline.select_one("#ow-events-follow")["hx-get"]  # a live run keeps polling
    twin = panel.get(f"/api/operations/runs/{seeded.runner_run_id}/events").json()
    assert [e["seq"] for e in twin["events"]] == [e["seq"] for e in real]
    finished = panel.get(f"/api/operations/runs/{seeded.finished_run_id}/events").json()
    assert finished["live"] is False
    assert "run succeeded" in [e["message"] for e in finished["events"]]


# ---- Stop and Reset session --------------------------------------------------------------
def test_stop_on_a_running_run_cancels_it_and_its_process_is_gone(seeded, panel, paperclip_api, fresh_run):
    run = fresh_run()
    pid, pgid = run["processPid"], run["processGroupId"]
    assert isinstance(pid, int) and isinstance(pgid, int), (pid, pgid)
    assert alive(pid), f"processPid {pid} of run {run['id']} is not visible from the test"
    row = wait_until(lambda: row_actions.row_of(panel.soup("/operations/agents"), run["id"]), 10)
    assert row is not None, "the fresh running run never appeared in the panel"

    resp = panel.post_as_browser(row_actions.url(row, "stop"))
    assert resp.status_code == 200, resp.text[:300]
    outcome = html(resp).select_one(".ow-outcome")
    assert outcome.get_text(strip=True) == "Run cancelled." and "ow-outcome-done" in outcome["class"]
    after = paperclip_api.run(run["id"])
    assert after["status"] == "cancelled" and after["finishedAt"], after["status"]
    gone = wait_until(lambda: not alive(pid) and not group_members(pgid), 20)
    assert gone, f"process {pid} / group {pgid} still alive: {group_members(pgid)}"
    assert not panel.soup("/operations/agents").select_one(f'tr[data-run-id="{run["id"]}"]')


def test_stop_on_a_queued_run_cancels_it(seeded, panel, paperclip_api, fresh_run):
    run = fresh_run(seeded.drainer_agent_id, "queued")
    row = wait_until(lambda: row_actions.row_of(panel.soup("/operations/agents"), run["id"]), 10)
    assert row is not None, "the fresh queued run never appeared in the panel"
    resp = panel.post_as_browser(row_actions.url(row, "stop"))
    assert html(resp).select_one(".ow-outcome").get_text(strip=True) == "Run cancelled."
    after = paperclip_api.run(run["id"])
    assert (after["status"], after["startedAt"]) == ("cancelled", None)
    # the seeded queued run still waits behind the drainer's running run
    assert paperclip_api.run(seeded.queued_run_id)["status"] == "queued"


def test_stop_on_a_finished_run_says_it_had_already_finished(seeded, panel, paperclip_api):
    before = paperclip_api.run(seeded.finished_run_id)
    resp = panel.post_as_browser(f"/operations/runs/{seeded.finished_run_id}/cancel")
    assert resp.status_code == 200
    outcome = html(resp).select_one(".ow-outcome")
    assert outcome.get_text(strip=True) == "Run had already finished (succeeded)."
    twin = panel.post_json(f"/api/operations/runs/{seeded.finished_run_id}/cancel")
    assert (twin.status_code, twin.json()["result"], twin.json()["status"]) == (
        200, "already_finished", "succeeded")
    after = paperclip_api.run(seeded.finished_run_id)
    assert (after["status"], after["finishedAt"]) == ("succeeded", before["finishedAt"])


def test_reset_session_reports_paperclips_cleared_count(seeded, panel, paperclip_api, fresh_run):
    # process agents keep no task sessions, so Paperclip's count is whatever it holds: 0 here
    sessions = len(paperclip_api.get(f"/agents/{seeded.quick_agent_id}/task-sessions"))
    twin = panel.post_json(f"/api/operations/agents/{seeded.quick_agent_id}/reset-session")
    assert twin.status_code == 200, twin.text[:300]
    body = twin.json()
    assert body["result"] == "done" and type(body["clearedTaskSessions"]) is int
    assert body["clearedTaskSessions"] == sessions
    state = paperclip_api.get(f"/agents/{seeded.quick_agent_id}/runtime-state")
    assert (state["sessionId"], state["stateJson"]) == (None, {})

    run = fresh_run()  # the Reset button of its agent's card, opened from its row
    row = wait_until(lambda: row_actions.row_of(panel.soup("/operations/agents"), run["id"]), 10)
    assert row is not None
    reset = panel.soup(row_actions.url(row, "card")).select_one(f"#ow-card-reset-{seeded.runner_agent_id}")
    expected = len(paperclip_api.get(f"/agents/{seeded.runner_agent_id}/task-sessions"))
    resp = panel.post_as_browser(reset["hx-post"])
    assert resp.status_code == 200, resp.text[:300]
    noun = "task session" if expected == 1 else "task sessions"
    assert html(resp).select_one(".ow-outcome").get_text(strip=True) == (
        f"Session reset: {expected} {noun} cleared.")
    assert paperclip_api.run(run["id"])["status"] == "running"  # a reset does not stop the run


# ---- bad ids -----------------------------------------------------------------------------
def test_unknown_company_is_an_empty_state_or_a_named_error_never_a_500(seeded, panel_for):
    stranger = str(uuid.uuid4())
    alone = panel_for(seeded.base_url, OPSWEB_COMPANIES=(stranger,))
    resp = alone.get("/api/operations/agents")
    assert resp.status_code == 200, resp.text[:300]
    body = resp.json()
    assert body["runs"] == []
    assert all(e["companyId"] == stranger for e in body["errors"])  # local_trusted: 200 [], no error
    page = alone.soup("/operations/agents")
    if body["errors"]:
        assert page.select_one(f'.ow-error[data-company="{stranger}"]')
    else:
        assert page.select_one(".ow-empty").get_text(strip=True) == "No agent is running or queued."
    # beside a real company, that company's runs are still there
    mixed = panel_for(seeded.base_url, OPSWEB_COMPANIES=(stranger, seeded.company_a_id)).get(
        "/api/operations/agents").json()
    assert seeded.runner_run_id in {r["runId"] for r in mixed["runs"]}


def test_unknown_run_id_is_a_404_with_paperclips_message(panel):
    for path in (f"/api/operations/runs/{UNKNOWN}/log", f"/api/operations/runs/{UNKNOWN}/events"):
        resp = panel.get(path)
        assert (resp.status_code, resp.json()) == (  # Paperclip's words, and the id
            404, {"error": f"Heartbeat run not found (run {UNKNOWN})"}), path
    page = panel.get(f"/operations/runs/{UNKNOWN}/log",
                     headers={"HX-Request": "true", "HX-Target": "ow-log-dialog"})
    assert page.status_code == 404
    assert "Heartbeat run not found" in html(page).select_one(".ow-failure").get_text()
    # Stop and Reset: a failed action carrying Paperclip's 404 and its message, never a 500
    stop = panel.post_json(f"/api/operations/runs/{UNKNOWN}/cancel")
    assert stop.status_code == 404, stop.text[:300]
    assert (stop.json()["result"], stop.json()["upstreamStatus"]) == ("failed", 404)
    assert "Heartbeat run not found" in stop.json()["message"]
    reset = panel.post_json(f"/api/operations/agents/{UNKNOWN}/reset-session")
    assert reset.status_code == 404, reset.text[:300]
    assert (reset.json()["result"], reset.json()["upstreamStatus"]) == ("failed", 404)
    assert "Agent not found" in reset.json()["message"]


@pytest.mark.parametrize("method, path", [
    ("GET", "/operations/runs/not-a-uuid/log"),
    ("GET", "/api/operations/runs/not-a-uuid/log"),
    ("GET", "/api/operations/runs/1234/events"),
    ("GET", "/api/operations/runs/not-a-uuid/log.ndjson"),
    ("POST", "/api/operations/runs/not-a-uuid/cancel"),
    ("POST", "/api/operations/agents/not-a-uuid/reset-session"),
])
def test_malformed_ids_are_a_400_and_paperclip_is_not_called(panel_for, counting_proxy, method, path):
    panel = panel_for(counting_proxy.url)
    panel.get(f"/api/operations/runs/{UNKNOWN}/log")  # the proxy does reach the real server
    assert counting_proxy.seen and counting_proxy.seen[0].startswith(f"GET /api/heartbeat-runs/{UNKNOWN}")
    seen = len(counting_proxy.seen)
    resp = panel.get(path) if method == "GET" else panel.post_json(path)
    assert resp.status_code == 400, resp.text[:300]
    assert "must be a UUID" in resp.text
    assert counting_proxy.seen[seen:] == []
