"""Guard-rail rules on the in-memory fake and a frozen clock: what a rule finds, what
it does through the audited action path, the brakes, the cool-down after an unknown
outcome, incidents opened and resolved (never because a read failed), and the two
pages with their twins. One evaluation is `watch.tick()`, called by the test."""
from datetime import datetime, timedelta, timezone

import pytest

from opsweb import create_app
from opsweb import platform_port as port
from opsweb.runtime.clock import Clock
from tests.fake_platform import FakePlatform

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
LOOP_ERROR = "EACCES: permission denied, open '/srv/app/.env'"


def cid(n: int) -> str:
    return f"c0ffee00-0000-4000-8000-0000000000{n:02d}"


def aid(company: int, n: int) -> str:
    return f"a9e00000-0000-4000-8000-0000000{company:02d}{n:03d}"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def finished(company: int, agent: int, k: int, status: str, minutes_ago: float,
             error: str | None = None, cost: float | None = None) -> dict:
    started = NOW - timedelta(minutes=minutes_ago)
    return {"id": f"b0000000-0000-4000-8000-{company:02d}{agent:03d}{k:07d}",
            "companyId": cid(company), "agentId": aid(company, agent), "status": status,
            "error": error, "errorCode": "adapter_failed" if error else None,
            "startedAt": _iso(started), "finishedAt": _iso(started + timedelta(seconds=3)),
            "lastOutputBytes": 5000, "usageJson": {"costUsd": cost} if cost else None}


def fleet(companies: int = 1, agents: int = 4, looping: int = 1) -> FakePlatform:
    """`companies` companies of `agents` agents each; in each, the first `looping`
    agents failed their last three runs the same way, the others succeed."""
    fake = FakePlatform(companies=[{"id": cid(c), "name": f"Company {c}"}
                                   for c in range(1, companies + 1)])
    for c in range(1, companies + 1):
        runs = []
        for a in range(1, agents + 1):
            fake.agents[aid(c, a)] = {"id": aid(c, a), "companyId": cid(c), "name": f"agent {c}.{a}",
                                      "status": "idle", "pauseReason": None, "pausedAt": None}
            for k in range(3):
                runs.append(finished(c, a, k, "failed", 30 - 5 * k, LOOP_ERROR) if a <= looping
                            else finished(c, a, k, "succeeded", 40 - 5 * k))
        fake.history[cid(c)] = sorted(runs, key=lambda r: r["startedAt"], reverse=True)
    return fake


RULES = """
[brakes]
max_actions_per_hour = {per_hour}

[[rule]]
name = "loop-breaker"
when = "failure_loop"
do = "pause_agent"
mode = "{mode}"
cooldown_minutes = 60
"""


@pytest.fixture
def guarded(tmp_path):
    """Factory: the app on `fake` with a rules file; returns (app, ops, events)."""
    def make(fake: FakePlatform, rules: str = RULES.format(per_hour=10, mode="act")):
        path = tmp_path / "rules.toml"
        path.write_text(rules)
        app = create_app({"OPSWEB_COMPANIES": (), "OPSWEB_PAPERCLIP_TOKEN": None,
                          "OPSWEB_AUDIT_URL": f"sqlite:///{tmp_path}/audit.db",
                          "OPSWEB_RULES": str(path), "OPSWEB_RULES_INTERVAL": 3600.0},
                         platform=fake, clock=Clock(frozen_at=NOW.timestamp()))
        ops = app.extensions["opsweb"]
        events = []
        ops.watch.set_publish(lambda event, **kw: events.append((event, kw)))
        return app, ops, events
    return make


def test_loop_breaker_pauses_the_looping_agent_once_audited_with_its_evidence(guarded):
    fake = fleet()
    app, ops, events = guarded(fake)
    ops.watch.tick()
    assert fake.calls.count(("pause_agent", aid(1, 1))) == 1
    assert fake.counts["pause_agent"] == 1  # only the looping agent
    record = ops.audit.recent(5)[0]
    assert (record.action, record.operator, record.result) == ("pause", "rule:loop-breaker", "done")
    assert record.reason.startswith("3 failures in a row since 11:30 UTC: EACCES")
    ops.watch.tick()
    ops.watch.tick()
    assert fake.counts["pause_agent"] == 1  # paused now, and cooling down anyway
    kinds = [e for e, _ in events]
    assert kinds.count("rule.acted") == 1 and "incident.opened" in kinds
    acted = next(kw["action"] for e, kw in events if e == "rule.acted")
    assert (acted["rule"], acted["action"], acted["mode"], acted["outcome"], acted["agentId"]) == (
        "loop-breaker", "pause_agent", "act", "done", aid(1, 1))
    # the loop incident is over (the agent is paused now: an incident of its own)
    listed = {i.kind: i for i in ops.incidents.listed()}
    assert listed["failure_loop"].resolved_at and listed["failure_loop"].actions[0]["outcome"] == "done"
    assert listed["paused"].resolved_at is None
    assert ops.incidents.open_count() == 1


def test_a_watch_rule_only_records_and_notifies(guarded):
    fake = fleet()
    app, ops, events = guarded(fake, RULES.format(per_hour=10, mode="watch"))
    ops.watch.tick()
    assert fake.counts["pause_agent"] == 0 and ops.audit.recent(5) == []
    (action,) = ops.watch.twin()["rules"][0]["actions"]
    assert (action["mode"], action["outcome"]) == ("watch", "would_act")
    assert [e for e, _ in events].count("rule.would_act") == 1
    ops.watch.tick()  # within the cool-down: recorded once
    assert len(ops.watch.twin()["rules"][0]["actions"]) == 1


def test_the_brake_stops_the_eleventh_action(guarded):
    fake = fleet(companies=11, agents=3, looping=1)  # a third of each company, not more
    app, ops, events = guarded(fake)
    ops.watch.tick()
    assert fake.counts["pause_agent"] == 10
    twin = ops.watch.twin()
    assert twin["brakes"] == {"maxActionsPerHour": 10, "actionsThisHour": 10}
    outcomes = sorted(a["outcome"] for a in twin["rules"][0]["actions"])
    assert outcomes == ["done"] * 9 + ["held"]  # the ten newest of eleven
    held = next(a for a in twin["rules"][0]["actions"] if a["outcome"] == "held")
    assert "max_actions_per_hour" in held["detail"]


def test_a_rule_that_would_pause_over_a_third_of_a_company_only_notifies(guarded):
    fake = fleet(agents=5, looping=2)
    app, ops, events = guarded(fake)
    ops.watch.tick()
    assert fake.counts["pause_agent"] == 0
    actions = ops.watch.twin()["rules"][0]["actions"]
    assert [a["outcome"] for a in actions] == ["held", "held"]
    assert "more than a third" in actions[0]["detail"]


def test_an_unknown_outcome_is_not_repeated_within_the_cooldown(guarded):
    fake = fleet()
    fake.fail("pause_agent", port.Timeout("Paperclip did not answer in 15 s"))
    app, ops, events = guarded(fake)
    ops.watch.tick()
    ops.watch.tick()
    assert fake.counts["pause_agent"] == 1
    assert ops.watch.twin()["rules"][0]["actions"][0]["outcome"] == "unknown"
    assert ops.audit.recent(1)[0].result == "unknown"


def test_an_unreadable_company_gets_no_action_and_keeps_its_incidents_open(guarded):
    fake = fleet(agents=4, looping=1)
    app, ops, events = guarded(fake, RULES.format(per_hour=10, mode="watch"))
    ops.watch.tick()
    assert ops.incidents.open_count() == 1
    fake.fail("list_heartbeat_runs", port.BadResponse("Paperclip answered garbage"))
    ops.agents.changed(None)  # the next read is fresh, and fails
    ops.watch.tick()
    assert ops.incidents.open_count() == 1  # a failed read resolves nothing
    rule = ops.watch.twin()["rules"][0]
    assert "Paperclip could not be read" in rule["state"] and "garbage" in rule["state"]


def test_the_rules_and_incidents_pages_and_twins(guarded):
    fake = fleet()
    app, ops, events = guarded(fake)
    ops.watch.tick()
    ops.watch.tick()  # sees the agent paused
    client = app.test_client()
    twin = client.get("/api/operations/rules").get_json()
    assert twin["evaluator"]["acting"] is True and twin["evaluator"]["instance"]
    assert twin["rules"][0]["lastFiredAt"] and twin["rules"][0]["mode"] == "act"
    fragment = client.get("/operations/rules", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and 'ow-act-resume' in fragment  # the Pause's undo
    assert "<html" in client.get("/operations/rules").text
    incidents = client.get("/api/operations/incidents").get_json()["incidents"]
    assert [i["kind"] for i in incidents] == ["paused", "failure_loop"]  # newest first
    assert client.get("/api/operations/incidents?open=1").get_json()["incidents"][0]["kind"] == "paused"
    assert client.get("/api/operations/incidents?since=2030-01-01T00:00:00Z").get_json()[
        "incidents"] == [i for i in incidents if i["resolvedAt"] is None]
    assert client.get("/api/operations/incidents?since=yesterday").status_code == 400
    assert client.get("/api/operations/incidents?open=yes").status_code == 400
    page = client.get("/operations/incidents").text
    assert "<html" in page and "agent 1.1" in page
    metrics = client.get("/metrics").text
    assert 'opsweb_rule_actions_total{action="pause_agent",outcome="done",rule="loop-breaker"} 1.0' in metrics
    assert 'opsweb_incidents_open{kind="paused"} 1.0' in metrics


def test_with_sqlite_the_instance_holding_the_file_lock_acts(tmp_path):
    from opsweb.watch.lease import FileLease
    first, second = FileLease(str(tmp_path / "lock")), FileLease(str(tmp_path / "lock"))
    assert first.claim().acting and first.still_holds(5)
    seen = second.claim()
    assert not seen.acting and seen.instance == first.instance and not second.still_holds(5)
    first.release()  # as when its process dies: the kernel drops the lock
    assert second.claim().acting and not first.acting()


def test_a_silent_rule_stops_the_silent_run_and_holds_back_where_it_would_hit_a_third(
        guarded, fake):
    """The demo world: Night Watch's run is 95 min silent (one of Acme's seven agents);
    in Globex two of five agents have runs silent for hours: more than a third."""
    from opsweb.demo.seed import RUN_ROLES
    app, ops, events = guarded(fake, """
[[rule]]
name = "silent-stop"
when = "silent"
minutes = 45
do = "stop_run"
mode = "act"
""")
    ops.watch.tick()
    ops.watch.tick()
    assert [c for c in fake.calls if c[0] == "cancel_run"] == [
        ("cancel_run", RUN_ROLES["suspicious"])]
    actions = ops.watch.twin()["rules"][0]["actions"]
    assert sorted((a["runId"], a["outcome"]) for a in actions) == sorted([
        (RUN_ROLES["suspicious"], "done"), (RUN_ROLES["critical"], "held"),
        (RUN_ROLES["snoozed"], "held")])
    record = ops.audit.recent(1)[0]
    assert (record.action, record.operator, record.run_id) == (
        "cancel", "rule:silent-stop", RUN_ROLES["suspicious"])
    assert record.reason.startswith(f"run {RUN_ROLES['suspicious'][:8]}: no output for 1 h 3")


def test_a_queued_backlog_rule_cancels_the_agents_queued_runs(guarded, fake):
    from opsweb.demo.seed import RUN_ROLES
    app, ops, events = guarded(fake, """
[[rule]]
name = "drain"
when = "queued_backlog"
count = 1
do = "cancel_queued"
mode = "act"
""")
    ops.watch.tick()
    assert [c for c in fake.calls if c[0] == "cancel_run"] == [
        ("cancel_run", RUN_ROLES["queuedBehindClaude"])]
    (action,) = ops.watch.twin()["rules"][0]["actions"]
    assert (action["agentName"], action["outcome"]) == ("Claude Coder", "done")
    assert action["detail"].startswith("1 queued runs (limit 1)")


def test_a_spend_rate_rule_sums_the_last_hours_finished_runs(guarded):
    fake = fleet(agents=4, looping=0)
    for run in fake.history[cid(1)]:
        if run["agentId"] == aid(1, 2):
            run["usageJson"] = {"costUsd": 0.5}
    app, ops, events = guarded(fake, """
[[rule]]
name = "spend"
when = "spend_rate"
usd_per_hour = 1
do = "pause_agent"
mode = "watch"
""")
    ops.watch.tick()
    (action,) = ops.watch.twin()["rules"][0]["actions"]
    assert (action["agentId"], action["outcome"]) == (aid(1, 2), "would_act")
    assert action["detail"] == "$1.50 in the last hour from 3 finished runs (limit $1.00/h)"
    assert fake.counts["pause_agent"] == 0
