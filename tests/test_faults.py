"""Every upstream fault, for one company of two and for all of them: the panel still
renders (200) with the reason, the JSON twin answers what it has plus `errors`, the
server logs one clear line, and the log, events and action routes answer a fitting
status. Stop and Reset are never retried.

The port's errors are planted in the in-memory fake here; which error each way of
failing over HTTP becomes (and its sentence) is test_resilience.py's, end to end, and
the few end-to-end tests at the bottom keep the whole path honest."""
import logging
import threading

import pytest
from bs4 import BeautifulSoup

from opsweb import platform_port as port
from opsweb.web.fault_reporter import FaultReporter
from opsweb.fleet.live import CompanyError, Fleet

ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"
SHELL_AGENT = "a9e00013-0000-4000-8000-000000000013"
AT = "Paperclip at http://127.0.0.1:3100"
# each kind of fault as the shell raises it, how it reads (in lower case), the status
# of the log, events and action routes
FAULTS = {
    "down": (lambda: port.Unreachable(f"{AT} is unreachable (refused)", request_sent=False),
             "unreachable", 502),
    "slow": (lambda: port.Timeout(f"{AT} did not answer in 1 s"), "did not answer", 504),
    "401": (lambda: port.Unauthorized(f"{AT} rejected opsweb's credentials (401)",
                                      upstream_status=401), "credentials (401)", 502),
    "403": (lambda: port.Forbidden(f"{AT} refused access (403)", upstream_status=403),
            "refused access (403)", 502),
    "404": (lambda: port.NotFound("API route not found", upstream_status=404),
            "not found", 404),
    "500": (lambda: port.UpstreamError(f"{AT} failed (500)", upstream_status=500),
            "failed (500)", 502),
    "malformed": (lambda: port.BadResponse(f"{AT} sent malformed JSON for /api/x"),
                  "malformed json", 502),
}
READS = ("get_run", "get_run_log", "get_run_events")


def opsweb_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "opsweb" and r.levelno >= logging.WARNING]


@pytest.mark.parametrize("scope", ["one company", "all companies"])
@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_a_fault_leaves_the_panel_up_with_the_reason_and_one_log_line(inproc, caplog, mode,
                                                                    scope):
    caplog.set_level(logging.INFO, logger="opsweb")
    error, reason, _ = FAULTS[mode]
    if scope == "one company":
        inproc.fake.fail("list_live_runs", error(), only=GLOBEX)
    else:
        inproc.fake.fail("list_companies", error())
    for _ in range(2):  # two viewers' refreshes: still one line in the log
        inproc.clock.advance(5)  # each past the window in which an answer is shared
        resp = inproc.get("/operations/agents", headers={"HX-Request": "true"})
        assert resp.status_code == 200
        soup = BeautifulSoup(resp.text, "html.parser")
        errors = [e.get_text(" ", strip=True) for e in soup.select(".ow-error")]
        assert len(errors) == 1 and reason in errors[0].lower()
    twin = inproc.get("/api/operations/agents")
    assert twin.status_code == 200
    body = twin.get_json()
    assert len(body["errors"]) == 1 and reason in body["errors"][0]["error"].lower()
    companies = {r["companyId"] for r in body["runs"]}
    if scope == "one company":
        assert body["errors"][0]["companyId"] == GLOBEX and companies == {ACME}
        assert "Globex Research" in errors[0]
    else:
        assert body["errors"][0]["companyId"] == "*" and body["runs"] == []
    lines = opsweb_warnings(caplog)
    assert len(lines) == 1, lines
    assert lines[0].startswith("Paperclip fault for ") and reason in lines[0].lower()
    assert ("Globex Research" in lines[0]) == (scope == "one company")


def test_the_log_says_so_once_when_the_company_answers_again(inproc, caplog):
    caplog.set_level(logging.INFO, logger="opsweb")
    inproc.fake.fail("list_live_runs", FAULTS["500"][0](), only=GLOBEX)
    inproc.get("/operations/agents")
    inproc.fake.fail("list_live_runs", None)
    inproc.get("/operations/agents")  # the failed answer is still shared: no news
    assert not [r for r in caplog.records if "answers again" in r.getMessage()]
    inproc.clock.advance(2)  # past the window in which a failed answer is shared
    inproc.get("/operations/agents")
    inproc.get("/operations/agents")
    again = [r.getMessage() for r in caplog.records if "answers again" in r.getMessage()]
    assert again == [f"Paperclip answers again for company {GLOBEX}"]


def _fleet(*errors: CompanyError) -> Fleet:
    return Fleet(errors=list(errors), companies=[{"id": GLOBEX, "name": "Globex"}])


def test_faults_are_told_apart_by_kind_not_by_sentence(caplog):
    caplog.set_level(logging.INFO, logger="opsweb")
    reporter = FaultReporter(logging.getLogger("opsweb"))
    # the HTTP timeout and the panel's own deadline: one fault seen by two clocks
    reporter.note(_fleet(CompanyError(GLOBEX, "Globex", "did not answer in 2 s", "Timeout")))
    reporter.note(_fleet(CompanyError(GLOBEX, "Globex", "did not answer for this company"
                                                        " in 2.5 s", "Timeout")))
    assert len(opsweb_warnings(caplog)) == 1
    # another kind, or another status of the same kind, is news
    reporter.note(_fleet(CompanyError(GLOBEX, "Globex", "failed (500)", "UpstreamError", 500)))
    reporter.note(_fleet(CompanyError(GLOBEX, "Globex", "failed (503)", "UpstreamError", 503)))
    reporter.note(_fleet(CompanyError(GLOBEX, "Globex", "failed (503), again", "UpstreamError",
                                      503)))
    assert len(opsweb_warnings(caplog)) == 3


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_log_events_and_actions_answer_a_fitting_status_on_every_fault(inproc, caplog, mode):
    caplog.set_level(logging.INFO, logger="opsweb")
    rid = next(iter(inproc.fake.runs))
    error, reason, expected = FAULTS[mode]
    for operation in (*READS, "cancel_run", "reset_agent_session"):
        inproc.fake.fail(operation, error())
    reads = [f"/operations/runs/{rid}/log", f"/api/operations/runs/{rid}/log",
             f"/api/operations/runs/{rid}/events", f"/operations/runs/{rid}/events",
             f"/api/operations/runs/{rid}/log.ndjson"]
    for path in reads:
        resp = inproc.get(path, headers={"HX-Request": "true"})
        assert resp.status_code == expected, (path, resp.status_code, resp.text[:200])
        if "/api/" in path:
            assert reason in resp.get_json()["error"].lower()
        else:
            shown = BeautifulSoup(resp.text, "html.parser").select_one(".ow-failure")
            assert reason in shown.get_text(" ", strip=True).lower()
    stop = inproc.post_json(f"/api/operations/runs/{rid}/cancel").get_json()
    assert stop["result"] == "failed" and stop["message"].endswith("Stop was not sent.")
    reset = inproc.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    assert reset.get_json()["result"] in ("failed", "unknown")
    assert reset.status_code in (404, 502, 504)
    lines = opsweb_warnings(caplog)
    assert len(lines) == len(reads) + 2, lines  # one line per failed request, no more
    assert inproc.fake.counts["cancel_run"] == 0


def test_stop_that_times_out_is_unknown_never_retried_and_says_look_again(inproc):
    rid = inproc.get("/api/operations/agents").get_json()["runs"][0]["runId"]
    for operation in ("cancel_run", "reset_agent_session"):
        inproc.fake.fail(operation, port.Timeout(f"{AT} did not answer in 0.5 s"))
    resp = inproc.post_as_browser(f"/operations/runs/{rid}/cancel")
    shown = BeautifulSoup(resp.text, "html.parser").select_one(".ow-outcome")
    assert resp.status_code == 504 and "ow-outcome-unknown" in shown["class"]
    text = shown.get_text(" ", strip=True)
    assert "did not answer in 0.5 s" in text and "look at the run again" in text
    assert "failed" not in text.lower() and "cancelled" not in text.lower()
    twin = inproc.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    assert twin.status_code == 504 and twin.get_json()["result"] == "unknown"
    assert inproc.fake.counts["cancel_run"] == 1
    assert inproc.fake.counts["reset_agent_session"] == 1


# ---- end to end, over HTTP against the demo Paperclip ---------------------------------

@pytest.mark.parametrize("mode", ["down", "404", "malformed"])
def test_routes_answer_a_fitting_status_over_http(demo, panel_for, mode):
    quick = panel_for(demo.url, OPSWEB_TIMEOUT=1.0, OPSWEB_ACTION_TIMEOUT=1.0)
    rid = demo.world.directory()["runs"]["processRunning"]
    demo.control("POST", "/faults", companyId=None, mode=mode)
    _, reason, expected = FAULTS[mode]
    for path in (f"/api/operations/runs/{rid}/log", f"/operations/runs/{rid}/events"):
        resp = quick.get(path, headers={"HX-Request": "true"})
        assert resp.status_code == expected and reason in resp.text.lower(), path
    stop = quick.post_json(f"/api/operations/runs/{rid}/cancel").json()
    assert stop["result"] == "failed" and stop["message"].endswith("Stop was not sent.")
    assert demo.calls()["counts"].get(f"cancel:{rid}", 0) == 0


def test_an_action_that_times_out_over_http_is_unknown_and_sent_once(demo, panel_for):
    # reads answer in 0.3 s (under their 2 s timeout); Stop's own call gets 0.1 s.
    # The demo counts a call when it arrives, so a retry would already show.
    panel = panel_for(demo.url, OPSWEB_TIMEOUT=2.0, OPSWEB_ACTION_TIMEOUT=0.1)
    rid = demo.world.directory()["runs"]["claudeRunning"]
    demo.control("POST", "/faults", companyId=None, mode="slow", delayMs=300)
    resp = panel.post_json(f"/api/operations/runs/{rid}/cancel")
    assert resp.status_code == 504 and resp.json()["result"] == "unknown"
    assert "did not answer in 0.1 s" in resp.json()["message"]
    twin = panel.post_json(f"/api/operations/agents/{SHELL_AGENT}/reset-session")
    assert twin.status_code == 504 and twin.json()["result"] == "unknown"
    counts = demo.calls()["counts"]
    assert counts[f"cancel:{rid}"] == 1 and counts[f"reset-session:{SHELL_AGENT}"] == 1


def test_a_dropped_connection_is_never_retried(demo, panel_for):
    quick = panel_for(demo.url, OPSWEB_TIMEOUT=1.0, OPSWEB_ACTION_TIMEOUT=1.0)
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
