"""The built-in demo Paperclip, driven over real HTTP like opsweb drives Paperclip.

Shapes are checked against answers captured from a real Paperclip 2026.916.1
(tests/fixtures/paperclip-2026.916.1*/): same field names, same JSON types.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
import requests

from opsweb.demo import ACME, GLOBEX, RUN_ROLES, Clock, DemoServer
from json_kinds import kind

FIXTURES = Path(__file__).parent / "fixtures" / "paperclip-2026.916.1"
EXTRA = Path(__file__).parent / "fixtures" / "paperclip-2026.916.1-extra"
T0 = 1_795_000_000.0  # a frozen "now" (2026-11-18), so every answer is deterministic
CLAUDE_CODER = "a9e00011-0000-4000-8000-000000000011"  # maxConcurrentRuns 1
SHELL_BOT = "a9e00013-0000-4000-8000-000000000013"
ARCHIVIST = "a9e00024-0000-4000-8000-000000000024"  # idle at start, heartbeat on
UNKNOWN = "00000000-0000-4000-8000-000000000000"
TOKEN = "pcp_board_" + "ab" * 24


# ---- helpers ----------------------------------------------------------------------------
def real(name: str):
    path = FIXTURES / name if (FIXTURES / name).exists() else EXTRA / name
    if not path.exists():
        pytest.skip(f"no captured answer {name}")
    return json.loads(path.read_text(encoding="utf-8"))


# objects whose content is free-form (adapter output, config, env): compared by type only
OPEN_OBJECTS = {"contextSnapshot", "resultJson", "usageJson", "payload", "adapterConfig",
                "runnerProfileJson", "stateJson", "sessionParamsJson", "metadata",
                "interactionResolverGovernance", "nativeRecovery"}


def assert_same_shape(demo, captured, where="$"):
    """Same keys at every level and the same JSON type wherever both sides are non-null."""
    if demo is None or captured is None:
        return
    assert kind(demo) == kind(captured), f"{where}: demo {kind(demo)}, real {kind(captured)}"
    if isinstance(captured, dict) and where.rsplit(".", 1)[-1] not in OPEN_OBJECTS:
        assert set(demo) == set(captured), (
            f"{where}: extra {sorted(set(demo) - set(captured))}, "
            f"missing {sorted(set(captured) - set(demo))}")
        for key in captured:
            assert_same_shape(demo[key], captured[key], f"{where}.{key}")
    elif isinstance(captured, list) and captured:
        for item in demo:
            assert_same_shape(item, captured[0], f"{where}[]")


@pytest.fixture
def paperclip():
    server = DemoServer(autoplay=False, clock=Clock(frozen_at=T0)).start()
    yield server
    server.stop()


def get(server, path, **kw):
    kw.setdefault("timeout", 10)
    return requests.get(f"{server.url}/api{path}", **kw)


def post(server, path, body=None, **kw):
    kw.setdefault("timeout", 10)
    return requests.post(f"{server.url}/api{path}", json=body, **kw)


def control(server, method, path, body=None, **kw):
    resp = requests.request(method, f"{server.url}/__demo{path}", json=body, timeout=30, **kw)
    assert resp.status_code < 400, (path, resp.status_code, resp.text[:300])
    return resp.json()


def new_run(server, agent=SHELL_BOT, **body):
    return control(server, "POST", "/runs", {"agentId": agent, "status": "running", **body})


def whole_log(server, run_id) -> str:
    return get(server, f"/heartbeat-runs/{run_id}/log", params={"limitBytes": 1048576}).json()["content"]


def stdout_lines(log_text: str) -> list[str]:
    """Envelopes -> stdout joined across chunks -> lines (what the panel's parser sees)."""
    envelopes = [json.loads(line) for line in log_text.splitlines()]
    return "".join(e["chunk"] for e in envelopes if e["stream"] == "stdout").splitlines()


# ---- shapes match the real server -------------------------------------------------------
def test_health_reports_the_demo_version_in_the_real_shape(paperclip):
    body = get(paperclip, "/health").json()
    assert body["status"] == "ok"
    assert body["version"] == "2026.916.1-demo"
    assert body["deploymentMode"] == "local_trusted"
    assert_same_shape(body, real("health.json"))


def test_companies_and_company_have_the_real_shape(paperclip):
    companies = get(paperclip, "/companies").json()
    assert [c["name"] for c in companies] == ["Acme Ops", "Globex Research"]
    assert_same_shape(companies, real("companies.json"))
    assert_same_shape(get(paperclip, f"/companies/{ACME}").json(), real("companies.json")[0])


def test_live_runs_rows_have_the_real_shape(paperclip):
    captured = {row["status"]: row for row in real("live-runs.json")}
    rows = get(paperclip, f"/companies/{ACME}/live-runs").json()
    assert {r["status"] for r in rows} == {"running", "queued"}
    for row in rows:
        assert_same_shape(row, captured[row["status"]], f"$[{row['agentName']}]")


def test_run_log_events_and_issues_have_the_real_shape(paperclip):
    rid = RUN_ROLES["claudeRunning"]
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{rid}").json(), real("run-running.json"))
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{rid}/log",
                          params={"limitBytes": 1000}).json(), real("log-page-1.json"))
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{rid}/events").json(),
                      real("events-running.json"))
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{rid}/issues").json(),
                      real("run-issues.json"))
    queued = get(paperclip, f"/heartbeat-runs/{RUN_ROLES['queuedBehindClaude']}").json()
    assert_same_shape(queued, real("run-queued.json"))


def test_finished_and_cancelled_runs_have_the_real_shape(paperclip):
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{RUN_ROLES['succeeded']}").json(),
                      real("run-finished.json"))
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{RUN_ROLES['cancelled']}").json(),
                      real("run-cancelled.json"))
    assert_same_shape(get(paperclip, f"/heartbeat-runs/{RUN_ROLES['succeeded']}/events").json(),
                      real("events-finished.json"))


def test_agents_issues_and_history_have_the_real_shape(paperclip):
    assert_same_shape(get(paperclip, f"/agents/{CLAUDE_CODER}").json(), real("agent.json"))
    assert_same_shape(get(paperclip, f"/companies/{ACME}/agents").json(),
                      real("company-agents.json"))
    assert_same_shape(get(paperclip, "/issues/OPS-12").json(), real("issue.json"))
    assert_same_shape(get(paperclip, f"/companies/{ACME}/heartbeat-runs").json(),
                      real("company-heartbeat-runs.json"))


# ---- live-runs ------------------------------------------------------------------------
def test_live_runs_lists_only_queued_and_running_newest_first(paperclip):
    rows = get(paperclip, f"/companies/{ACME}/live-runs").json()
    assert all(r["status"] in ("queued", "running") for r in rows)
    created = [r["createdAt"] for r in rows]
    assert created == sorted(created, reverse=True)
    assert all(r["logBytes"] is None for r in rows)  # null while live
    assert len(get(paperclip, f"/companies/{ACME}/live-runs", params={"limit": 2}).json()) == 2


def test_min_count_pads_with_recent_finished_runs(paperclip):
    live = get(paperclip, f"/companies/{GLOBEX}/live-runs").json()
    padded = get(paperclip, f"/companies/{GLOBEX}/live-runs", params={"minCount": 5}).json()
    assert len(padded) == 5 and padded[: len(live)] == live
    assert {r["status"] for r in padded[len(live):]} <= {"succeeded", "failed", "cancelled"}
    assert padded[-1]["outputSilence"]["level"] == "not_applicable"
    one = get(paperclip, f"/companies/{GLOBEX}/live-runs", params={"minCount": 5, "limit": 1})
    assert len(one.json()) == 1


def test_unknown_company_has_no_live_runs_and_a_malformed_one_is_a_500(paperclip):
    assert get(paperclip, f"/companies/{UNKNOWN}/live-runs").json() == []
    resp = get(paperclip, "/companies/acme/live-runs")
    assert (resp.status_code, resp.json()) == (500, {"error": "Internal server error"})


def test_silence_levels_of_the_seeded_runs(paperclip):
    rows = {r["id"]: r for cid in (ACME, GLOBEX)
            for r in get(paperclip, f"/companies/{cid}/live-runs").json()}
    level = {rid: rows[rid]["outputSilence"]["level"] for rid in rows}
    assert level[RUN_ROLES["suspicious"]] == "suspicious"
    assert level[RUN_ROLES["critical"]] == "critical"
    assert level[RUN_ROLES["snoozed"]] == "snoozed"
    assert level[RUN_ROLES["claudeRunning"]] == "ok"
    queued = rows[RUN_ROLES["queuedBehindClaude"]]["outputSilence"]
    assert (queued["level"], queued["silenceAgeMs"]) == ("not_applicable", None)
    assert rows[RUN_ROLES["critical"]]["outputSilence"]["silenceAgeMs"] >= 4 * 3600 * 1000


def test_silence_grows_with_the_clock_from_ok_to_suspicious_to_critical(paperclip):
    run = new_run(paperclip)
    control(paperclip, "POST", f"/runs/{run['id']}/output", {"stream": "stdout", "chunk": "hi\n"})

    def level():
        return get(paperclip, f"/heartbeat-runs/{run['id']}").json()["outputSilence"]

    assert level()["level"] == "ok" and level()["silenceAgeMs"] == 0
    control(paperclip, "POST", "/clock", {"advanceMs": 3_600_000})
    assert (level()["level"], level()["silenceAgeMs"]) == ("suspicious", 3_600_000)
    control(paperclip, "POST", "/clock", {"advanceMs": 3 * 3_600_000})
    assert level()["level"] == "critical"
    control(paperclip, "POST", f"/runs/{run['id']}/silence", {"snoozeMs": 600_000})
    assert level()["level"] == "snoozed"


def test_the_size_hint_lags_like_paperclips_flushed_output_progress(paperclip):
    """Paperclip writes lastOutputBytes/lastOutputSeq to the run row at most once a
    minute and only when output arrives; logBytes stays null until the run finishes."""
    run = new_run(paperclip)
    rid = run["id"]

    def row():
        return next(r for r in get(paperclip, f"/companies/{ACME}/live-runs").json() if r["id"] == rid)

    control(paperclip, "POST", f"/runs/{rid}/output", {"stream": "stderr", "chunk": "x\n"})
    first = len(whole_log(paperclip, rid).encode())
    assert (row()["lastOutputBytes"], row()["lastOutputStream"]) == (first, "stderr")
    control(paperclip, "POST", f"/runs/{rid}/output", {"stream": "stdout", "chunk": "a burst\n" * 500})
    assert row()["lastOutputBytes"] == first and row()["logBytes"] is None  # not a minute yet
    control(paperclip, "POST", "/clock", {"advanceMs": 3_600_000})
    assert row()["lastOutputBytes"] == first  # quiet: stale for ever
    control(paperclip, "POST", f"/runs/{rid}/output", {"stream": "stdout", "chunk": "more\n"})
    size = len(whole_log(paperclip, rid).encode())
    assert row()["lastOutputBytes"] == size and row()["lastOutputSeq"] == 3  # new output after a minute
    control(paperclip, "POST", f"/runs/{rid}/finish", {"status": "succeeded"})
    final = get(paperclip, f"/heartbeat-runs/{rid}").json()
    assert final["logBytes"] == final["lastOutputBytes"] == len(whole_log(paperclip, rid).encode())


# ---- the log: byte pages ----------------------------------------------------------------
def test_log_pages_are_cut_at_byte_offsets_with_next_offset_absent_at_eof(paperclip):
    run = new_run(paperclip)
    for i in range(20):
        control(paperclip, "POST", f"/runs/{run['id']}/output",
                {"stream": "stdout", "chunk": f"שלום {i} <b>x</b>\n"})
    control(paperclip, "POST", f"/runs/{run['id']}/finish", {"status": "succeeded"})
    size = get(paperclip, f"/heartbeat-runs/{run['id']}").json()["logBytes"]
    offset, pages = 0, []
    while True:
        page = get(paperclip, f"/heartbeat-runs/{run['id']}/log",
                   params={"offset": offset, "limitBytes": 7}).json()
        pages.append(page)
        if "nextOffset" not in page:
            break
        assert page["nextOffset"] == offset + 7
        offset = page["nextOffset"]
    assert offset + len(pages[-1]["content"].encode()) == size
    assert any("\ufffd" in p["content"] for p in pages)  # Hebrew cut mid-character

    first = get(paperclip, f"/heartbeat-runs/{run['id']}/log", params={"limitBytes": 100}).json()
    assert not first["content"].endswith("\n")  # cut in the middle of a record
    whole = get(paperclip, f"/heartbeat-runs/{run['id']}/log").json()
    assert "nextOffset" not in whole
    envelopes = [json.loads(line) for line in whole["content"].splitlines()]
    assert [e["seq"] for e in envelopes] == list(range(1, 21))
    assert envelopes[3] == {"ts": "2026-11-18T11:06:40.000Z", "stream": "stdout",
                            "chunk": "שלום 3 <b>x</b>\n", "seq": 4}


def test_log_page_ending_exactly_at_eof_has_no_next_offset(paperclip):
    run = new_run(paperclip)
    control(paperclip, "POST", f"/runs/{run['id']}/output", {"chunk": "abc\n"})
    size = len(whole_log(paperclip, run["id"]).encode())
    page = get(paperclip, f"/heartbeat-runs/{run['id']}/log", params={"limitBytes": size}).json()
    assert "nextOffset" not in page
    past = get(paperclip, f"/heartbeat-runs/{run['id']}/log", params={"offset": size + 50}).json()
    assert past["content"] == "" and "nextOffset" not in past


def test_log_limit_is_clamped_and_junk_numbers_fall_back(paperclip):
    rid = RUN_ROLES["claudeRunning"]

    def content(**params):
        return get(paperclip, f"/heartbeat-runs/{rid}/log", params=params).json()["content"]

    assert len(content(limitBytes=0).encode()) == 1
    assert content(limitBytes="abc", offset="abc") == content()
    resp = get(paperclip, f"/heartbeat-runs/{rid}/log")
    assert resp.headers["Cache-Control"] == "no-cache, no-store"
    assert resp.json()["logRef"] == f"{ACME}/{CLAUDE_CODER}/{rid}.ndjson"


def test_log_errors_match_the_real_server(paperclip):
    queued = get(paperclip, f"/heartbeat-runs/{RUN_ROLES['queuedBehindClaude']}/log")
    assert (queued.status_code, queued.json()) == (404, real("log-queued-404.json"))
    unknown = get(paperclip, f"/heartbeat-runs/{UNKNOWN}/log")
    assert (unknown.status_code, unknown.json()) == (404, real("log-unknown-404.json"))
    for path in ("/heartbeat-runs/not-a-uuid/log", "/heartbeat-runs/not-a-uuid",
                 "/heartbeat-runs/not-a-uuid/events"):
        resp = get(paperclip, path)
        assert (resp.status_code, resp.json()) == (500, real("log-malformed-id-500.json")), path
    assert post(paperclip, "/heartbeat-runs/not-a-uuid/cancel", {}).status_code == 500
    nowhere = get(paperclip, "/no/such/route")
    assert (nowhere.status_code, nowhere.json()) == (404, {"error": "API route not found"})


def test_fifty_megabytes_of_log_append_and_page_to_eof(paperclip):
    run = new_run(paperclip)
    grown = control(paperclip, "POST", f"/runs/{run['id']}/output", {"ndjson_bytes": 50_000_000})
    assert grown["bytes"] >= 50_000_000
    offset, pages = 0, 0
    while True:
        page = get(paperclip, f"/heartbeat-runs/{run['id']}/log",
                   params={"offset": offset, "limitBytes": 1048576}).json()
        pages += 1
        if "nextOffset" not in page:
            break
        offset = page["nextOffset"]
    assert pages == -(-grown["bytes"] // 1048576)
    first_line = whole_log(paperclip, run["id"]).split("\n", 1)[0]
    assert json.loads(first_line)["seq"] == 1


def test_raw_bytes_are_appended_verbatim(paperclip):
    run = new_run(paperclip)
    raw = '{"ts":"2026-11-18T11:06:40.000Z","stream":"stdout","chunk":"raw ✓\\n","seq":1}\n'
    control(paperclip, "POST", f"/runs/{run['id']}/output", None, data=raw.encode(),
            headers={"Content-Type": "application/x-ndjson"})
    assert whole_log(paperclip, run["id"]) == raw


# ---- events ------------------------------------------------------------------------------
def test_events_page_by_seq_and_a_queued_run_has_none(paperclip):
    rid = RUN_ROLES["succeeded"]
    events = get(paperclip, f"/heartbeat-runs/{rid}/events").json()
    assert [e["message"] for e in events][:2] == ["run started", "adapter invocation"]
    assert "run succeeded" in [e["message"] for e in events]
    after = get(paperclip, f"/heartbeat-runs/{rid}/events", params={"afterSeq": 2, "limit": 1})
    assert [e["seq"] for e in after.json()] == [3]
    assert get(paperclip, f"/heartbeat-runs/{RUN_ROLES['queuedBehindClaude']}/events").json() == []
    assert get(paperclip, f"/heartbeat-runs/{UNKNOWN}/events").status_code == 404


# ---- cancel, reset, wakeup ---------------------------------------------------------------
def test_cancel_is_idempotent_like_the_real_server(paperclip):
    rid = RUN_ROLES["queuedBehindClaude"]
    first = post(paperclip, f"/heartbeat-runs/{rid}/cancel", {})
    assert first.status_code == 200
    body = first.json()
    assert_same_shape(body, real("cancel-queued.json"))
    assert (body["status"], body["error"], body["errorCode"], body["startedAt"]) == (
        "cancelled", "Cancelled by a board operator", "cancelled", None)
    assert body["resultJson"]["cancelledByActorType"] == "user"
    again = post(paperclip, f"/heartbeat-runs/{rid}/cancel", {})
    assert (again.status_code, again.json()) == (200, body)  # unchanged
    unknown = post(paperclip, f"/heartbeat-runs/{UNKNOWN}/cancel", {})
    assert (unknown.status_code, unknown.json()) == (404, {"error": "Heartbeat run not found"})


def test_cancelling_the_running_run_starts_the_queued_one(paperclip):
    running, queued = RUN_ROLES["claudeRunning"], RUN_ROLES["queuedBehindClaude"]
    body = post(paperclip, f"/heartbeat-runs/{running}/cancel").json()
    assert body["status"] == "cancelled" and body["logBytes"] is None
    started = get(paperclip, f"/heartbeat-runs/{queued}").json()
    assert started["status"] == "running" and started["startedAt"] is not None
    assert get(paperclip, f"/heartbeat-runs/{running}/log").status_code == 200  # still readable
    messages = [e["message"] for e in get(paperclip, f"/heartbeat-runs/{running}/events").json()]
    assert "run cancelled" in messages


def test_finished_run_comes_back_unchanged_from_cancel(paperclip):
    rid = RUN_ROLES["succeeded"]
    before = get(paperclip, f"/heartbeat-runs/{rid}").json()
    after = post(paperclip, f"/heartbeat-runs/{rid}/cancel", {}).json()
    assert after["status"] == "succeeded" and after["updatedAt"] == before["updatedAt"]


def test_reset_session_needs_a_json_object_body(paperclip):
    path = f"/agents/{CLAUDE_CODER}/runtime-state/reset-session"
    bare = requests.post(f"{paperclip.url}/api{path}", timeout=10)
    assert (bare.status_code, bare.json()) == (400, real("reset-session-no-body-400.json"))
    assert post(paperclip, path, {"taskKey": ""}).status_code == 400
    assert post(paperclip, path, [1]).status_code == 400
    ok = post(paperclip, path, {})
    assert ok.status_code == 200
    assert_same_shape(ok.json(), real("reset-session.json"))
    assert ok.json()["clearedTaskSessions"] == 2 and ok.json()["sessionId"] is None
    assert post(paperclip, path, {}).json()["clearedTaskSessions"] == 0
    missing = post(paperclip, f"/agents/{UNKNOWN}/runtime-state/reset-session", {})
    assert (missing.status_code, missing.json()) == (404, {"error": "Agent not found"})


def test_reset_session_with_a_task_key_clears_only_that_task(paperclip):
    path = f"/agents/{CLAUDE_CODER}/runtime-state/reset-session"
    assert post(paperclip, path, {"taskKey": "OPS-12"}).json()["clearedTaskSessions"] == 1
    assert post(paperclip, path, {}).json()["clearedTaskSessions"] == 1


def test_wakeup_queues_behind_max_concurrent_runs_and_starts_when_free(paperclip):
    busy = post(paperclip, f"/agents/{CLAUDE_CODER}/wakeup", {"source": "on_demand"})
    assert busy.status_code == 202 and busy.json()["status"] == "queued"
    idle = post(paperclip, f"/agents/{ARCHIVIST}/wakeup", {"reason": "test"})
    assert idle.status_code == 202 and idle.json()["status"] == "running"
    assert post(paperclip, f"/agents/{ARCHIVIST}/wakeup").status_code == 400  # no body


def test_agents_issues_and_run_issues(paperclip):
    agents = get(paperclip, f"/companies/{ACME}/agents").json()
    assert {a["adapterType"] for a in agents} >= {"claude_local", "codex_local", "process",
                                                  "gemini_local"}
    assert get(paperclip, f"/agents/{CLAUDE_CODER}").json()["status"] == "running"
    bad = get(paperclip, f"/companies/{ACME}/agents", params={"status": "x"})
    assert (bad.status_code, bad.json()) == (400, {"error": "Unsupported query parameter: status"})
    issue = get(paperclip, "/issues/OPS-12").json()
    assert (issue["identifier"], issue["title"]) == ("OPS-12", "Rotate staging session cookies")
    assert get(paperclip, f"/issues/{issue['id']}").json()["identifier"] == "OPS-12"
    assert get(paperclip, "/issues/OPS-999").json() == {"error": "Issue not found"}
    linked = get(paperclip, f"/heartbeat-runs/{RUN_ROLES['claudeRunning']}/issues").json()
    assert [i["identifier"] for i in linked] == ["OPS-12"]
    assert get(paperclip, f"/heartbeat-runs/{RUN_ROLES['processRunning']}/issues").json() == []


# ---- what the agents print ----------------------------------------------------------------
def played(server, script, agent=SHELL_BOT) -> str:
    run = new_run(server, agent, script=script)
    control(server, "POST", f"/runs/{run['id']}/play", {"finish": True})
    return run["id"]


def test_claude_script_prints_stream_json(paperclip):
    rid = played(paperclip, "claude", CLAUDE_CODER)
    types = [json.loads(line)["type"] for line in stdout_lines(whole_log(paperclip, rid))
             if line.startswith("{")]
    assert types[0] == "system" and types[-1] == "result"
    assert {"assistant", "user"} <= set(types)
    assert get(paperclip, f"/heartbeat-runs/{rid}").json()["status"] in ("succeeded", "failed")


def test_codex_script_prints_codex_json(paperclip):
    rid = played(paperclip, "codex")
    events = [json.loads(line) for line in stdout_lines(whole_log(paperclip, rid))
              if line.startswith("{")]
    kinds = {e["type"] for e in events} | {e["item"]["type"] for e in events if "item" in e}
    assert {"thread.started", "item.started", "command_execution", "file_change",
            "agent_message"} <= kinds
    assert kinds & {"turn.completed", "turn.failed"}
    assert any(e.get("item", {}).get("exit_code") == 1 for e in events)


def test_process_script_prints_markup_hebrew_ansi_and_ragged_chunks(paperclip):
    rid = played(paperclip, "process")
    envelopes = [json.loads(line) for line in whole_log(paperclip, rid).splitlines()]
    stdout = [e["chunk"] for e in envelopes if e["stream"] == "stdout"]
    stderr = [e["chunk"] for e in envelopes if e["stream"] == "stderr"]
    assert stdout[0].startswith("[paperclip] ")
    assert any("<script>alert(1)</script> שלום" in c for c in stdout)
    assert any("\x1b[31m" in c for c in stderr)
    assert any(c.count("\n") >= 2 for c in stdout)  # several lines in one chunk
    assert any(not c.endswith("\n") for c in stdout)  # a line split across two chunks


def test_an_unusual_adapter_prints_something_generic(paperclip):
    rid = played(paperclip, "gemini", "a9e00014-0000-4000-8000-000000000014")
    lines = stdout_lines(whole_log(paperclip, rid))
    assert any(line.startswith('{"type":"init"') for line in lines)
    assert any(not line.startswith("{") and not line.startswith("[paperclip]") for line in lines)


# ---- the world lives on its own ------------------------------------------------------------
def test_autoplay_finishes_runs_starts_queued_ones_and_wakes_agents():
    with DemoServer(autoplay=True, clock=Clock(frozen_at=T0)) as server:
        queued = RUN_ROLES["queuedBehindClaude"]
        before = get(server, f"/heartbeat-runs/{RUN_ROLES['processRunning']}").json()
        for _ in range(8):  # four simulated minutes
            control(server, "POST", "/clock", {"advanceMs": 30_000})
            get(server, "/companies")
        after = get(server, f"/heartbeat-runs/{RUN_ROLES['processRunning']}").json()
        assert after["status"] in ("succeeded", "failed")
        assert after["lastOutputBytes"] > before["lastOutputBytes"]
        assert get(server, f"/heartbeat-runs/{queued}").json()["status"] != "queued"
        archivist = get(server, f"/companies/{GLOBEX}/heartbeat-runs",
                        params={"agentId": ARCHIVIST}).json()
        assert len(archivist) >= 2  # the seeded one plus timer wakes
        assert get(server, f"/heartbeat-runs/{RUN_ROLES['critical']}").json()["status"] == "running"


def test_autoplay_can_be_frozen_and_resumed(paperclip):
    rid = RUN_ROLES["processRunning"]
    size = len(whole_log(paperclip, rid))
    control(paperclip, "POST", "/clock", {"advanceMs": 20_000})
    assert len(whole_log(paperclip, rid)) == size
    assert control(paperclip, "POST", "/autoplay", {"on": True}) == {"autoplay": True}
    control(paperclip, "POST", "/clock", {"advanceMs": 20_000})
    assert len(whole_log(paperclip, rid)) > size


# ---- control API -----------------------------------------------------------------------------
def test_control_creates_feeds_and_finishes_runs(paperclip):
    run = control(paperclip, "POST", "/runs", {"agentId": CLAUDE_CODER, "issue": {"title": "T"}})
    assert run["status"] == "queued"  # Claude Coder is already at maxConcurrentRuns 1
    forced = new_run(paperclip, CLAUDE_CODER, issue="OPS-7")
    assert forced["status"] == "running" and forced["contextSnapshot"]["issueId"]
    out = control(paperclip, "POST", f"/runs/{forced['id']}/output",
                  {"chunks": [{"stream": "stdout", "chunk": "a"}, {"stream": "stderr", "chunk": "b\n"}]})
    assert out["seq"] == 2
    done = control(paperclip, "POST", f"/runs/{forced['id']}/finish", {"status": "failed"})
    assert (done["status"], done["exitCode"], done["logBytes"]) == ("failed", 1, out["bytes"])
    conflict = requests.post(f"{paperclip.url}/__demo/runs/{forced['id']}/finish",
                             json={"status": "succeeded"}, timeout=10)
    assert conflict.status_code == 409
    directory = control(paperclip, "GET", "/world")
    assert directory["runs"]["suspicious"] == RUN_ROLES["suspicious"]
    assert {c["issuePrefix"] for c in directory["companies"]} == {"OPS", "GLX"}


# ---- faults, latency, calls, auth --------------------------------------------------------------
def test_company_faults_hit_only_that_companys_live_runs(paperclip):
    control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": "down"})
    with pytest.raises(requests.ConnectionError):
        get(paperclip, f"/companies/{ACME}/live-runs")
    assert get(paperclip, f"/companies/{GLOBEX}/live-runs").status_code == 200
    for mode in ("401", "403", "404", "500"):
        control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": mode})
        assert get(paperclip, f"/companies/{ACME}/live-runs").status_code == int(mode)
    control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": "malformed"})
    with pytest.raises(ValueError):
        get(paperclip, f"/companies/{ACME}/live-runs").json()
    control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": "truncated"})
    with pytest.raises(requests.RequestException):
        get(paperclip, f"/companies/{ACME}/live-runs")
    control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": "huge"})
    huge = get(paperclip, f"/companies/{ACME}/live-runs")
    assert len(huge.content) > 2_000_000 and isinstance(huge.json(), list)
    control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": "slow", "delayMs": 300})
    started = time.monotonic()
    assert get(paperclip, f"/companies/{ACME}/live-runs").status_code == 200
    assert time.monotonic() - started >= 0.3
    control(paperclip, "POST", "/faults", {"companyId": ACME, "mode": None})
    assert get(paperclip, f"/companies/{ACME}/live-runs").status_code == 200


def test_a_global_fault_hits_every_api_route_but_not_the_controls(paperclip):
    control(paperclip, "POST", "/faults", {"mode": "500"})
    assert get(paperclip, "/companies").status_code == 500
    assert get(paperclip, f"/heartbeat-runs/{RUN_ROLES['claudeRunning']}").status_code == 500
    assert control(paperclip, "GET", "/faults")["global"]["mode"] == "500"
    control(paperclip, "POST", "/reset")
    assert get(paperclip, "/companies").status_code == 200


def test_latency_delays_every_api_call(paperclip):
    control(paperclip, "POST", "/latency", {"ms": 250})
    started = time.monotonic()
    get(paperclip, "/health")
    assert time.monotonic() - started >= 0.25


def test_calls_are_counted_per_route_with_authorization_presence(paperclip):
    get(paperclip, f"/companies/{ACME}/live-runs")
    get(paperclip, f"/companies/{ACME}/live-runs")
    post(paperclip, f"/heartbeat-runs/{RUN_ROLES['claudeRunning']}/cancel", {})
    calls = control(paperclip, "GET", "/calls")
    assert calls["counts"][f"live-runs:{ACME}"] == 2
    assert calls["counts"][f"cancel:{RUN_ROLES['claudeRunning']}"] == 1
    assert calls["withoutAuthorization"][f"live-runs:{ACME}"] == 2
    assert calls["recent"][-1]["status"] == 200 and calls["recent"][-1]["authorization"] is False
    control(paperclip, "POST", "/reset")
    assert control(paperclip, "GET", "/calls")["total"] == 0


def test_a_configured_token_is_required_as_a_bearer():
    with DemoServer(token=TOKEN, autoplay=False) as server:
        assert get(server, "/companies").status_code == 401
        wrong = get(server, "/companies", headers={"Authorization": "Bearer pcp_board_nope"})
        assert (wrong.status_code, wrong.json()) == (
            401, {"error": "Agent token did not verify; obtain fresh credentials and retry"})
        assert get(server, "/companies", headers={"Authorization": f"Bearer {TOKEN}"}).ok
        assert get(server, "/health").json()["deploymentMode"] == "authenticated"
        calls = control(server, "GET", "/calls")
        assert calls["withAuthorization"]["companies"] == 2
        assert calls["withoutAuthorization"]["companies"] == 1


def test_without_a_token_no_header_is_needed_and_a_sent_bearer_is_still_checked(paperclip):
    assert get(paperclip, "/companies").ok
    sent = get(paperclip, "/companies", headers={"Authorization": "Bearer anything"})
    assert sent.status_code == 401
    empty = get(paperclip, "/companies", headers={"Authorization": "Bearer "})
    assert empty.json() == {"error": "Empty bearer token; provide valid agent credentials and retry"}


def test_concurrent_polling_while_a_log_grows(paperclip):
    run = new_run(paperclip)
    errors = []

    def poll():
        try:
            for _ in range(15):
                assert get(paperclip, f"/companies/{ACME}/live-runs").status_code == 200
                get(paperclip, f"/heartbeat-runs/{run['id']}/log", params={"limitBytes": 65536})
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=poll) for _ in range(6)]
    for t in threads:
        t.start()
    for i in range(30):
        control(paperclip, "POST", f"/runs/{run['id']}/output", {"chunk": f"line {i}\n"})
    for t in threads:
        t.join()
    assert errors == []
