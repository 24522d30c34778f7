"""Guard-rail rules against the REAL Paperclip (2026.916.1): an agent failing the same
way on every wake is paused once by the `loop-breaker` rule (Paperclip shows
pauseReason, and the run that was running ends cancelled with errorCode agent_paused);
a `watch` rule only records; with `max_actions_per_hour = 1` the brake holds the
second action. Everything in a company of this test's own."""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time

import pytest
from hostile_upstream import found_within

from .seed import wait_running_with_output, wait_status

pytestmark = pytest.mark.contract
FINISHED = {"succeeded", "failed", "cancelled", "timed_out", "interrupted"}


def looping_script(counter: str) -> str:
    """Fails the same way on its first three wakes; later wakes hang (running) after
    the same line, so the pause finds a run to cancel."""
    return (f'n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}; '
            'echo "applying migration 0042"; '
            'if [ "$n" -ge 3 ]; then echo "waiting for the lock" >&2; sleep 300; fi; '
            'echo "EACCES: permission denied" >&2; exit 3')


def _wake(api, agent_id: str) -> dict:
    return api.wake(agent_id, "contract: guard rails",
                    idempotency_key=f"contract-{secrets.token_hex(6)}")



@pytest.fixture
def looping(paperclip_api):
    """A company of its own with two agents in a failure loop (three failed runs each);
    the first also has a fourth run running. Paused agents are resumed afterwards."""
    company = paperclip_api.create_company(f"Guard {secrets.token_hex(3)}")
    # Paperclip may run its processes as another user: a folder anyone can write to
    counters = tempfile.mkdtemp(prefix="opsweb-guard-")
    os.chmod(counters, 0o777)
    agents = []
    for n in (1, 2):
        agent = paperclip_api.create_process_agent(
            company["id"], f"Looper {n} <b>{secrets.token_hex(2)}</b>",
            looping_script(os.path.join(counters, f"wakes-{n}")), max_concurrent_runs=1)
        for _ in range(3):
            wait_status(paperclip_api, _wake(paperclip_api, agent["id"])["id"], FINISHED)
        agents.append(agent)
    running = wait_running_with_output(paperclip_api, _wake(paperclip_api, agents[0]["id"])["id"])
    yield company, agents, running
    for agent in agents:
        paperclip_api.post(f"/agents/{agent['id']}/resume")
    for row in paperclip_api.get(f"/companies/{company['id']}/live-runs"):
        paperclip_api.post(f"/heartbeat-runs/{row['id']}/cancel")
    shutil.rmtree(counters, ignore_errors=True)


def test_loop_breaker_pauses_once_watch_only_records_and_the_brake_holds(
        seeded, paperclip_api, panel_for, looping, tmp_path):
    company, (first, second), running = looping
    rules = tmp_path / "rules.toml"
    rules.write_text(f"""
[brakes]
max_actions_per_hour = 1

[[rule]]
name = "loop-breaker"
when = "failure_loop"
do = "pause_agent"
mode = "act"
agents = ["{first['id']}"]

[[rule]]
name = "loop-watch"
when = "failure_loop"
do = "pause_agent"
mode = "watch"
agents = ["{second['id']}"]

[[rule]]
name = "second-breaker"
when = "failure_loop"
do = "pause_agent"
mode = "act"
agents = ["{second['id']}"]
""")
    panel = panel_for(seeded.base_url, OPSWEB_COMPANIES=company["id"], OPSWEB_RULES=str(rules),
                      OPSWEB_RULES_INTERVAL=0.5, OPSWEB_HISTORY_FRESHNESS=1.0,
                      OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db")
    try:
        paused = found_within("the looping agent is paused", lambda: (
            lambda a: a if a["status"] == "paused" else None)(
            paperclip_api.get(f"/agents/{first['id']}")), 60)
        assert paused["pauseReason"] == "manual"
        ended = wait_status(paperclip_api, running["id"], FINISHED)
        assert (ended["status"], ended["errorCode"]) == ("cancelled", "agent_paused")
        time.sleep(2)  # more evaluations: nothing repeated, nothing else sent
        twin = {r["name"]: r for r in panel.get("/api/operations/rules").json()["rules"]}
        assert [(a["outcome"], a["agentId"]) for a in twin["loop-breaker"]["actions"]] == [
            ("done", first["id"])]
        assert twin["loop-breaker"]["actions"][0]["detail"].startswith("3 failures in a row since")
        assert [a["outcome"] for a in twin["loop-watch"]["actions"]] == ["would_act"]
        assert [a["outcome"] for a in twin["second-breaker"]["actions"]] == ["held"]
        assert "max_actions_per_hour" in twin["second-breaker"]["actions"][0]["detail"]
        assert paperclip_api.get(f"/agents/{second['id']}")["status"] != "paused"
        audit = panel.get("/api/operations/audit").json()["actions"]
        assert [(a["operator"], a["action"], a["agentId"], a["outcome"]) for a in audit] == [
            ("rule:loop-breaker", "pause", first["id"], "done")]
        incidents = panel.get("/api/operations/incidents").json()["incidents"]
        loop = next(i for i in incidents if i["agentId"] == first["id"] and i["kind"] == "failure_loop")
        assert loop["resolvedAt"] and loop["actions"][0]["rule"] == "loop-breaker"
    finally:
        panel.app.extensions["opsweb"].watch.stop()
