"""Batches against the REAL Paperclip (2026.916.1): a company of three running agents
paused as one batch (all three paused, their runs cancelled with agent_paused) and the
undo resuming exactly those three; a batch Stop of a queued and a running run; an agent
id Paperclip does not know fails alone while the others are done."""
from __future__ import annotations

import secrets
import time
import uuid

import pytest

from .seed import chatty_script, wait_running_with_output, wait_status

pytestmark = pytest.mark.contract

REASON = "contract: batch"


def finished(panel, batch_id, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        twin = panel.get(f"/api/operations/batches/{batch_id}").json()
        if twin["status"] != "running":
            return twin
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} still running: {twin}")


def wake(paperclip_api, agent_id):
    return paperclip_api.wake(agent_id, "contract: batch", f"contract-{secrets.token_hex(6)}")


@pytest.fixture
def company_of_three(paperclip_api):
    """A company of its own with three agents, each running a run of its own."""
    company = paperclip_api.create_company(f"Batch {secrets.token_hex(3)}")
    agents = [paperclip_api.create_process_agent(company["id"], f"Batch <b>{n}</b>",
                                                 chatty_script(300)) for n in range(3)]
    runs = [wait_running_with_output(paperclip_api, wake(paperclip_api, a["id"])["id"])
            for a in agents]
    yield company, agents, runs
    for agent in agents:
        paperclip_api.post(f"/agents/{agent['id']}/pause")  # ends whatever still runs


def test_a_company_paused_as_one_batch_and_undone(company_of_three, paperclip_api, panel_for,
                                                  seeded):
    company, agents, runs = company_of_three
    panel = panel_for(seeded.base_url, OPSWEB_COMPANIES=(company["id"],))
    resp = panel.post_json(f"/api/operations/companies/{company['id']}/pause",
                           {"reason": REASON})
    assert resp.status_code == 202, resp.text[:300]
    twin = finished(panel, resp.json()["id"])
    assert (twin["total"], twin["done"], twin["failed"], twin["unknown"]) == (3, 3, 0, 0)
    for agent in agents:
        assert paperclip_api.get(f"/agents/{agent['id']}")["status"] == "paused"
    for run in runs:
        ended = wait_status(paperclip_api, run["id"], {"cancelled", "succeeded", "failed"}, 30)
        assert (ended["status"], ended["errorCode"]) == ("cancelled", "agent_paused")
    # a second kill switch finds nothing left to pause: 400, nothing sent
    again = panel.post_json(f"/api/operations/companies/{company['id']}/pause",
                            {"reason": REASON})
    assert again.status_code == 400
    undone = panel.post_json(f"/api/operations/batches/{twin['id']}/undo", {})
    assert undone.status_code == 202, undone.text[:300]
    back = finished(panel, undone.json()["id"])
    assert (back["action"], back["done"], back["failed"]) == ("resume", 3, 0)
    for agent in agents:
        assert paperclip_api.get(f"/agents/{agent['id']}")["status"] != "paused"
    records = [r for r in panel.get("/api/operations/audit").json()["actions"]
               if r["batchId"] == twin["id"]]
    assert len(records) == 3 and {r["reason"] for r in records} == {REASON}


def test_a_batch_stop_of_a_queued_and_a_running_run(paperclip_api, panel_for, seeded):
    company = paperclip_api.create_company(f"Stop {secrets.token_hex(3)}")
    agent = paperclip_api.create_process_agent(company["id"], "One at a time",
                                               chatty_script(300), max_concurrent_runs=1)
    running = wait_running_with_output(paperclip_api, wake(paperclip_api, agent["id"])["id"])
    queued = wake(paperclip_api, agent["id"])
    assert paperclip_api.run(queued["id"])["status"] == "queued"
    panel = panel_for(seeded.base_url, OPSWEB_COMPANIES=(company["id"],))
    resp = panel.post_json("/api/operations/batches", {
        "action": "stop", "runIds": [queued["id"], running["id"]], "reason": REASON})
    assert resp.status_code == 202, resp.text[:300]
    twin = finished(panel, resp.json()["id"])
    assert (twin["done"], twin["failed"], twin["unknown"]) == (2, 0, 0), twin
    assert paperclip_api.run(queued["id"])["status"] == "cancelled"
    wait_status(paperclip_api, running["id"], {"cancelled"}, 30)
    paperclip_api.post(f"/agents/{agent['id']}/pause")  # nothing of its own keeps running


def test_an_agent_unknown_to_paperclip_fails_alone(company_of_three, paperclip_api,
                                                   panel_for, seeded):
    company, agents, _ = company_of_three
    panel = panel_for(seeded.base_url, OPSWEB_COMPANIES=(company["id"],))
    unknown = str(uuid.uuid4())
    ids = [agents[0]["id"], unknown, agents[1]["id"]]
    resp = panel.post_json("/api/operations/batches",
                           {"action": "pause", "agentIds": ids, "reason": REASON})
    twin = finished(panel, resp.json()["id"])
    outcomes = {i["target"]: i["outcome"] for i in twin["items"]}
    assert outcomes == {agents[0]["id"]: "done", unknown: "failed", agents[1]["id"]: "done"}
    assert (twin["done"], twin["failed"], twin["unknown"]) == (2, 1, 0)
