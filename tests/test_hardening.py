"""What a misbehaving Paperclip used to break, through real HTTP against the hostile
stand-in (hostile_upstream.py): trickling answers, redirects, credentials in its URL,
malformed rows and events, hostile ids and names, slow issue lookups."""
import logging
import time

import pytest
import requests

from hostile_upstream import AGENT, COMPANY, issue_id, live_run, run_id, wait_until
import row_actions

RUN = run_id(1)
CANCEL = f"/api/operations/runs/{RUN}/cancel"
CANCEL_PATH = f"/api/heartbeat-runs/{RUN}/cancel"
OTHER = "c0ffee00-0000-4000-8000-0000000000bb"


def own_audit(tmp_path) -> str:
    """A trail of this test's own: the default one is shared by the whole session."""
    return f"sqlite:///{tmp_path}/audit.db"


def rows(panel) -> list:
    return panel.soup("/operations/agents").select("tr.ow-row")


# -- 5: a total deadline per call -------------------------------------------------------

def test_a_trickling_stop_answer_is_abandoned_at_the_action_timeout(hostile, panel_for,
                                                                    tmp_path):
    hostile.on("POST", CANCEL_PATH, body={"status": "cancelled", "padding": "x" * 60},
               trickle=0.2)  # ~16 s in all, each byte well within a socket timeout
    panel = panel_for(hostile.url, OPSWEB_ACTION_TIMEOUT=1.0, OPSWEB_AUDIT_URL=own_audit(tmp_path))
    started = time.monotonic()
    resp = panel.post_json(CANCEL)
    took = time.monotonic() - started
    assert resp.status_code == 504 and resp.json()["result"] == "unknown"
    assert "did not answer in 1 s" in resp.json()["message"]
    assert took < 5, took  # the trickle alone would take 16 s
    audit = panel.get("/api/operations/audit").json()["actions"][0]
    assert audit["outcome"] == "unknown"


def test_a_trickling_company_does_not_make_a_healthy_one_look_failed(hostile, panel_for):
    hostile.companies.append({"id": OTHER, "name": "Trickle Inc"})
    hostile.live_runs[OTHER] = [live_run(9, companyId=OTHER)] * 20
    hostile.on("GET", f"/api/companies/{OTHER}/live-runs",
               body=hostile.live_runs[OTHER], trickle=0.1)
    panel = panel_for(hostile.url, OPSWEB_TIMEOUT=0.3, OPSWEB_FRESHNESS=0.01)
    for _ in range(10):  # more polls than the fleet has workers
        twin = panel.get("/api/operations/agents").json()
        assert [r["companyId"] for r in twin["runs"]] == [COMPANY]
        assert [e["companyId"] for e in twin["errors"]] == [OTHER]
        assert "did not answer" in twin["errors"][0]["error"]


# -- 12: redirects are not followed -------------------------------------------------------

def test_a_redirected_stop_is_unknown_not_failed(hostile, panel_for, tmp_path):
    hostile.on("POST", CANCEL_PATH, status=302, body={}, headers={"Location": "/elsewhere"})
    panel = panel_for(hostile.url, OPSWEB_AUDIT_URL=own_audit(tmp_path))
    resp = panel.post_json(CANCEL)
    body = resp.json()
    assert body["result"] == "unknown", body
    assert "redirect" in body["message"] and "not sent" not in body["message"]
    assert hostile.count("GET", "/elsewhere") == 0
    assert panel.get("/api/operations/audit").json()["actions"][0]["outcome"] == "unknown"


def test_a_redirected_read_is_a_company_error(hostile, panel_for):
    hostile.on("GET", f"/api/companies/{COMPANY}/live-runs", status=301, body={},
               headers={"Location": "http://127.0.0.1:9/api/companies"})
    twin = panel_for(hostile.url).get("/api/operations/agents").json()
    assert twin["runs"] == [] and "redirect (301" in twin["errors"][0]["error"]


# -- 7: credentials in the Paperclip URL ----------------------------------------------------

def test_credentials_in_the_paperclip_url_never_reach_a_browser_or_the_log(hostile, panel_for,
                                                                           caplog):
    caplog.set_level(logging.INFO)
    hostile.on("GET", f"/api/companies/{COMPANY}/live-runs", status=500, body={"error": "boom"})
    hostile.on("GET", f"/api/heartbeat-runs/{RUN}", status=503, body={})
    url = hostile.url.replace("http://", "http://ops:s3cret@")
    panel = panel_for(url)
    shown = [panel.get("/operations/agents", headers={"HX-Request": "true"}).text,
             panel.get("/api/operations/agents").text,
             panel.get(f"/api/operations/runs/{RUN}/log").text,
             panel.get(f"/operations/runs/{RUN}/events").text,
             panel.post_json(CANCEL).text,
             panel.get("/api/operations/audit").text]
    assert "failed (500)" in shown[1] and "failed (503)" in shown[2]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for text in shown + [logged]:
        assert "s3cret" not in text
    assert hostile.url in shown[1]  # the host is still named


# -- 6: malformed rows, runs and events ---------------------------------------------------

MALFORMED = {
    "startedAt without a timezone": {"startedAt": "2026-11-24T15:09:20"},
    "outputSilence as a string": {"outputSilence": "quiet"},
    "execution as a list": {"execution": ["running"]},
    "issueId as a dict": {"issueId": {"id": "x"}},
    "agentName as a list": {"agentName": ["<b>x</b>"]},
    "silenceAgeMs as a string": {"outputSilence": {"level": "ok", "silenceAgeMs": "9"}},
    "status as a number": {"status": 7},
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_row_degrades_that_row_only(hostile, panel_for, case):
    hostile.live_runs[COMPANY] = [live_run(1), live_run(2, **MALFORMED[case])]
    panel = panel_for(hostile.url)
    twin = panel.get("/api/operations/agents")
    assert twin.status_code == 200, twin.text[:300]
    assert {r["runId"] for r in twin.json()["runs"]} >= {run_id(1)}
    assert len(rows(panel)) >= 1
    metrics = panel.get("/metrics")
    assert metrics.status_code == 200 and "opsweb_runs{" in metrics.text


@pytest.mark.parametrize("fields", [{"runnerProfileJson": "process"},
                                    {"finishedAt": "2026-11-24T15:10:00", "status": "failed"},
                                    {"runnerProfileJson": {"adapterDispatch": ["x"]}}])
def test_a_malformed_run_record_still_opens_its_log_and_events(hostile, panel_for, fields):
    hostile.runs[RUN] = {**live_run(1), **fields}
    hostile.logs[RUN] = '{"ts":"2026-11-24T15:09:21Z","stream":"stdout","chunk":"hi\\n"}\n'
    hostile.events[RUN] = [{"seq": 1, "eventType": "lifecycle", "message": "run started",
                            "createdAt": "2026-11-24T15:09:21"}]
    panel = panel_for(hostile.url)
    for path in (f"/operations/runs/{RUN}/log", f"/api/operations/runs/{RUN}/log",
                 f"/operations/runs/{RUN}/events", f"/api/operations/runs/{RUN}/events"):
        resp = panel.get(path)
        assert resp.status_code in (200, 286), (path, resp.status_code, resp.text[:300])


def test_events_that_are_not_objects_are_left_out(hostile, panel_for):
    hostile.events[RUN] = ["run started", 7, None, ["x"],
                           {"seq": "two", "eventType": {"x": 1}, "message": ["m"]},
                           {"seq": 3, "eventType": "lifecycle", "message": "fine",
                            "createdAt": "2026-11-24T15:09:21.000Z"}]
    panel = panel_for(hostile.url)
    twin = panel.get(f"/api/operations/runs/{RUN}/events")
    assert twin.status_code == 200, twin.text[:300]
    assert [e["message"] for e in twin.json()["events"]][-1] == "fine"
    assert all(isinstance(e, dict) for e in twin.json()["events"])
    assert twin.json()["after"] == 3
    page = panel.soup(f"/operations/runs/{RUN}/events")
    assert "fine" in page.get_text()


# -- 11: ids and names from Paperclip ---------------------------------------------------

def test_a_row_with_a_bad_run_id_has_no_actions_and_says_so(hostile, panel_for):
    victim = run_id(2)
    hostile.live_runs[COMPANY] = [live_run(1, id=f"../heartbeat-runs/{victim}"),
                                  live_run(3, agentId="not-a-uuid")]
    panel = panel_for(hostile.url)
    soup = panel.soup("/operations/agents")
    bad, bad_agent = soup.select("tr.ow-row")
    assert not bad.select("button") and "malformed id" in bad.get_text()
    labels = [b.get_text() for b in bad_agent.select("button")]
    assert "Reset session" not in labels and "Stop" in labels
    assert "malformed agent id" in bad_agent.get_text()
    urls = [v for tag in soup.find_all(True) for k, v in tag.attrs.items()
            if k in ("href", "hx-get", "hx-post")]
    assert urls and not any(victim in u for u in urls)


def test_bidi_overrides_are_stripped_from_names_messages_and_events(hostile, panel_for):
    evil = "\u202eelif.exe\u202c"
    hostile.companies[0]["name"] = f"Acme{evil}"
    hostile.issues[issue_id(1)] = {"identifier": "OPS-1", "title": f"Fix{evil}"}
    hostile.live_runs[COMPANY] = [live_run(1, agentName=f"Bob{evil}", issueId=issue_id(1),
                                           currentStatusMessage=f"busy{evil}")]
    hostile.events[RUN] = [{"seq": 1, "eventType": f"life{evil}", "message": f"m{evil}",
                            "createdAt": "2026-11-24T15:09:21.000Z"}]
    panel = panel_for(hostile.url)
    wait_until(lambda: "OPS-1" in panel.get("/api/operations/agents").text)
    for path in ("/operations/agents", "/api/operations/agents",
                 f"/operations/runs/{RUN}/events", f"/api/operations/runs/{RUN}/events"):
        text = panel.get(path, headers={"HX-Request": "true"}).text
        assert "\u202e" not in text and "\\u202e" not in text, path
    soup = panel.soup("/operations/agents")
    row = soup.select_one("tr.ow-row")
    assert "elif.exe" in row.get_text()
    assert row_actions.prompt(row, "stop").startswith("Stop Bobelif.exe")
    for kind in ("stop", "pause"):  # the confirmations name the agent, stripped
        prompt = row_actions.prompt(row, kind)
        assert "Bobelif.exe" in prompt and "\u202e" not in prompt, prompt


# -- 4: slow issue lookups ---------------------------------------------------------------

def test_slow_issue_lookups_never_delay_the_runs(hostile, panel_for):
    runs = [live_run(n, issueId=issue_id(n)) for n in range(1, 41)]
    hostile.live_runs[COMPANY] = runs
    for n in range(1, 41):
        hostile.issues[issue_id(n)] = {"identifier": f"OPS-{n}", "title": "Slow"}
    hostile.on("GET", r"/api/issues/.*", body={"identifier": "OPS-0", "title": "Slow"}, delay=2)
    panel = panel_for(hostile.url, OPSWEB_TIMEOUT=3.0)
    for _ in range(3):  # several viewers' polls while the titles are still on their way
        started = time.monotonic()
        twin = panel.get("/api/operations/agents").json()
        assert time.monotonic() - started < 1.5
        assert len(twin["runs"]) == 40 and twin["errors"] == []
        assert {r["issueLabel"] for r in twin["runs"]} == {None}
    soup = panel.soup("/operations/agents?agent=" + AGENT)  # one agent's runs, not grouped
    assert len(soup.select("tr.ow-row")) == 40
    assert soup.select_one("td.ow-issue").get_text(strip=True) == issue_id(1)[:8]
    in_flight = hostile.count("GET", r"/api/issues/.*")
    assert 0 < in_flight <= 8  # lookups are capped, not one per run at once
    assert wait_until(lambda: "OPS-0 Slow" in panel.get("/api/operations/agents").text, 15)


# -- 15: numbers, repeated parameters, ids in the audit -------------------------------------

@pytest.mark.parametrize("value", ["１", "١", "+5", " 5", "5_0", "5 ", "٣٠"])
@pytest.mark.parametrize("where", ["events", "audit", "log-before", "log-cursor"])
def test_numbers_are_ascii_digits_only(hostile, panel_for, value, where):
    path = {"events": f"/api/operations/runs/{RUN}/events?after=",
            "audit": "/api/operations/audit?limit=",
            "log-before": f"/api/operations/runs/{RUN}/log?before=",
            "log-cursor": f"/api/operations/runs/{RUN}/log?cursor="}[where]
    resp = panel_for(hostile.url).get(path + requests.utils.quote(value))
    assert resp.status_code == 400, (where, value, resp.text[:200])


@pytest.mark.parametrize("path", ["/api/operations/audit?limit=5&limit=500",
                                  f"/api/operations/runs/{RUN}/events?after=1&after=2",
                                  "/api/operations/agents?status=running&status=queued",
                                  "/operations/agents?company=&company=x"])
def test_a_repeated_parameter_is_refused(hostile, panel_for, path):
    resp = panel_for(hostile.url).get(path)
    assert resp.status_code == 400 and "once" in resp.text


def test_ids_are_stored_lower_case_in_the_audit(hostile, panel_for, tmp_path):
    lettered = "abcdef00-0000-4000-8000-0000000000cd"
    hostile.live_runs[COMPANY] = [live_run(1, id=lettered)]
    panel = panel_for(hostile.url, OPSWEB_AUDIT_URL=own_audit(tmp_path))
    stop = panel.post_json(f"/api/operations/runs/{lettered.upper()}/cancel")
    assert stop.status_code == 200, stop.text[:300]
    reset = panel.post_json(f"/api/operations/agents/{AGENT.upper()}/reset-session")
    assert reset.status_code == 200, reset.text[:300]
    reset, stop = panel.get("/api/operations/audit").json()["actions"]
    assert stop["runId"] == lettered and reset["agentId"] == AGENT
