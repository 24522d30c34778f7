"""Stop and Reset session: POSTs with CSRF protection that go through the port to
Paperclip's graceful cancel and runtime-state reset."""
from bs4 import BeautifulSoup

import row_actions

SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"


def outcome(resp):
    return BeautifulSoup(resp.text, "html.parser").select_one(".ow-outcome")


def test_stop_button_cancels_the_run_through_paperclip(demo, panel):
    runs = demo.world.directory()["runs"]
    rid = runs["processRunning"]
    row = row_actions.row_of(panel.soup("/operations"), rid)
    resp = panel.post_as_browser(row_actions.url(row, "stop"))
    assert resp.status_code == 200
    shown = outcome(resp)
    assert shown.get_text(strip=True) == "Run cancelled." and "ow-outcome-done" in shown["class"]
    assert demo.api(f"/heartbeat-runs/{rid}").json()["status"] == "cancelled"
    assert demo.calls()["counts"][f"cancel:{rid}"] == 1
    # the next refresh no longer lists it
    assert not panel.soup("/operations/agents").select_one(f'tr[data-run-id="{rid}"]')


def test_stop_on_a_queued_run_cancels_it_too(demo, panel):
    rid = demo.world.directory()["runs"]["queuedBehindClaude"]
    resp = panel.post_as_browser(f"/operations/runs/{rid}/cancel")
    assert outcome(resp).get_text(strip=True) == "Run cancelled."
    assert demo.api(f"/heartbeat-runs/{rid}").json()["status"] == "cancelled"


def test_stop_on_a_finished_run_says_it_had_already_finished(demo, panel):
    rid = demo.world.directory()["runs"]["succeeded"]
    resp = panel.post_json(f"/api/operations/runs/{rid}/cancel")
    assert resp.status_code == 200
    assert resp.json()["result"] == "already_finished"
    assert resp.json()["message"] == "Run had already finished (succeeded)."
    assert demo.api(f"/heartbeat-runs/{rid}").json()["status"] == "succeeded"


def test_json_twin_of_stop(demo, panel):
    rid = demo.world.directory()["runs"]["codexRunning"]
    resp = panel.post_json(f"/api/operations/runs/{rid}/cancel")
    assert resp.status_code == 200
    assert resp.json() == {"action": "cancel", "id": rid, "result": "done",
                           "message": "Run cancelled.", "status": "cancelled"}


def test_reset_session_reports_the_cleared_task_sessions(demo, panel):
    # it resets the whole agent, so it lives in the agent card, opened from the row
    page = panel.soup("/operations")
    row = page.select_one(f'tr[data-agent-id="{SHELL_AGENT}"]')
    reset = panel.soup(row_actions.url(row, "card")).select_one(f"#ow-card-reset-{SHELL_AGENT}")
    assert reset.get_text(strip=True) == "Reset agent session"
    resp = panel.post_as_browser(reset["hx-post"])
    assert resp.status_code == 200
    text = outcome(resp).get_text(strip=True)
    assert text.startswith("Session reset:") and "task session" in text and "cleared" in text
    twin = panel.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session").json()
    assert twin["result"] == "done" and isinstance(twin["clearedTaskSessions"], int)
    recent = [c for c in demo.calls()["recent"] if c["key"] == f"reset-session:{SHELL_AGENT}"]
    assert len(recent) == 2


def test_browser_post_without_the_csrf_token_is_refused_and_nothing_is_sent(demo, panel):
    rid = demo.world.directory()["runs"]["processRunning"]
    resp = panel.http.post(f"{panel.url}/operations/runs/{rid}/cancel",
                           headers={"HX-Request": "true"}, timeout=10)
    assert resp.status_code == 403 and "CSRF" in resp.text
    assert f"cancel:{rid}" not in demo.calls()["counts"]


def test_cross_origin_post_is_refused(demo, panel):
    rid = demo.world.directory()["runs"]["processRunning"]
    token = panel.csrf_token()
    resp = panel.http.post(f"{panel.url}/operations/runs/{rid}/cancel", timeout=10, headers={
        "X-CSRF-Token": token, "Origin": "http://evil.example"})
    assert resp.status_code == 403
    twin = panel.http.post(f"{panel.url}/api/operations/runs/{rid}/cancel", json={},
                           headers={"Origin": "http://evil.example"}, timeout=10)
    assert twin.status_code == 403 and twin.json()["error"] == "Cross-origin request refused"
    form = panel.http.post(f"{panel.url}/api/operations/runs/{rid}/cancel",
                           data="x=1", timeout=10,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 403
    assert f"cancel:{rid}" not in demo.calls()["counts"]


def test_get_never_changes_anything(demo, panel):
    rid = demo.world.directory()["runs"]["processRunning"]
    assert panel.get(f"/operations/runs/{rid}/cancel").status_code == 405
    assert panel.get(f"/api/operations/runs/{rid}/cancel").status_code == 405
    assert f"cancel:{rid}" not in demo.calls()["counts"]
