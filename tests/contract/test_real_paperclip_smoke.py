"""Smoke test of the real Paperclip the contract suite runs against: the seed is in place and
the four calls the Stop button depends on behave as docs/paperclip-notes.md says."""
from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.contract


def api(seeded, method: str, path: str, **kw) -> requests.Response:
    kw.setdefault("timeout", 15)
    if method == "POST":
        kw.setdefault("json", {})
    return requests.request(method, f"{seeded.base_url}/api{path}", **kw)


def test_live_runs_show_a_running_and_a_queued_run(seeded):
    resp = api(seeded, "GET", f"/companies/{seeded.company_a_id}/live-runs")
    assert resp.status_code == 200, resp.text[:300]
    by_id = {row["id"]: row for row in resp.json()}
    assert by_id[seeded.drainer_run_id]["status"] == "running"
    queued = by_id[seeded.queued_run_id]
    assert queued["status"] == "queued"
    assert queued["startedAt"] is None
    assert queued["agentId"] == seeded.drainer_agent_id
    assert queued["adapterType"] == "process"


def test_live_run_of_an_assigned_issue_carries_the_issue_id(seeded):
    rows = api(seeded, "GET", f"/companies/{seeded.company_b_id}/live-runs").json()
    row = next(r for r in rows if r["id"] == seeded.issue_run_id)
    assert row["status"] == "running"
    assert row["issueId"] == seeded.issue_id
    issue = api(seeded, "GET", f"/issues/{seeded.issue_id}").json()
    assert issue["identifier"] == seeded.issue_identifier


def test_log_of_a_running_run_has_stdout_and_stderr_content(seeded):
    resp = api(seeded, "GET", f"/heartbeat-runs/{seeded.runner_run_id}/log",
               params={"offset": 0, "limitBytes": 256000})
    assert resp.status_code == 200, resp.text[:300]
    page = resp.json()
    records = []
    for line in page["content"].splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            pass  # a page may end mid-record
    stdout = "".join(r["chunk"] for r in records if r["stream"] == "stdout")
    stderr = "".join(r["chunk"] for r in records if r["stream"] == "stderr")
    assert "tick 1 <b>bold</b><script>alert(1)</script>" in stdout
    assert '{"type":"assistant","message":{"content":[{"type":"text","text":"step 1"}]}}' in stdout
    assert "\x1b[31mwarn 1\x1b[0m" in stderr


def test_cancel_of_a_queued_run_is_cancelled_and_a_second_cancel_is_idempotent(seeded):
    # A queued run of our own (the drainer's only slot is taken), so the seeded queued run stays
    # in place for the rest of the contract suite.
    woken = api(seeded, "POST", f"/agents/{seeded.drainer_agent_id}/wakeup",
                json={"source": "on_demand", "triggerDetail": "manual", "reason": "smoke: cancel me",
                      "idempotencyKey": f"smoke-cancel-{seeded.queued_run_id}"})
    assert woken.status_code == 202, woken.text[:300]
    run_id = woken.json()["id"]
    assert api(seeded, "GET", f"/heartbeat-runs/{run_id}").json()["status"] == "queued"

    first = api(seeded, "POST", f"/heartbeat-runs/{run_id}/cancel")
    assert first.status_code == 200, first.text[:300]
    cancelled = first.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["startedAt"] is None
    assert cancelled["finishedAt"]

    second = api(seeded, "POST", f"/heartbeat-runs/{run_id}/cancel")
    assert second.status_code == 200, second.text[:300]
    again = second.json()
    for key in ("id", "status", "finishedAt", "error", "errorCode", "startedAt"):
        assert again[key] == cancelled[key], key

    # The seeded queued run is untouched and still waits behind the running one.
    assert api(seeded, "GET", f"/heartbeat-runs/{seeded.queued_run_id}").json()["status"] == "queued"


def test_cancel_of_a_finished_run_returns_it_unchanged(seeded):
    before = api(seeded, "GET", f"/heartbeat-runs/{seeded.finished_run_id}").json()
    assert before["status"] == "succeeded"
    resp = api(seeded, "POST", f"/heartbeat-runs/{seeded.finished_run_id}/cancel")
    assert resp.status_code == 200, resp.text[:300]
    after = resp.json()
    assert (after["status"], after["finishedAt"]) == ("succeeded", before["finishedAt"])
