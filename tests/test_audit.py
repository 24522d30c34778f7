"""The audit trail: every Stop and Reset is recorded before Paperclip is called and
completed after, with who, from where, on what, Paperclip's answer and the outcome; a
record whose process died in between reads as unknown. SQLite by default, PostgreSQL
for several instances (against a real server from scripts/test-postgres)."""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from opsweb.actions import audit
from opsweb import platform_port as port

ROOT = Path(__file__).resolve().parents[1]
ACME = "c0ffee01-0000-4000-8000-000000000001"
SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
UNKNOWN_RUN = "b0000000-0000-4000-8000-0000000000ff"


def actions(panel, limit=50):
    """The audit twin's records, over HTTP or in-process."""
    resp = panel.get(f"/api/operations/audit?limit={limit}")
    assert resp.status_code == 200
    return json.loads(resp.text)["actions"]


@pytest.fixture
def audited(demo, panel_for, tmp_path):
    return panel_for(demo.url, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db",
                     OPSWEB_TIMEOUT=4.0)


# ---- what a record holds ---------------------------------------------------------------

def test_stop_and_reset_are_recorded_with_who_where_what_and_the_answer(demo, audited):
    rid = demo.world.directory()["runs"]["processRunning"]
    audited.post_as_browser(f"/operations/runs/{rid}/cancel")
    audited.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    reset, stop = actions(audited)
    assert stop["action"] == "cancel" and stop["operator"] == "local"
    assert stop["remoteAddr"] == "127.0.0.1"
    assert (stop["runId"], stop["agentId"], stop["companyId"]) == (rid, SHELL_AGENT, ACME)
    assert stop["outcome"] == "done" and stop["completed"] is True
    assert stop["paperclip"] == {"status": 200, "message": "status cancelled"}
    assert stop["message"] == "Run cancelled." and stop["at"] <= stop["finishedAt"]
    assert reset["action"] == "reset-session" and reset["runId"] is None
    assert (reset["agentId"], reset["companyId"]) == (SHELL_AGENT, ACME)
    assert reset["outcome"] == "done" and reset["paperclip"]["status"] == 200


def test_failed_and_unknown_outcomes_are_recorded_too(inproc):
    assert inproc.post_json(f"/api/operations/runs/{UNKNOWN_RUN}/cancel").status_code == 404
    failed = actions(inproc, 1)[0]
    assert failed["outcome"] == "failed" and failed["paperclip"]["status"] == 404
    assert failed["message"].endswith("Stop was not sent.")
    inproc.fake.fail("cancel_run", port.Timeout("Paperclip did not answer in 0.5 s"))
    rid = inproc.fake.live_runs[ACME][0]["id"]
    inproc.post_json(f"/api/operations/runs/{rid}/cancel")
    unknown = actions(inproc, 1)[0]
    assert unknown["outcome"] == "unknown" and unknown["completed"] is True
    assert "look at the run again" in unknown["message"]
    assert unknown["agentId"] and unknown["companyId"] == ACME  # learnt before the cancel


def test_the_record_exists_before_paperclip_answers(inproc):
    rid = inproc.get("/api/operations/agents").get_json()["runs"][0]["runId"]
    sent, answer_now = threading.Event(), threading.Event()
    cancel = inproc.fake.cancel_run

    def held_cancel(run_id):  # Paperclip has the request and has not answered yet
        sent.set()
        answer_now.wait(10)
        return cancel(run_id)
    inproc.fake.cancel_run = held_cancel
    answer = []
    pressing = threading.Thread(target=lambda: answer.append(
        inproc.app.test_client().post(f"/api/operations/runs/{rid}/cancel", json={})))
    pressing.start()
    assert sent.wait(10)
    seen = [a for a in actions(inproc) if a["runId"] == rid]
    assert seen and seen[0]["completed"] is False and seen[0]["outcome"] == "unknown"
    assert "No answer recorded" in seen[0]["message"]
    answer_now.set()
    pressing.join(10)
    assert answer[0].get_json()["result"] == "done"
    done = actions(inproc, 1)[0]
    assert done["id"] == seen[0]["id"] and done["completed"] and done["outcome"] == "done"


# ---- reading it --------------------------------------------------------------------------

def test_the_json_twin_lists_newest_first_with_a_limit(demo, audited):
    runs = demo.world.directory()["runs"]
    for role in ("processRunning", "claudeRunning", "codexRunning"):
        audited.post_json(f"/api/operations/runs/{runs[role]}/cancel")
    listed = actions(audited)
    assert [a["runId"] for a in listed] == [runs["codexRunning"], runs["claudeRunning"],
                                           runs["processRunning"]]
    assert [a["id"] for a in actions(audited, 2)] == [listed[0]["id"], listed[1]["id"]]


def test_the_panel_shows_recent_actions_and_a_new_one_is_a_new_panel(demo, audited):
    fragment = audited.soup("/operations/agents")
    assert fragment.select_one(".ow-recent-empty").get_text(strip=True) == "No action yet."
    headers = json.loads(fragment.select_one("#ow-agents")["hx-headers"])
    audited.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    changed = audited.get("/operations/agents", headers={"HX-Request": "true", **headers})
    assert changed.status_code == 200  # not 204: the recent actions changed
    row = audited.soup("/operations/agents").select_one("#ow-agents tr.ow-recent-row")
    text = row.get_text(" ", strip=True)
    assert "local" in text and "Reset agent session" in text and "Shell <b>Bot</b>" in text
    assert "done" in row.select_one(".ow-outcome").get_text()
    assert audited.post_json(f"/api/operations/agents/{SHELL_AGENT}/pause",
                             {"reason": "night <drain>"}).status_code == 400  # markup
    audited.post_json(f"/api/operations/agents/{SHELL_AGENT}/pause", {"reason": "a & b > c"})
    row = audited.soup("/operations/agents").select_one("#ow-agents tr.ow-recent-row")
    assert "Pause" in row.get_text() and row.select_one(".ow-reason").get_text() == "a & b > c"


class BrokenStore(audit.Store):
    def _insert(self, values):
        raise audit.AuditUnavailable("audit store: disk full")

    def run(self, sql, params, fetch=False):
        raise audit.AuditUnavailable("audit store: disk full")


def test_no_record_no_action(demo, panel):
    panel.app.extensions["opsweb"].audit = BrokenStore()
    rid = demo.world.directory()["runs"]["processRunning"]
    resp = panel.post_json(f"/api/operations/runs/{rid}/cancel")
    assert resp.status_code == 503 and "nothing was sent to Paperclip" in resp.json()["error"]
    assert f"cancel:{rid}" not in demo.calls()["counts"]
    assert panel.get("/api/operations/audit").status_code == 503
    shown = panel.soup("/operations/agents").select_one(".ow-recent .ow-error")
    assert "cannot be read" in shown.get_text()  # the panel itself stays up


def test_sqlite_by_default_in_wal_mode_under_the_instance_folder(demo, panel_for, tmp_path):
    panel = panel_for(demo.url, OPSWEB_INSTANCE_DIR=str(tmp_path / "instance"))
    panel.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    db = tmp_path / "instance" / "opsweb-audit.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT operator, outcome FROM opsweb_audit").fetchall() == [
            ("local", "done")]


# ---- the store, on SQLite and on PostgreSQL ----------------------------------------------

def _empty_postgres(url: str) -> str:
    store = audit.open_store(url)  # creates the table
    store.run("TRUNCATE opsweb_audit", ())
    store.close()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def audit_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    return _empty_postgres(request.getfixturevalue("postgres_url"))


def test_the_store_begins_notes_finishes_and_lists(audit_url):
    store = audit.open_store(audit_url)
    first = store.begin("cancel", "alice", "127.0.0.1", run_id="r1")
    second = store.begin("reset-session", "bob", "::1", agent_id="a2")
    store.note(first, "a1", "c1")
    store.finish(first, "done", "Run cancelled.", upstream_status=200,
                 upstream_message="status cancelled")
    newest, oldest = store.recent(10)
    assert (newest.id, oldest.id) == (second, first)
    assert newest.result == "unknown" and not newest.completed  # started, never completed
    assert (oldest.agent_id, oldest.company_id, oldest.result) == ("a1", "c1", "done")
    assert oldest.to_json()["paperclip"] == {"status": 200, "message": "status cancelled"}
    other = audit.open_store(audit_url)  # a second instance sees the same trail
    assert [r.id for r in other.recent(1)] == [second]
    other.close()
    store.close()


def test_postgresql_serves_the_panel(demo, panel_for, postgres_url):
    panel = panel_for(demo.url, OPSWEB_AUDIT_URL=_empty_postgres(postgres_url))
    panel.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    assert actions(panel)[0]["outcome"] == "done"


# ---- kill -9 between the record and Paperclip's answer -----------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_record_survives_kill_9_mid_request_and_reads_unknown(demo, audit_url, tmp_path):
    port = _free_port()
    env = {**os.environ, "OPSWEB_AUDIT_URL": audit_url, "OPSWEB_TIMEOUT": "10",
           "OPSWEB_ACTION_TIMEOUT": "10", "OPSWEB_COMPANIES": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "opsweb.cli", "serve", "--port", str(port),
         "--paperclip-url", demo.url], env=env, stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "server.log", "w"))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/api/operations/audit", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        rid = demo.world.directory()["runs"]["claudeRunning"]
        demo.control("POST", "/faults", companyId=None, mode="slow", delayMs=1500)
        threading.Thread(target=lambda: _post_ignoring_errors(
            f"{url}/api/operations/runs/{rid}/cancel"), daemon=True).start()
        deadline = time.monotonic() + 15
        while f"cancel:{rid}" not in demo.calls()["counts"]:  # the cancel is in flight
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.02)
        server.kill()  # SIGKILL: no handler, no cleanup, no completion
        server.wait(10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
    store = audit.open_store(audit_url)
    record = store.recent(1)[0]
    store.close()
    assert (record.action, record.run_id, record.operator) == ("cancel", rid, "local")
    assert record.agent_id and record.company_id == ACME
    assert not record.completed and record.to_json()["outcome"] == "unknown"


def _post_ignoring_errors(url: str) -> None:
    try:
        requests.post(url, json={}, timeout=30)
    except requests.RequestException:
        pass  # the server was killed under it: that is the point


def test_an_existing_trail_gains_the_reason_and_name_columns(audit_url):
    """A database written before reasons existed is migrated on open (columns added),
    its records read on, and new records keep reason, names and the Paperclip URL."""
    store = audit.open_store(audit_url)
    store.run("DROP TABLE opsweb_audit", ())
    id_column = store.id_column
    store.run(audit._TABLE.format(id=id_column), ())  # the first release's table
    store.run("INSERT INTO opsweb_audit (started_at, action, operator) VALUES (?, ?, ?)",
               ("2026-01-01T00:00:00.000Z", "cancel", "old"))
    store.close()
    store = audit.open_store(audit_url)
    [old] = store.recent(1)
    assert old.operator == "old" and old.reason is None and old.to_json()["agentName"] is None
    new = store.begin("pause", "alice", "127.0.0.1", agent_id="a1", reason="night drain",
                      paperclip_url="http://127.0.0.1:3100")
    store.note(new, "a1", "c1", "Queue <b>Drainer</b>", "Acme Ops")
    store.finish(new, "done", "Agent paused.")
    record = store.recent(1)[0].to_json()
    assert (record["reason"], record["agentName"], record["companyName"], record["paperclipUrl"]) == (
        "night drain", "Queue <b>Drainer</b>", "Acme Ops", "http://127.0.0.1:3100")
    assert store.last_pauses() == {"a1": {"operator": "alice", "reason": "night drain",
                                          "at": record["at"]}}
    store.close()
    audit.open_store(audit_url).close()  # opening a migrated trail again changes nothing
