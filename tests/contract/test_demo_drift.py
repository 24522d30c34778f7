"""The demo server (opsweb/demo) checked against the REAL Paperclip, live.

For every Paperclip route opsweb uses, the demo's answers and the real server's answers
(of comparable runs, agents and issues) must have the same fields with the same JSON
types, nested objects included (`outputSilence`, `execution`, `identityHistory[]`, ...).
A null matches any type (the real field is nullable there); a field present on one side
and absent on the other is drift. Several samples per side are merged, so that a field
which is null in one sample is still typed by another. Error answers (unknown and
malformed ids, a queued run's log) must be the same status with the same body, since
opsweb matches Paperclip's messages ("Run log not found").

A failure prints one line per difference: `<route>.<field path>: ...`.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from opsweb.demo import ACME, GLOBEX, RUN_ROLES
from json_kinds import kind

pytestmark = pytest.mark.contract

UNKNOWN = "00000000-0000-4000-8000-000000000000"
DEMO_PROCESS_AGENT = "a9e00013-0000-4000-8000-000000000013"  # "Shell <b>Bot</b>", process
DEMO_RESET_AGENT = "a9e00011-0000-4000-8000-000000000011"    # keeps task sessions
DEMO_ISSUE = "e0000012-0000-4000-8000-000000000012"           # OPS-12
# Objects whose content is the agent's or the host's own (adapter config, environment,
# wake context, adapter result): compared as "an object", not field by field.
FREE_FORM = {"adapterConfig", "contextSnapshot", "resultJson", "usageJson", "payload",
             "stateJson", "sessionParamsJson", "metadata"}


# ---- shapes -----------------------------------------------------------------------------
def shape(samples: list, name: str = "") -> dict:
    """The merged shape of several JSON values: the JSON types seen, the fields of the
    objects (union over samples, each merged in turn; `always` tells whether every object
    had it) and of the array items."""
    types, objects, items = set(), [], []
    for value in samples:
        types.add(kind(value))
        if isinstance(value, dict):
            objects.append(value)
        elif isinstance(value, list):
            items.extend(value)
    fields = None
    if objects and name not in FREE_FORM:
        grouped: dict[str, list] = {}
        for obj in objects:
            for key, value in obj.items():
                grouped.setdefault(key, []).append(value)
        fields = {key: {**shape(values, key), "always": len(values) == len(objects)}
                  for key, values in grouped.items()}
    return {"types": types, "fields": fields, "items": shape(items, name) if items else None}


def drift(demo: dict, real: dict, path: str) -> list[str]:
    out = []
    demo_types, real_types = demo["types"] - {"null"}, real["types"] - {"null"}
    if demo_types and real_types and demo_types != real_types:
        out.append(f"{path}: demo is {'|'.join(sorted(demo_types))}, "
                   f"real is {'|'.join(sorted(real_types))}")
    if demo["fields"] is not None and real["fields"] is not None:
        d, r = demo["fields"], real["fields"]
        out += [f"{path}.{k}: missing in the demo (real: {'|'.join(sorted(r[k]['types']))})"
                for k in sorted(set(r) - set(d))]
        out += [f"{path}.{k}: only in the demo ({'|'.join(sorted(d[k]['types']))}), not in real"
                for k in sorted(set(d) - set(r))]
        for k in sorted(set(d) & set(r)):
            if d[k]["always"] != r[k]["always"]:
                out.append(f"{path}.{k}: " + ("absent from some demo answers, in every real one"
                                              if r[k]["always"] else
                                              "in every demo answer, absent from some real ones"))
            out += drift(d[k], r[k], f"{path}.{k}")
    if demo["items"] is not None and real["items"] is not None:
        out += drift(demo["items"], real["items"], f"{path}[]")
    return out


def assert_no_drift(route: str, demo_samples: list, real_samples: list) -> None:
    assert demo_samples and real_samples, f"{route}: nothing to compare"
    found = drift(shape(demo_samples), shape(real_samples), route)
    assert not found, (f"the demo server drifted from the real Paperclip on {route} "
                       f"({len(found)}):\n  " + "\n  ".join(found))


# ---- both servers ---------------------------------------------------------------------------
class Side:
    """One Paperclip (demo or real) and the ids of comparable things on it."""

    def __init__(self, name: str, base_url: str, ids: dict):
        self.name, self.base, self.ids = name, base_url.rstrip("/"), ids

    def call(self, method: str, path: str, expect: int = 200, **kw):
        kw.setdefault("timeout", 15)
        if method == "POST" and "data" not in kw:
            kw.setdefault("json", {})
        resp = requests.request(method, f"{self.base}/api{path}", **kw)
        assert resp.status_code == expect, (
            f"{self.name} {method} {path}: HTTP {resp.status_code} (expected {expect}): {resp.text[:300]}")
        return resp.json()

    def get(self, path: str, **kw):
        return self.call("GET", path, **kw)

    def runs(self, *roles: str) -> list[dict]:
        return [self.get(f"/heartbeat-runs/{self.ids[role]}") for role in roles]


def _month() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-01T00:00:00.000Z")


@pytest.fixture
def demo_side(demo) -> Side:
    roles = RUN_ROLES
    return Side("demo", demo.url, {
        "companies": (ACME, GLOBEX),
        "running": [roles["processRunning"], roles["claudeRunning"], roles["codexRunning"]],
        "queued": roles["queuedBehindClaude"], "finished": roles["succeeded"],
        "process_running": roles["processRunning"], "process_agent": DEMO_PROCESS_AGENT,
        "agents": None, "reset_agent": DEMO_RESET_AGENT, "issue": DEMO_ISSUE,
        "all_runs": list(roles.values()),
        "spend_company": GLOBEX,  # an agent's budget past 80 %, its soft incident
    })


@pytest.fixture
def real_side(seeded, spend_seeded) -> Side:
    return Side("real", seeded.base_url, {
        "companies": seeded.company_ids,
        "running": list(seeded.running_run_ids),
        "queued": seeded.queued_run_id, "finished": seeded.finished_run_id,
        "process_running": seeded.runner_run_id, "process_agent": seeded.runner_agent_id,
        "agents": [seeded.runner_agent_id, seeded.drainer_agent_id, seeded.quick_agent_id,
                   seeded.issue_agent_id],
        "reset_agent": seeded.quick_agent_id, "issue": seeded.issue_id,
        "all_runs": [*seeded.running_run_ids, seeded.queued_run_id, seeded.finished_run_id],
        "spend_company": spend_seeded.company_id,
    })


def live_rows(side: Side, status: str) -> list[dict]:
    return [row for cid in side.ids["companies"] for row in side.get(f"/companies/{cid}/live-runs")
            if row["status"] == status]


def all_agents(side: Side) -> list[dict]:
    ids = side.ids["agents"] or [a["id"] for cid in side.ids["companies"]
                                 for a in side.get(f"/companies/{cid}/agents")]
    return [side.get(f"/agents/{aid}") for aid in ids]


# ---- fields and types, route by route -----------------------------------------------------
READS = {
    "GET /health": lambda s: [s.get("/health")],
    "GET /companies": lambda s: [s.get("/companies")],
    "GET /companies/:id/live-runs (running)": lambda s: live_rows(s, "running"),
    "GET /companies/:id/live-runs (queued)": lambda s: live_rows(s, "queued"),
    "GET /heartbeat-runs/:id (running)": lambda s: [s.get(f"/heartbeat-runs/{r}") for r in s.ids["running"]],
    "GET /heartbeat-runs/:id (queued)": lambda s: s.runs("queued"),
    "GET /heartbeat-runs/:id (succeeded)": lambda s: s.runs("finished"),
    "GET /heartbeat-runs/:id (every seeded run)": lambda s: [s.get(f"/heartbeat-runs/{r}")
                                                             for r in s.ids["all_runs"]],
    "GET /heartbeat-runs/:id/log (a page, more follows)": lambda s: [s.get(
        f"/heartbeat-runs/{s.ids['process_running']}/log", params={"offset": 0, "limitBytes": 100})],
    "GET /heartbeat-runs/:id/log (to the end)": lambda s: [s.get(
        f"/heartbeat-runs/{s.ids['finished']}/log", params={"offset": 0, "limitBytes": 1048576})],
    "GET /heartbeat-runs/:id/events (running)": lambda s: [s.get(
        f"/heartbeat-runs/{s.ids['process_running']}/events", params={"afterSeq": 0, "limit": 200})],
    "GET /heartbeat-runs/:id/events (succeeded)": lambda s: [s.get(
        f"/heartbeat-runs/{s.ids['finished']}/events", params={"afterSeq": 0, "limit": 200})],
    "GET /agents/:id (process agent)": lambda s: [s.get(f"/agents/{s.ids['process_agent']}")],
    "GET /agents/:id (every agent)": all_agents,
    "GET /issues/:id": lambda s: [s.get(f"/issues/{s.ids['issue']}")],
    "POST /heartbeat-runs/:id/cancel (succeeded: unchanged)": lambda s: [s.call(
        "POST", f"/heartbeat-runs/{s.ids['finished']}/cancel")],
    "POST /agents/:id/runtime-state/reset-session": lambda s: [s.call(
        "POST", f"/agents/{s.ids['reset_agent']}/runtime-state/reset-session")],
    "GET /companies/:id/agents": lambda s: [a for cid in s.ids["companies"]
                                            for a in s.get(f"/companies/{cid}/agents")],
    "GET /companies/:id/heartbeat-runs": lambda s: [r for cid in s.ids["companies"] for r in s.get(
        f"/companies/{cid}/heartbeat-runs", params={"limit": 100})],
    "GET /companies/:id/costs/summary?from=": lambda s: [s.get(
        f"/companies/{s.ids['spend_company']}/costs/summary", params={"from": _month()})],
    "GET /companies/:id/costs/by-agent?from=": lambda s: s.get(
        f"/companies/{s.ids['spend_company']}/costs/by-agent", params={"from": _month()}),
    "GET /companies/:id/costs/window-spend": lambda s: s.get(
        f"/companies/{s.ids['spend_company']}/costs/window-spend"),
    "GET /companies/:id/budgets/overview": lambda s: [s.get(
        f"/companies/{s.ids['spend_company']}/budgets/overview")],
    "GET /companies/:id/heartbeat-runs?summary=true": lambda s: [
        r for cid in s.ids["companies"] for r in s.get(
            f"/companies/{cid}/heartbeat-runs", params={"limit": 100, "summary": "true"})],
}


@pytest.mark.parametrize("route", list(READS))
def test_demo_answers_have_the_real_fields_and_types(route, demo_side, real_side):
    assert_no_drift(route, READS[route](demo_side), READS[route](real_side))


def test_demo_events_have_the_real_fields_and_types_across_every_run(demo_side, real_side):
    def events(side):
        return [e for rid in side.ids["all_runs"]
                for e in side.get(f"/heartbeat-runs/{rid}/events", params={"afterSeq": 0})]
    assert_no_drift("GET /heartbeat-runs/:id/events (every seeded run)",
                     events(demo_side), events(real_side))


def test_cancel_of_a_running_run_and_the_run_after_it_match_the_real_ones(demo_side, real_side, fresh_run):
    real_run = fresh_run()  # our own: cancelling it leaves the seeded runs alone
    real_cancel = real_side.call("POST", f"/heartbeat-runs/{real_run['id']}/cancel")
    demo_run = demo_side.ids["process_running"]
    demo_cancel = demo_side.call("POST", f"/heartbeat-runs/{demo_run}/cancel")
    assert (demo_cancel["status"], real_cancel["status"]) == ("cancelled", "cancelled")
    assert_no_drift("POST /heartbeat-runs/:id/cancel (running)", [demo_cancel], [real_cancel])
    assert_no_drift("GET /heartbeat-runs/:id (cancelled while running)",
                    [demo_side.get(f"/heartbeat-runs/{demo_run}")],
                    [real_side.get(f"/heartbeat-runs/{real_run['id']}")])
    assert_no_drift("GET /heartbeat-runs/:id/events (cancelled while running)",
                    demo_side.get(f"/heartbeat-runs/{demo_run}/events"),
                    real_side.get(f"/heartbeat-runs/{real_run['id']}/events"))


def test_cancel_of_a_queued_run_matches_the_real_one(demo_side, real_side, seeded, fresh_run):
    real_run = fresh_run(seeded.drainer_agent_id, "queued")
    real_cancel = real_side.call("POST", f"/heartbeat-runs/{real_run['id']}/cancel")
    demo_cancel = demo_side.call("POST", f"/heartbeat-runs/{demo_side.ids['queued']}/cancel")
    assert (demo_cancel["status"], real_cancel["status"]) == ("cancelled", "cancelled")
    assert_no_drift("POST /heartbeat-runs/:id/cancel (queued)", [demo_cancel], [real_cancel])


def test_pause_a_wake_while_paused_and_resume_match_the_real_ones(demo_side, real_side, seeded,
                                                                 paperclip_api):
    """An agent of its own on the real side (pausing a seeded one would cancel its run)."""
    from .seed import chatty_script, wait_running_with_output, wait_status

    agent = paperclip_api.create_process_agent(seeded.company_a_id, "Drift Pause",
                                               chatty_script(120))
    real_run = wait_running_with_output(paperclip_api, paperclip_api.wake(agent["id"], "drift")["id"])
    demo_agent, demo_run = demo_side.ids["process_agent"], demo_side.ids["process_running"]
    answers = {}
    try:
        for side, aid, rid in ((demo_side, demo_agent, demo_run),
                               (real_side, agent["id"], real_run["id"])):
            paused = side.call("POST", f"/agents/{aid}/pause")
            if side is real_side:
                wait_status(paperclip_api, rid, {"cancelled"}, 30)
            wake = requests.post(f"{side.base}/api/agents/{aid}/wakeup", json={}, timeout=15)
            answers[side.name] = {
                "pause": paused, "paused agent": side.get(f"/agents/{aid}"),
                "run cancelled by the pause": side.get(f"/heartbeat-runs/{rid}"),
                "its list row": [r for r in side.get(
                    f"/companies/{paused['companyId']}/heartbeat-runs",
                    params={"agentId": aid, "summary": "true"}) if r["id"] == rid],
                "wake while paused": (wake.status_code, {**wake.json(), "details": {
                    **wake.json().get("details", {}), "agentId": "…"}}),
                "resume": side.call("POST", f"/agents/{aid}/resume")}
    finally:
        paperclip_api.post(f"/agents/{agent['id']}/resume")
    demo, real = answers["demo"], answers["real"]
    assert demo["wake while paused"] == real["wake while paused"]
    for what in ("pause", "paused agent", "run cancelled by the pause", "its list row", "resume"):
        assert_no_drift(f"{what}", demo[what] if isinstance(demo[what], list) else [demo[what]],
                        real[what] if isinstance(real[what], list) else [real[what]])
    for side in (demo, real):
        row = side["run cancelled by the pause"]
        assert (row["status"], row["errorCode"], row["error"]) == (
            "cancelled", "agent_paused", "Cancelled due to agent pause")
        assert (side["pause"]["status"], side["pause"]["pauseReason"]) == ("paused", "manual")
        assert (side["resume"]["status"], side["resume"]["pausedAt"]) == ("idle", None)


# ---- error answers: same status, same body ---------------------------------------------------
ERRORS = [
    # (what, method, path; {unknown}/{queued} are filled in per side)
    ("unknown run", "GET", "/heartbeat-runs/{unknown}"),
    ("unknown run's log", "GET", "/heartbeat-runs/{unknown}/log"),
    ("unknown run's events", "GET", "/heartbeat-runs/{unknown}/events"),
    ("cancel of an unknown run", "POST", "/heartbeat-runs/{unknown}/cancel"),
    ("queued run's log", "GET", "/heartbeat-runs/{queued}/log"),
    ("queued run's events", "GET", "/heartbeat-runs/{queued}/events"),
    ("unknown company's live runs", "GET", "/companies/{unknown}/live-runs"),
    ("unknown agent", "GET", "/agents/{unknown}"),
    ("reset-session of an unknown agent", "POST", "/agents/{unknown}/runtime-state/reset-session"),
    ("unknown issue", "GET", "/issues/{unknown}"),
    ("malformed run id", "GET", "/heartbeat-runs/not-a-uuid"),
    ("malformed run id's log", "GET", "/heartbeat-runs/not-a-uuid/log"),
    ("malformed run id's events", "GET", "/heartbeat-runs/not-a-uuid/events"),
    ("cancel of a malformed run id", "POST", "/heartbeat-runs/not-a-uuid/cancel"),
    ("malformed company id's live runs", "GET", "/companies/not-a-uuid/live-runs"),
    ("malformed agent id", "GET", "/agents/not-a-uuid"),
    ("reset-session of a malformed agent id", "POST", "/agents/not-a-uuid/runtime-state/reset-session"),
    ("malformed issue id", "GET", "/issues/not-a-uuid"),
    ("pause of an unknown agent", "POST", "/agents/{unknown}/pause"),
    ("resume of an unknown agent", "POST", "/agents/{unknown}/resume"),
    ("pause of a malformed agent id", "POST", "/agents/not-a-uuid/pause"),
    ("resume of a malformed agent id", "POST", "/agents/not-a-uuid/resume"),
    ("agents with a query parameter", "GET", "/companies/{company}/agents?status=paused"),
    ("reset-session without a JSON body", "POST-BARE", "/agents/{reset_agent}/runtime-state/reset-session"),
    ("unknown company's cost summary", "GET", "/companies/{unknown}/costs/summary"),
    ("malformed company id's cost summary", "GET", "/companies/not-a-uuid/costs/summary"),
    ("cost summary from a date that is none", "GET", "/companies/{company}/costs/summary?from=soon"),
    ("unknown company's costs by agent", "GET", "/companies/{unknown}/costs/by-agent"),
]


@pytest.mark.parametrize("what, method, path", ERRORS, ids=[e[0] for e in ERRORS])
def test_demo_error_answers_are_the_real_ones(what, method, path, demo_side, real_side):
    answers = {}
    for side in (demo_side, real_side):
        url = f"{side.base}/api" + path.format(unknown=UNKNOWN, queued=side.ids["queued"],
                                              reset_agent=side.ids["reset_agent"],
                                              company=side.ids["companies"][0])
        if method == "POST-BARE":
            resp = requests.post(url, timeout=15)
        else:
            resp = requests.request(method, url, json={} if method == "POST" else None, timeout=15)
        try:
            body = resp.json()
        except ValueError:
            body = resp.text[:300]
        answers[side.name] = (resp.status_code, body)
    verb = "POST" if method.startswith("POST") else method
    assert answers["demo"] == answers["real"], (
        f"the demo server drifted from the real Paperclip on {verb} {path} ({what}):\n"
        f"  demo: HTTP {answers['demo'][0]} {answers['demo'][1]}\n"
        f"  real: HTTP {answers['real'][0]} {answers['real'][1]}")
