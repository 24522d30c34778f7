"""Agents, not just runs, end to end over the demo Paperclip: Pause and Resume with a
reason in the audit trail, the agent card, recently finished runs, the attention
strip, live runs past Paperclip's cap of 50, and bad input on every new route."""
import json
import re

import pytest
import requests
from bs4 import BeautifulSoup

import row_actions

from opsweb.demo.seed import ACME, AGENT_ROLES, GLOBEX, INITECH

SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"  # "Shell <b>Bot</b>", running
PAUSED = AGENT_ROLES["paused"]            # Queue Drainer
LOOP = AGENT_ROLES["failureLoop"]         # Deploy Bot
BURNER = AGENT_ROLES["emptyRuns"]         # Inbox Poller
ERRORED = AGENT_ROLES["agentError"]       # Archivist
UNKNOWN_AGENT = "a9e00000-0000-4000-8000-0000000000ff"


@pytest.fixture
def audited(demo, panel_for, tmp_path):
    return panel_for(demo.url, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db",
                     OPSWEB_TIMEOUT=4.0)


def post_form(panel, path: str, **form):
    """What the page's prompt sends: the reason as a form field, with the CSRF token."""
    return panel.http.post(panel.url + path, data=form, timeout=30, headers={
        "HX-Request": "true", "X-CSRF-Token": panel.csrf_token(), "Origin": panel.url})


def last_action(panel) -> dict:
    return panel.get("/api/operations/audit?limit=1").json()["actions"][0]


def sent(demo, key: str) -> int:
    return demo.calls()["counts"].get(key, 0)


# ---- Pause and Resume -------------------------------------------------------------------
def test_pause_from_a_row_cancels_its_runs_and_holds_the_agent_with_the_reason(demo, audited):
    rid = demo.world.directory()["runs"]["processRunning"]
    row = audited.soup("/operations").select_one(f'tr[data-run-id="{rid}"]')
    assert "its timer stops waking it until resumed" in row_actions.prompt(row, "pause")
    resp = post_form(audited, row_actions.url(row, "pause"), reason="loops on the deploy lock")
    assert resp.status_code == 200 and json.loads(resp.headers["HX-Trigger"]) == {"opsweb-changed": {"target": "body"}}
    shown = BeautifulSoup(resp.text, "html.parser").select_one(".ow-outcome")
    assert "ow-outcome-done" in shown["class"] and shown.get_text().startswith("Agent paused")
    agent = demo.api(f"/agents/{SHELL_AGENT}").json()
    assert agent["status"] == "paused" and agent["pauseReason"] == "manual"
    run = demo.api(f"/heartbeat-runs/{rid}").json()
    assert (run["status"], run["errorCode"]) == ("cancelled", "agent_paused")
    record = last_action(audited)
    assert (record["action"], record["outcome"], record["reason"], record["operator"]) == (
        "pause", "done", "loops on the deploy lock", "local")
    assert (record["agentName"], record["companyName"]) == ("Shell <b>Bot</b>", "Acme Ops")
    assert record["paperclipUrl"] == demo.url and record["agentId"] == SHELL_AGENT
    # the run it cancelled is under recent runs, cancelled by this operator
    recent = audited.get("/api/operations/recent?outcome=cancelled").json()["runs"]
    mine = next(r for r in recent if r["runId"] == rid)
    assert (mine["errorCode"], mine["cancelledBy"]) == ("agent_paused", "local")


def test_pause_and_resume_twins_are_idempotent_and_resume_wakes_the_timer_again(demo, audited):
    first = audited.post_json(f"/api/operations/agents/{LOOP}/pause", {"reason": "crash loop"})
    again = audited.post_json(f"/api/operations/agents/{LOOP}/pause")
    for resp in (first, again):
        assert resp.status_code == 200
        assert resp.json() | {"message": ""} == {"action": "pause", "id": LOOP,
                                                 "result": "done", "status": "paused",
                                                 "message": ""}
    resumed = audited.post_json(f"/api/operations/agents/{LOOP}/resume", {})
    assert resumed.status_code == 200
    assert (resumed.json()["result"], resumed.json()["status"]) == ("done", "idle")
    assert demo.api(f"/agents/{LOOP}").json()["status"] == "idle"
    # a wake works again (while paused it is refused: see the next test)
    assert requests.post(f"{demo.url}/api/agents/{LOOP}/wakeup", json={},
                         timeout=10).status_code == 202
    assert sent(demo, f"pause:{LOOP}") == 2 and sent(demo, f"resume:{LOOP}") == 1


def test_a_wake_while_paused_is_refused_by_the_demo_like_paperclip(demo):
    resp = requests.post(f"{demo.url}/api/agents/{PAUSED}/wakeup", json={}, timeout=10)
    assert resp.status_code == 409
    assert resp.json()["error"] == "Agent is not invokable in its current state"
    assert resp.json()["details"]["agentStatus"] == "paused"


def test_malformed_agent_ids_never_reach_paperclip_and_unknown_ones_are_404(demo, audited):
    for action in ("pause", "resume"):
        bad = audited.post_json(f"/api/operations/agents/not-a-uuid/{action}")
        assert bad.status_code == 400 and "agent id must be a UUID" in bad.json()["error"]
        unknown = audited.post_json(f"/api/operations/agents/{UNKNOWN_AGENT}/{action}")
        assert unknown.status_code == 404
        assert (unknown.json()["result"], unknown.json()["upstreamStatus"]) == ("failed", 404)
        assert "Agent not found" in unknown.json()["message"]
    assert not [k for k in demo.calls()["counts"] if "not-a-uuid" in k]
    assert audited.get("/api/operations/agents/not-a-uuid").status_code == 400
    assert audited.get(f"/api/operations/agents/{UNKNOWN_AGENT}").status_code == 404


def test_pause_that_times_out_is_unknown_and_never_retried(demo, panel_for, tmp_path):
    panel = panel_for(demo.url, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db",
                      OPSWEB_ACTION_TIMEOUT=0.2)  # reads keep their 2 s
    demo.control("POST", "/faults", companyId=None, mode="slow", delayMs=500)
    resp = panel.post_json(f"/api/operations/agents/{BURNER}/pause")
    assert resp.status_code == 504 and resp.json()["result"] == "unknown"
    assert "look at the run again" in resp.json()["message"]
    assert sent(demo, f"pause:{BURNER}") == 1


@pytest.mark.parametrize("reason, why", [
    ("x" * 301, "too long"),
    ("first line\nsecond line", "control characters"),
    ("bell \x07", "control characters"),
    ("<img src=x onerror=alert(1)>", "not markup"),
    ("</script>", "not markup"),
])
def test_bad_reasons_are_refused_before_anything_is_sent_or_recorded(demo, audited, reason, why):
    for send in (lambda p: audited.post_json(p, {"reason": reason}),
                 lambda p: post_form(audited, p.replace("/api", ""), reason=reason)):
        resp = send(f"/api/operations/agents/{BURNER}/pause")
        assert resp.status_code == 400 and why in resp.text
    json_stop = audited.post_json(f"/api/operations/runs/{demo.world.directory()['runs']['codexRunning']}/cancel",
                                  {"reason": reason})
    assert json_stop.status_code == 400
    assert audited.post_json(f"/api/operations/agents/{BURNER}/resume",
                             {"reason": 42}).status_code == 400
    assert sent(demo, f"pause:{BURNER}") == 0
    assert audited.get("/api/operations/audit").json()["actions"] == []


def test_a_reason_with_symbols_and_any_script_is_kept_as_typed(demo, audited):
    reason = "latency > 5 s & costs ~$70/h — שלום"
    assert audited.post_json(f"/api/operations/agents/{BURNER}/pause",
                             {"reason": reason}).status_code == 200
    assert last_action(audited)["reason"] == reason
    soup = audited.soup("/operations/attention")
    item = soup.select_one(f'li[data-kind="paused"][data-agent-id="{BURNER}"]')
    assert reason in item.get_text() and "by local" in item.get_text()


def test_stop_and_reset_take_a_reason_too(demo, audited):
    rid = demo.world.directory()["runs"]["claudeRunning"]
    assert audited.post_json(f"/api/operations/runs/{rid}/cancel",
                             {"reason": "stuck on a prompt"}).status_code == 200
    stop = last_action(audited)
    assert (stop["reason"], stop["agentName"], stop["companyName"]) == (
        "stuck on a prompt", "Claude Coder", "Acme Ops")
    resp = post_form(audited, f"/operations/agents/{SHELL_AGENT}/reset-session",
                     reason="fresh start")
    assert resp.status_code == 200 and last_action(audited)["reason"] == "fresh start"


# ---- the agent card ---------------------------------------------------------------------
def test_the_agent_card_shows_a_paused_agent_its_runs_and_resume(demo, panel):
    card = panel.soup(f"/operations/agents/{PAUSED}")
    assert card.select_one(".ow-agent-status").get_text() == "paused"
    assert "(Paperclip: by hand)" in card.select_one(".ow-run-state").get_text()
    assert card.select_one(f"#ow-card-resume-{PAUSED}")["hx-post"].endswith(f"{PAUSED}/resume")
    assert not card.select(f"#ow-card-pause-{PAUSED}")
    assert card.select_one(f"#ow-card-reset-{PAUSED}").get_text() == "Reset agent session"
    [last] = card.select(".ow-finished-row")
    assert last["data-outcome"] == "cancelled" and "Cancelled due to agent pause" in last.get_text()
    twin = panel.get(f"/api/operations/agents/{PAUSED}").json()
    assert (twin["status"], twin["pauseReason"], twin["companyName"]) == (
        "paused", "manual", "Acme Ops")
    assert twin["heartbeat"]["enabled"] is True and twin["recentRuns"][0]["errorCode"] == "agent_paused"
    # without htmx it is a page of its own, with the dialog for logs
    page = BeautifulSoup(panel.get(f"/operations/agents/{PAUSED}").text, "html.parser")
    assert page.select_one("html") and page.select_one("#ow-log-dialog")


def test_the_card_of_a_running_agent_stops_its_runs_and_escapes_its_name(demo, panel):
    card = panel.soup(f"/operations/agents/{SHELL_AGENT}")
    assert not card.select(".ow-agent-card b")  # "Shell <b>Bot</b>" stays text
    assert "Shell <b>Bot</b>" in card.select_one("#ow-log-title").get_text()
    rid = demo.world.directory()["runs"]["processRunning"]
    stop = card.select_one(f"#ow-card-stop-{rid}")
    assert stop["hx-post"].endswith(f"/runs/{rid}/cancel")
    assert card.select_one(f"#ow-card-pause-{SHELL_AGENT}")
    spend = panel.get(f"/api/operations/agents/{BURNER}").json()
    # its runs (1.74) on top of the seeded month (opsweb/demo/costs.py)
    assert spend["spentMonthlyUsd"] == 43.04 and spend["budgetMonthlyUsd"] == 50.0
    assert (spend["agentId"], spend["agentName"]) == (BURNER, "Inbox Poller") and "id" not in spend


# ---- recently finished runs ---------------------------------------------------------------
def test_recent_lists_every_outcome_newest_first_with_cost_and_a_log(demo, panel):
    body = panel.get("/api/operations/recent?limit=200").json()
    assert body["errors"] == []
    runs = body["runs"]
    assert {r["outcome"] for r in runs} == {"succeeded", "failed", "cancelled", "timed_out",
                                            "interrupted"}
    finished = [r["finishedAt"] for r in runs]
    assert finished == sorted(finished, reverse=True)
    burn = next(r for r in runs if r["agentId"] == BURNER)
    assert (burn["costUsd"], burn["inputTokens"], burn["outputTokens"]) == (0.29, 41000, 24)
    timed_out = next(r for r in runs if r["outcome"] == "timed_out")
    assert (timed_out["error"], timed_out["errorCode"]) == ("Run timed out", "timeout")
    soup = panel.soup("/operations/recent")
    root = soup.select_one("#ow-recent-runs")
    assert "every 15s" in root["hx-trigger"] and "opsweb-changed" in root["hx-trigger"]
    log = soup.select_one(f'tr[data-finished-run-id="{timed_out["runId"]}"] button')
    assert panel.get(log["hx-get"], headers={"HX-Request": "true"}).status_code == 200


def test_recent_filters_live_in_the_url(demo, panel):
    failed = panel.get(f"/api/operations/recent?outcome=failed&company={ACME}").json()["runs"]
    assert failed and all(r["outcome"] == "failed" and r["companyId"] == ACME for r in failed)
    deploy = panel.get("/api/operations/recent?agent=deploy&limit=2").json()["runs"]
    assert len(deploy) == 2 and {r["agentName"] for r in deploy} == {"Deploy Bot"}
    soup = panel.soup(f"/operations/recent?company={GLOBEX}&outcome=succeeded")
    assert f"company={GLOBEX}" in soup.select_one("#ow-recent-runs")["hx-get"]
    assert {r["data-outcome"] for r in soup.select(".ow-finished-row")} == {"succeeded"}


@pytest.mark.parametrize("query, status", [
    ("outcome=exploded", 400), ("company=acme", 400), ("limit=0", 400), ("limit=201", 400),
    ("limit=ten", 400), ("colour=red", 400), ("agent=" + "a" * 65, 400)])
def test_recent_refuses_bad_filters(panel, query, status):
    for prefix in ("/api/operations", "/operations"):
        resp = panel.get(f"{prefix}/recent?{query}")
        assert resp.status_code == status, (prefix, query, resp.text[:200])
    assert "error" in panel.get(f"/api/operations/recent?{query}").json()


def test_attention_takes_no_parameters(panel):
    assert panel.get("/api/operations/attention?kind=paused").status_code == 400


# ---- needs attention ----------------------------------------------------------------------
def test_the_attention_strip_shows_the_loop_the_burn_the_error_and_the_paused(demo, panel):
    body = panel.get("/api/operations/attention").json()
    kinds = {(i["kind"], i["agentId"]): i for i in body["items"]}
    loop = kinds[("failure_loop", LOOP)]
    assert (loop["agentName"], loop["count"], loop["detail"], loop["action"]) == (
        "Deploy Bot", 4, "Process exited with code 1", "pause")
    burn = kinds[("empty_runs", BURNER)]
    assert burn["costPerHourUsd"] == 34.8 and burn["runsPerHour"] == 120.0
    assert kinds[("agent_error", ERRORED)]["detail"] == "Workspace /srv/archive is not writable"
    assert kinds[("paused", PAUSED)]["action"] == "resume"
    soup = panel.soup("/operations/attention")
    item = soup.select_one(f'li[data-kind="failure_loop"][data-agent-id="{LOOP}"]')
    button = item.select_one("button.ow-act-pause")
    assert button.get_text() == "Pause" and button["hx-post"].endswith(f"/agents/{LOOP}/pause")
    assert "Reason (optional" in json.loads(button["data-ow-confirm"])["reason"]
    assert soup.select_one("#ow-attention")["hx-headers"]  # its buttons carry the CSRF token
    # the page loads it above the live runs
    page = panel.soup("/operations")
    main = page.select_one("main")
    lazy = [d["hx-get"] for d in main.select("div[hx-get]")]
    assert lazy == ["/operations/attention", "/operations/recent", "/operations/notifications"]
    assert str(main).index("/operations/attention") < str(main).index('id="ow-agents"')


def test_pausing_the_loop_from_the_strip_turns_it_into_a_paused_item(demo, panel):
    soup = panel.soup("/operations/attention")
    button = soup.select_one(f'li[data-agent-id="{LOOP}"] button.ow-act-pause')
    assert post_form(panel, button["hx-post"], reason="").status_code == 200
    after = {(i["kind"], i["agentId"]) for i in panel.get("/api/operations/attention").json()["items"]}
    assert ("paused", LOOP) in after and ("failure_loop", LOOP) not in after


def test_metrics_count_attention_items_by_kind(demo, panel):
    text = panel.get("/metrics").text
    for kind, n in (("failure_loop", 1), ("empty_runs", 1), ("agent_error", 1), ("paused", 1),
                    ("over_cap", 0)):
        assert f'opsweb_attention_items{{kind="{kind}"}} {n}.0' in text, kind


# ---- more than 50 live runs -----------------------------------------------------------------
def test_a_company_over_fifty_live_runs_shows_all_of_them_and_says_so(demo, panel):
    demo.control("POST", "/crowd", runs=55)
    assert len(demo.api(f"/companies/{INITECH}/live-runs").json()) == 50
    fleet = panel.get(f"/api/operations/agents?company={INITECH}").json()
    assert len(fleet["runs"]) == 55
    [cap] = fleet["capped"]
    assert (cap["companyId"], cap["liveRuns"], cap["addedFromHistory"]) == (INITECH, 55, 5)
    soup = panel.soup(f"/operations/agents?company={INITECH}")
    [group] = soup.select("tr.ow-group")  # one agent runs them all: one row says how many
    assert group["data-runs"] == "55"
    agent = fleet["runs"][0]["agentId"]
    expanded = panel.soup(f"/operations/agents?company={INITECH}&agent={agent}")
    assert len(expanded.select("tr.ow-row")) == 55
    note = soup.select_one(".ow-capped")
    assert "at most 50 live runs" in note.get_text() and "5 older" in note.get_text()
    items = panel.get("/api/operations/attention").json()["items"]
    assert [i["count"] for i in items if i["kind"] == "over_cap"] == [55]
    assert re.search(r'opsweb_attention_items\{kind="over_cap"\} 1\.0', panel.get("/metrics").text)


def test_paperclip_drops_the_pause_reason_so_the_card_shows_opswebs(demo, audited):
    """POST /api/agents/:id/pause ignores its body: Paperclip says "manual". The prompt
    says so where the reason is typed; the card shows the trail's reason beside it."""
    rid = demo.world.directory()["runs"]["processRunning"]
    row = audited.soup("/operations").select_one(f'tr[data-run-id="{rid}"]')
    assert "kept in opsweb's audit trail" in row_actions.prompt(row, "pause")
    assert post_form(audited, row_actions.url(row, "pause"),
                     reason="loops on the deploy lock").status_code == 200
    card = audited.soup(f"/operations/agents/{SHELL_AGENT}")
    state = card.select_one(".ow-run-state")
    assert "manual" in state.get_text() and "kept in opsweb's audit trail" in state.get_text()
    assert state.select_one(".ow-opsweb-pause").get_text() == (
        "opsweb: paused by local: loops on the deploy lock")
    twin = audited.get(f"/api/operations/agents/{SHELL_AGENT}").json()
    assert twin["pauseReason"] == "manual"
    assert (twin["opswebPause"]["operator"], twin["opswebPause"]["reason"]) == (
        "local", "loops on the deploy lock")
