"""Agents, not just runs, against the REAL Paperclip (2026.916.1): Pause cancels a
running run (errorCode agent_paused) and holds the agent — a wake is refused — until
Resume; the run shows under recent runs with who paused it; the agent card, recent runs
and the attention strip read real data; a malformed agent id never reaches Paperclip.

Each test pauses an agent of its own, so the seeded agents keep running for the rest
of the suite.
"""
from __future__ import annotations

import secrets

import pytest
from bs4 import BeautifulSoup

from .seed import chatty_script, wait_running_with_output, wait_status
from .test_panel_contract import CountingProxy

pytestmark = pytest.mark.contract


@pytest.fixture
def panel(seeded, panel_for):
    return panel_for(seeded.base_url, OPSWEB_COMPANIES=seeded.company_ids)


@pytest.fixture
def own_agent(seeded, paperclip_api):
    """A process agent of this test's own in company A; resumed and idle afterwards."""
    agent = paperclip_api.create_process_agent(
        seeded.company_a_id, f"Pausable <i>{secrets.token_hex(2)}</i>", chatty_script(300))
    yield agent
    paperclip_api.post(f"/agents/{agent['id']}/resume")
    for row in paperclip_api.get(f"/companies/{seeded.company_a_id}/live-runs"):
        if row["agentId"] == agent["id"]:
            paperclip_api.post(f"/heartbeat-runs/{row['id']}/cancel")


def wake(paperclip_api, agent_id: str, expect=(202,)):
    return paperclip_api.call("POST", f"/agents/{agent_id}/wakeup", {
        "source": "on_demand", "triggerDetail": "manual", "reason": "contract: agents",
        "idempotencyKey": f"contract-{secrets.token_hex(6)}"}, expect=expect)


def test_pause_cancels_the_running_run_holds_the_agent_and_resume_releases_it(
        seeded, panel, paperclip_api, own_agent):
    aid = own_agent["id"]
    run = wait_running_with_output(paperclip_api, wake(paperclip_api, aid)["id"])

    paused = panel.post_json(f"/api/operations/agents/{aid}/pause",
                             {"reason": "contract: hold it"})
    assert paused.status_code == 200, paused.text[:300]
    assert (paused.json()["result"], paused.json()["status"]) == ("done", "paused")
    ended = wait_status(paperclip_api, run["id"], {"cancelled", "succeeded", "failed"}, 30)
    assert (ended["status"], ended["errorCode"]) == ("cancelled", "agent_paused")
    assert ended["error"] == "Cancelled due to agent pause"

    # a wake while paused is refused by Paperclip itself
    refused = wake(paperclip_api, aid, expect=(409,))
    assert refused["error"] == "Agent is not invokable in its current state"

    # the cancelled run is under recent runs, with who paused the agent
    recent = panel.get(f"/api/operations/recent?agent={aid}").json()
    assert recent["errors"] == []
    mine = next(r for r in recent["runs"] if r["runId"] == run["id"])
    assert (mine["outcome"], mine["errorCode"], mine["cancelledBy"]) == (
        "cancelled", "agent_paused", "local")
    assert mine["agentName"] == own_agent["name"] and mine["durationSeconds"] > 0

    # the card and the attention strip read the paused agent
    card = panel.get(f"/api/operations/agents/{aid}").json()
    assert (card["status"], card["pauseReason"]) == ("paused", "manual") and card["pausedAt"]
    assert card["recentRuns"][0]["runId"] == run["id"] and card["liveRuns"] == []
    items = panel.get("/api/operations/attention").json()["items"]
    [item] = [i for i in items if i["agentId"] == aid]
    assert (item["kind"], item["action"]) == ("paused", "resume")
    assert "by local: contract: hold it" in item["detail"]
    record = panel.get("/api/operations/audit?limit=1").json()["actions"][0]
    assert (record["agentName"], record["reason"], record["paperclipUrl"]) == (
        own_agent["name"], "contract: hold it", seeded.base_url)

    resumed = panel.post_json(f"/api/operations/agents/{aid}/resume", {})
    assert resumed.status_code == 200, resumed.text[:300]
    assert (resumed.json()["result"], resumed.json()["status"]) == ("done", "idle")
    again = wait_running_with_output(paperclip_api, wake(paperclip_api, aid)["id"])
    assert again["status"] == "running"


def test_the_agent_card_page_shows_real_status_runs_and_escapes_the_name(
        seeded, panel, paperclip_api, own_agent):
    aid = own_agent["id"]
    run = wait_running_with_output(paperclip_api, wake(paperclip_api, aid)["id"])
    card = BeautifulSoup(panel.get(f"/operations/agents/{aid}",
                                   headers={"HX-Request": "true"}).text, "html.parser")
    assert not card.select(".ow-agent-card i")  # "<i>…</i>" in the name stays text
    assert own_agent["name"] in card.select_one("#ow-log-title").get_text()
    assert card.select_one(".ow-agent-status").get_text() == "running"
    assert card.select_one(f"#ow-card-stop-{run['id']}")
    assert card.select_one(f"#ow-card-pause-{aid}")
    twin = panel.get(f"/api/operations/agents/{aid}").json()
    assert [r["runId"] for r in twin["liveRuns"]] == [run["id"]]
    assert (twin["agentId"], twin["companyId"]) == (aid, seeded.company_a_id)
    # a run writing now is followed, not silent: its newest entry says when it wrote
    log = panel.get(f"/api/operations/runs/{run['id']}/log").json()
    assert log["lastOutputAt"] and 0 <= log["silentSeconds"] < 3600
    # Paperclip sets lastHeartbeatAt when a run ends: null during the agent's first run
    assert twin["heartbeat"]["lastHeartbeatAt"] is None and twin["heartbeat"]["enabled"] is False


def test_recent_reads_the_real_finished_runs(seeded, panel):
    runs = panel.get("/api/operations/recent?limit=200").json()["runs"]
    quick = next(r for r in runs if r["runId"] == seeded.finished_run_id)
    assert (quick["outcome"], quick["agentName"], quick["exitCode"]) == ("succeeded", "Quick", 0)
    assert quick["startedAt"] and quick["finishedAt"] and quick["outputBytes"] > 0
    page = BeautifulSoup(panel.get("/operations/recent?limit=200",
                                   headers={"HX-Request": "true"}).text, "html.parser")
    log = page.select_one(f'tr[data-finished-run-id="{seeded.finished_run_id}"] button')
    assert panel.get(log["hx-get"], headers={"HX-Request": "true"}).status_code == 200


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/operations/agents/not-a-uuid/pause"),
    ("POST", "/api/operations/agents/not-a-uuid/resume"),
    ("GET", "/api/operations/agents/not-a-uuid"),
    ("GET", "/operations/agents/1234"),
])
def test_a_malformed_agent_id_never_reaches_paperclip(seeded, panel_for, method, path):
    proxy = CountingProxy(seeded.base_url)
    try:
        panel = panel_for(proxy.url, OPSWEB_COMPANIES=seeded.company_ids)
        resp = panel.get(path) if method == "GET" else panel.post_json(path)
        assert resp.status_code == 400, resp.text[:300]
        assert "agent id must be a UUID" in resp.text
        assert not [seen for seen in proxy.seen if "/agents/" in seen]
    finally:
        proxy.served.stop()


def test_an_unknown_agent_is_a_404_with_paperclips_message(panel):
    unknown = "00000000-0000-4000-8000-00000000dead"
    for action in ("pause", "resume"):
        resp = panel.post_json(f"/api/operations/agents/{unknown}/{action}")
        assert resp.status_code == 404 and "Agent not found" in resp.json()["message"]
    assert panel.get(f"/api/operations/agents/{unknown}").status_code == 404
