"""One company failing never blanks the others; Paperclip down, slow or talking
nonsense gets a sentence, never a 500 or a hung page; bad ids never reach Paperclip."""
import socket

import pytest

from opsweb.demo.runner import DemoServer

ACME = "c0ffee01-0000-4000-8000-000000000001"
GLOBEX = "c0ffee02-0000-4000-8000-000000000002"


def company_names(soup):
    return {r.select_one(".ow-company").get_text(strip=True)
            for r in soup.select("#ow-agents tr.ow-row")}


@pytest.mark.parametrize("mode, reason", [
    ("500", "failed (500)"),
    ("401", "rejected opsweb's credentials (401)"),
    ("403", "refused access (403)"),
    ("404", "answered 404 for this company: API route not found"),
    ("malformed", "malformed JSON"),
    ("down", "unreachable"),
    ("slow", "did not answer"),
    ("truncated", "broken answer"),
    ("huge", "more than"),
])
def test_one_company_failing_leaves_the_other_on_screen(demo, panel_for, mode, reason):
    panel = panel_for(demo.url, OPSWEB_TIMEOUT=0.5)  # "slow" waits for this, no more
    demo.control("POST", "/faults", companyId=GLOBEX, mode=mode, delayMs=5000)
    resp = panel.get("/operations/agents")
    assert resp.status_code == 200
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(resp.text, "html.parser")
    assert company_names(soup) == {"Acme Ops"}
    errors = soup.select(".ow-error")
    assert len(errors) == 1 and errors[0]["role"] == "alert"
    assert "Globex Research" in errors[0].get_text() and reason in errors[0].get_text()
    twin = panel.get("/api/operations/agents")
    assert twin.status_code == 200
    body = twin.json()
    assert {r["companyName"] for r in body["runs"]} == {"Acme Ops"}
    assert [e["companyId"] for e in body["errors"]] == [GLOBEX]
    assert reason in body["errors"][0]["error"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_paperclip_down_entirely_says_unreachable(panel_for):
    url = f"http://127.0.0.1:{free_port()}"
    panel = panel_for(url)
    soup = panel.soup("/operations")
    error = soup.select_one(".ow-error").get_text(" ", strip=True)
    assert f"Paperclip at {url} is unreachable" in error
    assert panel.get("/api/operations/agents").json()["errors"][0]["error"].startswith(
        f"Paperclip at {url} is unreachable")
    log = panel.get("/api/operations/runs/b0000001-0000-4000-8000-000000000001/log")
    assert log.status_code == 502 and "unreachable" in log.json()["error"]


def test_every_company_slow_still_answers_within_the_deadline(demo, panel_for):
    demo.control("POST", "/faults", companyId=None, mode="slow", delayMs=8000)
    panel = panel_for(demo.url, OPSWEB_TIMEOUT=0.5)
    resp = panel.get("/api/operations/agents", timeout=6)  # hangs would fail here
    assert resp.status_code == 200
    assert "did not answer in 0.5 s" in resp.json()["errors"][0]["error"]


@pytest.mark.parametrize("path", [
    "/operations/runs/not-a-uuid/log",
    "/api/operations/runs/not-a-uuid/log",
    "/api/operations/runs/1234/events",
    "/api/operations/runs/b0000000-0000-4000-8000-00000000000Z/log",
])
def test_malformed_run_ids_are_refused_before_paperclip_is_called(demo, panel, path):
    before = demo.calls()["total"]
    resp = panel.get(path)
    assert resp.status_code == 400
    assert "must be a UUID" in resp.text
    assert demo.calls()["total"] == before


def test_malformed_ids_on_actions_are_refused_too(demo, panel):
    before = demo.calls()["total"]
    assert panel.post_json("/api/operations/runs/not-a-uuid/cancel").status_code == 400
    resp = panel.post_json("/api/operations/agents/42/reset-session")
    assert resp.status_code == 400 and resp.json()["error"].startswith("agent id must be a UUID")
    assert demo.calls()["total"] == before


def test_unknown_query_parameters_are_an_error(panel):
    resp = panel.get("/api/operations/agents", params={"compnay": "x"})
    assert resp.status_code == 400 and "Unknown query parameter: compnay" in resp.json()["error"]


def test_token_is_sent_as_bearer_and_never_reaches_the_browser(panel_for):
    token = "pcp_board_" + "ab" * 24
    with DemoServer(port=0, token=token, autoplay=False) as paperclip:
        panel = panel_for(paperclip.url, OPSWEB_PAPERCLIP_TOKEN=token)
        pages = [panel.get(p).text for p in ("/operations", "/operations/agents",
                                             "/api/operations/agents")]
        rid = panel.get("/api/operations/agents").json()["runs"][0]["runId"]
        pages += [panel.get(f"/operations/runs/{rid}/log").text,
                  panel.get(f"/api/operations/runs/{rid}/log").text]
        assert all(token not in p for p in pages)
        assert panel.get("/api/operations/agents").json()["errors"] == []
        without = panel_for(paperclip.url)
        errors = without.get("/api/operations/agents").json()["errors"]
        assert "401" in errors[0]["error"]


def test_no_authorization_header_when_no_token_is_set(demo, panel):
    panel.get("/operations/agents")
    assert demo.calls()["withAuthorization"] == {}
