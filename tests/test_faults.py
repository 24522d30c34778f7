"""Every upstream fault, for one company of two and for all of them: the panel still
renders (200) with the reason, the JSON twin answers what it has plus `errors`, the
server logs one clear line, and nothing hangs past the timeout. The log, events and
action routes answer a fitting status. Stop and Reset are never retried."""
import logging
import threading
import time

import pytest
from bs4 import BeautifulSoup

ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"
SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
TIMEOUT = 1.0
REASONS = {  # as they read in lower case
    "down": "unreachable", "slow": "did not answer", "401": "credentials (401)",
    "403": "refused access (403)", "404": "not found", "500": "failed (500)",
    "malformed": "malformed json", "truncated": "broken answer", "huge": "more than 8 mib",
}


def opsweb_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "opsweb" and r.levelno >= logging.WARNING]


@pytest.fixture
def quick(demo, panel_for):
    return panel_for(demo.url, OPSWEB_TIMEOUT=TIMEOUT, OPSWEB_ACTION_TIMEOUT=TIMEOUT)


@pytest.mark.parametrize("scope", ["one company", "all companies"])
@pytest.mark.parametrize("mode", sorted(REASONS))
def test_a_fault_leaves_the_panel_up_with_the_reason_and_one_log_line(demo, quick, caplog,
                                                                    mode, scope):
    caplog.set_level(logging.INFO, logger="opsweb")
    demo.control("POST", "/faults", companyId=GLOBEX if scope == "one company" else None,
                 mode=mode, delayMs=4000)
    reason = REASONS[mode]
    started = time.monotonic()
    for _ in range(2):  # two viewers' refreshes: still one line in the log
        resp = quick.get("/operations/agents", headers={"HX-Request": "true"})
        assert resp.status_code == 200
        soup = BeautifulSoup(resp.text, "html.parser")
        errors = [e.get_text(" ", strip=True) for e in soup.select(".ow-error")]
        assert len(errors) == 1 and reason in errors[0].lower()
    twin = quick.get("/api/operations/agents")
    assert twin.status_code == 200
    body = twin.json()
    assert len(body["errors"]) == 1 and reason in body["errors"][0]["error"].lower()
    companies = {r["companyId"] for r in body["runs"]}
    if scope == "one company":
        assert body["errors"][0]["companyId"] == GLOBEX and companies == {ACME}
        assert "Globex Research" in errors[0]
    else:
        assert body["errors"][0]["companyId"] == "*" and body["runs"] == []
    assert time.monotonic() - started < 3 * (TIMEOUT + 1) + 2  # no request hung
    lines = opsweb_warnings(caplog)
    assert len(lines) == 1, lines
    assert lines[0].startswith("Paperclip fault for ") and reason in lines[0].lower()
    assert ("Globex Research" in lines[0]) == (scope == "one company")


def test_the_log_says_so_once_when_the_company_answers_again(demo, quick, caplog):
    caplog.set_level(logging.INFO, logger="opsweb")
    demo.control("POST", "/faults", companyId=GLOBEX, mode="500")
    quick.get("/operations/agents")
    demo.control("POST", "/faults", companyId=GLOBEX, mode=None)
    time.sleep(2.1)  # past the window in which a failed answer is shared
    quick.get("/operations/agents")
    quick.get("/operations/agents")
    again = [r.getMessage() for r in caplog.records if "answers again" in r.getMessage()]
    assert again == [f"Paperclip answers again for company {GLOBEX}"]


ROUTE_STATUS = {"down": 502, "slow": 504, "401": 502, "403": 502, "404": 404, "500": 502,
                "malformed": 502, "truncated": 502, "huge": 502}


@pytest.mark.parametrize("mode", sorted(ROUTE_STATUS))
def test_log_events_and_actions_answer_a_fitting_status_on_every_fault(demo, quick, caplog, mode):
    caplog.set_level(logging.INFO, logger="opsweb")
    rid = demo.world.directory()["runs"]["processRunning"]
    demo.control("POST", "/faults", companyId=None, mode=mode, delayMs=4000)
    expected = ROUTE_STATUS[mode]
    reads = [f"/operations/runs/{rid}/log", f"/api/operations/runs/{rid}/log",
             f"/api/operations/runs/{rid}/events", f"/operations/runs/{rid}/events",
             f"/api/operations/runs/{rid}/log.ndjson"]
    for path in reads:
        started = time.monotonic()
        resp = quick.get(path, headers={"HX-Request": "true"})
        assert time.monotonic() - started < TIMEOUT + 1.5, path
        assert resp.status_code == expected, (path, resp.status_code, resp.text[:200])
        if "/api/" in path:
            assert REASONS[mode] in resp.json()["error"].lower()
        else:
            shown = BeautifulSoup(resp.text, "html.parser").select_one(".ow-failure")
            assert REASONS[mode] in shown.get_text(" ", strip=True).lower()
    stop = quick.post_json(f"/api/operations/runs/{rid}/cancel").json()
    assert stop["result"] == "failed" and stop["message"].endswith("Stop was not sent.")
    reset = quick.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    assert reset.json()["result"] in ("failed", "unknown") and reset.status_code in (404, 502, 504)
    lines = opsweb_warnings(caplog)
    assert len(lines) == len(reads) + 2, lines  # one line per failed request, no more
    assert demo.calls()["counts"].get(f"cancel:{rid}", 0) == 0


def test_stop_that_times_out_is_unknown_never_retried_and_says_look_again(demo, panel_for):
    # reads answer in 1.5 s (under their 4 s timeout); Stop's own call gets 0.5 s
    panel = panel_for(demo.url, OPSWEB_TIMEOUT=4.0, OPSWEB_ACTION_TIMEOUT=0.5)
    rid = demo.world.directory()["runs"]["claudeRunning"]
    demo.control("POST", "/faults", companyId=None, mode="slow", delayMs=1500)
    resp = panel.post_as_browser(f"/operations/runs/{rid}/cancel")
    shown = BeautifulSoup(resp.text, "html.parser").select_one(".ow-outcome")
    assert resp.status_code == 504 and "ow-outcome-unknown" in shown["class"]
    text = shown.get_text(" ", strip=True)
    assert "did not answer in 0.5 s" in text and "look at the run again" in text
    assert "failed" not in text.lower() and "cancelled" not in text.lower()
    twin = panel.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    assert twin.status_code == 504 and twin.json()["result"] == "unknown"
    time.sleep(2)  # let the demo finish the calls opsweb gave up on
    counts = demo.calls()["counts"]
    assert counts[f"cancel:{rid}"] == 1 and counts[f"reset-session:{SHELL_AGENT}"] == 1


def test_a_dropped_connection_is_never_retried(demo, quick):
    rid = demo.world.directory()["runs"]["claudeRunning"]
    demo.control("POST", "/faults", companyId=None, mode="down")
    body = quick.post_json(f"/api/operations/runs/{rid}/cancel").json()
    assert body["result"] == "failed"  # the pre-read failed: Stop was never sent
    reset = quick.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session").json()
    assert reset["result"] == "unknown"  # sent, then the line dropped: it may have happened
    counts = demo.calls()["counts"]
    assert counts[f"run:{rid}"] == 1 and counts[f"reset-session:{SHELL_AGENT}"] == 1


def test_two_stops_at_once_are_harmless(demo, panel):
    rid = demo.world.directory()["runs"]["codexRunning"]
    demo.control("POST", "/latency", ms=300)  # so that the two overlap
    answers = []

    def press():
        answers.append(panel.post_json(f"/api/operations/runs/{rid}/cancel"))
    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [a.status_code for a in answers] == [200, 200]
    results = sorted(a.json()["result"] for a in answers)
    assert results[0] == "already_finished" or results == ["done", "done"]
    assert "done" in results
    assert demo.api(f"/heartbeat-runs/{rid}").json()["status"] == "cancelled"
    actions = panel.get("/api/operations/audit?limit=2").json()["actions"]
    assert [a["runId"] for a in actions] == [rid, rid] and all(a["completed"] for a in actions)
