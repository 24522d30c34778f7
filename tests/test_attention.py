"""What needs attention, and the finished runs it is computed from: pure logic on the
in-memory FakePlatform and plain data, with the clock passed in."""
from datetime import datetime, timedelta, timezone

import pytest

from opsweb.fleet import attention, overcap

from opsweb.actions import audit
from opsweb import platform_port as port
from opsweb.fleet.agents import Agents
from opsweb.fleet.attention import Thresholds
from opsweb.fleet.live import FleetReader
from opsweb.fleet.history import CompanyHistory, HistoryReader, finished_run
from tests.fake_platform import FakePlatform

CID = "c0ffee00-0000-4000-8000-0000000000aa"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def agent_id(n: int) -> str:
    return f"a9e00000-0000-4000-8000-0000000001{n:02d}"


def iso(minutes_ago: float) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")


def run(n: int, agent: int, status: str, minutes_ago: float, seconds: float = 2.0,
        error: str | None = None, out_bytes: int = 300, cost: float | None = None) -> dict:
    started = NOW - timedelta(minutes=minutes_ago)
    return {"id": f"b0000000-0000-4000-8000-000000{agent:03d}{n:03d}", "companyId": CID,
            "agentId": agent_id(agent), "status": status, "error": error,
            "errorCode": "adapter_failed" if error else None, "exitCode": 1 if error else 0,
            "startedAt": started.isoformat().replace("+00:00", "Z"),
            "finishedAt": (started + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z"),
            "lastOutputBytes": out_bytes, "createdAt": started.isoformat(),
            "usageJson": {"costUsd": cost, "inputTokens": 40000, "outputTokens": 20}
            if cost is not None else None, "resultJson": None}


def agent(n: int, name: str, status: str = "idle", **extra) -> dict:
    return {"id": agent_id(n), "companyId": CID, "name": name, "status": status,
            "pauseReason": None, "pausedAt": None, "errorReason": None, **extra}


def world(history: list[dict], agents: list[dict]) -> FakePlatform:
    fake = FakePlatform(companies=[{"id": CID, "name": "Acme <Ops>"}])
    fake.history[CID] = sorted(history, key=lambda r: r["startedAt"], reverse=True)
    fake.agents = {a["id"]: a for a in agents}
    return fake


def items_of(fake: FakePlatform, tmp_path, thresholds=Thresholds()) -> list[attention.Item]:
    fleet = FleetReader(fake, (), deadline=2.0)
    history = HistoryReader(fake, deadline=2.0)
    store = audit.open_store(f"sqlite:///{tmp_path}/audit.db")
    found, errors = Agents(fake, fleet, history, store, thresholds).attention(now=NOW)
    assert errors == []
    return found


def test_three_failures_with_the_same_error_are_a_loop_with_its_pause(tmp_path):
    fake = world([run(i, 1, "failed", 10 - i, error="fatal: DATABASE_URL is not set")
                  for i in range(4)], [agent(1, "Deploy Bot")])
    [item] = items_of(fake, tmp_path)
    assert (item.kind, item.agent_name, item.count, item.action) == (
        "failure_loop", "Deploy Bot", 4, "pause")
    assert item.detail == "fatal: DATABASE_URL is not set"
    assert item.since == run(0, 1, "failed", 10)["finishedAt"]  # the streak's oldest failure
    assert item.to_json()["companyId"] == CID and item.to_json()["errorCode"] == "adapter_failed"


def test_different_errors_or_a_success_in_between_break_the_loop(tmp_path):
    mixed = [run(0, 1, "failed", 9, error="a"), run(1, 1, "failed", 8, error="b"),
             run(2, 1, "failed", 7, error="a")]
    broken = [run(0, 2, "failed", 9, error="x"), run(1, 2, "succeeded", 8),
              run(2, 2, "failed", 7, error="x"), run(3, 2, "timed_out", 6, error="x")]
    fake = world(mixed + broken, [agent(1, "Mixed"), agent(2, "Recovered")])
    assert items_of(fake, tmp_path) == []


def test_a_timeout_counts_toward_a_loop_and_the_threshold_is_a_setting(tmp_path):
    runs = [run(i, 1, "timed_out", 5 - i, error="Run timed out") for i in range(2)]
    fake = world(runs, [agent(1, "Slow")])
    assert items_of(fake, tmp_path) == []
    [item] = items_of(fake, tmp_path, Thresholds(loop_runs=2))
    assert item.kind == "failure_loop" and item.count == 2


def test_short_quiet_wakes_are_an_empty_run_burn_with_runs_and_cost_per_hour(tmp_path):
    # every 30 s, 1.5 s long, 300 bytes, $0.29 each: 120 runs/h, $34.80/h
    runs = [run(i, 3, "succeeded", 3 - i * 0.5, seconds=1.5, cost=0.29) for i in range(6)]
    fake = world(runs, [agent(3, "Inbox Poller")])
    [item] = items_of(fake, tmp_path)
    assert (item.kind, item.count, item.action) == ("empty_runs", 5, "pause")
    body = item.to_json()
    assert body["runsPerHour"] == 120.0 and body["costPerHourUsd"] == 34.8
    assert item.detail == "5 short runs with little output · 120 runs/h · $34.80/h"


def test_without_cost_the_burn_still_shows_and_says_nothing_of_money(tmp_path):
    runs = [run(i, 3, "succeeded", 3 - i * 0.5, seconds=1.5) for i in range(5)]
    [item] = items_of(world(runs, [agent(3, "Free Poller")]), tmp_path)
    assert item.to_json()["costPerHourUsd"] is None and "$" not in item.detail


@pytest.mark.parametrize("spoiler", ["long", "loud", "failed"])
def test_one_real_run_among_the_last_five_is_no_burn(spoiler, tmp_path):
    runs = [run(i, 3, "succeeded", 3 - i * 0.5, seconds=1.5) for i in range(4)]
    kw = {"long": dict(seconds=600), "loud": dict(out_bytes=90_000), "failed": {}}[spoiler]
    runs.append(run(9, 3, "failed" if spoiler == "failed" else "succeeded", 0.1,
                    error="boom" if spoiler == "failed" else None, **kw))
    assert items_of(world(runs, [agent(3, "Worker")]), tmp_path) == []


def test_error_and_paused_agents_with_the_action_that_fits(tmp_path):
    fake = world([], [agent(4, "Archivist", "error", errorReason="Workspace not writable"),
                      agent(5, "Drainer", "paused", pauseReason="manual",
                            pausedAt=iso(40))])
    found = {i.kind: i for i in items_of(fake, tmp_path)}
    assert found["agent_error"].detail == "Workspace not writable"
    assert found["agent_error"].action is None
    assert found["paused"].detail == "paused 40 m ago (by hand)"
    assert found["paused"].action == "resume"


def test_a_paused_agent_names_who_paused_it_and_why_from_the_audit_trail():
    a = agent(5, "Drainer", "paused", pauseReason="manual", pausedAt=iso(5))
    history = CompanyHistory(CID, "Acme", [a], [])
    pauses = {agent_id(5): {"operator": "alice", "reason": "drains prod at night"}}
    [item] = attention.company_items(history, Thresholds(), pauses, NOW)
    assert item.detail == "paused 5 m ago by alice: drains prod at night"


def test_a_company_over_the_live_runs_cap_is_an_item(tmp_path):
    cap = {"companyId": CID, "companyName": "Acme", "liveRuns": 55, "addedFromHistory": 5,
           "detail": "…"}
    [item] = attention.items([], [cap], Thresholds(), {}, NOW)
    assert (item.kind, item.count, item.agent_id, item.action) == ("over_cap", 55, None, None)


def test_finished_runs_read_outcome_duration_cost_and_tokens():
    row = run(1, 1, "succeeded", 5, seconds=42, cost=0.29)
    done = finished_run(row, "Acme", {agent_id(1): "Claude"})
    assert (done.agent_name, done.outcome, done.duration_seconds, done.cost_usd,
            done.input_tokens, done.output_bytes) == ("Claude", "succeeded", 42.0, 0.29, 40000, 300)
    assert finished_run({**row, "status": "running"}, "Acme", {}) is None
    # Claude's cost arrives in the summarised resultJson when usage has none
    claude = finished_run({**row, "usageJson": None, "resultJson": {"total_cost_usd": 1.5}},
                          "Acme", {})
    assert claude.cost_usd == 1.5 and claude.agent_name == agent_id(1)
    assert set(done.to_json()) >= {"runId", "agentName", "costUsd", "durationSeconds", "exitCode"}


def test_history_is_read_once_per_company_per_window_whatever_the_viewers(tmp_path):
    fake = world([run(i, 1, "succeeded", 5 - i) for i in range(3)], [agent(1, "A")])
    history = HistoryReader(fake, deadline=2.0, freshness=60)
    companies = [{"id": CID, "name": "Acme"}]
    for _ in range(20):
        assert len(history.read(companies).runs()) == 3
    assert fake.counts["list_heartbeat_runs"] == 1 and fake.counts["list_agents"] == 1
    history.forget(CID)  # after an action: the next read is fresh
    history.read(companies)
    assert fake.counts["list_heartbeat_runs"] == 2


def test_a_company_whose_history_fails_is_an_error_beside_the_others(tmp_path):
    fake = world([], [])
    fake.fail("list_heartbeat_runs", port.UpstreamError("Paperclip failed (500)"))
    history = HistoryReader(fake, deadline=2.0).read([{"id": CID, "name": "Acme"}])
    assert history.errors == [{"companyId": CID, "companyName": "Acme",
                               "error": "Paperclip failed (500)"}]


def test_a_full_live_runs_answer_is_completed_from_heartbeat_runs():
    live = [{"id": f"b0000000-0000-4000-8000-0000000{n:05d}", "status": "running",
             "agentId": agent_id(1)} for n in range(50)]
    older = {**run(1, 1, "running", 300), "finishedAt": None, "lastOutputAt": iso(290),
             "contextSnapshot": {"issueId": "e0000001-0000-4000-8000-000000000001"}}
    fake = world([older, run(2, 1, "succeeded", 400)], [agent(1, "Batch")])
    fake.history[CID].insert(0, dict(live[0]))  # newest: already in live-runs
    fake.agents[agent_id(1)]["adapterType"] = "process"
    completed = overcap.complete(fake, CID, live, now=NOW)
    assert len(completed) == 51
    added = completed[-1]
    assert (added["id"], added["agentName"], added["adapterType"], added["issueId"]) == (
        older["id"], "Batch", "process", "e0000001-0000-4000-8000-000000000001")
    assert added["outputSilence"]["level"] == "critical"  # silent 4 h 50 m
    note = overcap.note({"id": CID, "name": "Acme"}, completed)
    assert note["liveRuns"] == 51 and note["addedFromHistory"] == 1
    assert "1 older running or queued run added" in note["detail"]
    # under the cap nothing else is asked of Paperclip
    assert overcap.complete(fake, CID, live[:49]) == live[:49]
    assert fake.counts["list_heartbeat_runs"] == 1


def test_when_heartbeat_runs_fails_the_cap_is_still_said():
    live = [{"id": str(n), "status": "running"} for n in range(50)]
    fake = world([], [])
    fake.fail("list_heartbeat_runs", port.Timeout("Paperclip did not answer in 3 s"))
    note = overcap.note({"id": CID, "name": "Acme"}, overcap.complete(fake, CID, live))
    assert "older ones may be missing" in note["detail"] and "did not answer" in note["detail"]
