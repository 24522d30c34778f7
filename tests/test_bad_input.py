"""Bad input never reaches Paperclip: path tricks, malformed ids, oversized or unknown
query parameters, wrong methods, wrong content types and bodies each get a 4xx with a
sentence saying what is wrong. (Malformed ids on the reads: test_resilience.py.)"""
import http.client
import json
from urllib.parse import urlsplit

import pytest

RUN = "b0000001-0000-4000-8000-000000000001"
AGENT = "a9e00013-0000-4000-8000-000000000013"
TOKEN = "bad-input-operator-token-0123"


def raw(panel, method: str, path: str, body: bytes | None = None, headers=None):
    """Send the path exactly as written: requests would normalise dot segments."""
    where = urlsplit(panel.url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read().decode()
    finally:
        conn.close()


@pytest.fixture
def untouched(demo):
    """Asserts at the end of the test that Paperclip saw no call at all."""
    yield
    recent = [c for c in demo.calls()["recent"] if c["key"] != "companies"]
    assert recent == [], recent


@pytest.mark.parametrize("path", [
    "/api/operations/runs/..%2F..%2Fcompanies/log",
    "/api/operations/runs/%2e%2e/log",
    "/api/operations/runs/../../api/companies/log",
    f"/api/operations/runs/{RUN}%2F..%2F/log",
    f"/api/operations/runs/{RUN}%00/log",
    f"/api/operations/runs/{RUN}%20/events",
    "/api/operations/runs/" + "b" * 5000 + "/log",
    "/api/operations/agents/..%2Fagents/reset-session",
])
def test_path_tricks_are_refused_as_json_without_calling_paperclip(panel, untouched, path):
    method = "POST" if path.endswith("reset-session") else "GET"
    status, kind, text = raw(panel, method, path, b"{}", {"Content-Type": "application/json"})
    assert 400 <= status < 500, (status, text[:200])
    assert kind.startswith("application/json") and json.loads(text)["error"]


@pytest.mark.parametrize("path", ["/operations/runs/..%2F..%2Fagents/log",
                                  "/operations/runs/%2e%2e/log"])
def test_path_tricks_on_the_panel_are_refused_too(panel, untouched, path):
    status, _, text = raw(panel, "GET", path)
    assert status in (400, 404) and ("UUID" in text or "No page here" in text)


@pytest.mark.parametrize("path, message", [
    (f"/api/operations/runs/{RUN}/log?cursor=" + "9" * 70, "cursor is too long"),
    (f"/api/operations/runs/{RUN}/log?cursor=1234567890123456", "invalid log cursor"),
    (f"/api/operations/runs/{RUN}/log?before=-5", "invalid before offset"),
    (f"/api/operations/runs/{RUN}/log?format=xml", "format must be"),
    (f"/api/operations/runs/{RUN}/events?after=99999999999999999999", "after must be between 0 and"),
    (f"/api/operations/runs/{RUN}/events?after=-1", "after must be a whole number"),
    (f"/api/operations/runs/{RUN}/events?after=1e3", "after must be a whole number"),
    ("/api/operations/agents?agent=" + "x" * 65, "agent is too long"),
    ("/api/operations/audit?limit=100000", "limit must be between 1 and 500"),
    ("/api/operations/audit?limit=0", "limit must be between 1 and 500"),
    (f"/api/operations/runs/{RUN}/log.ndjson?offset=0", "Unknown query parameter: offset"),
    ("/api/operations/openapi.json?v=2", "Unknown query parameter: v"),
    ("/api/operations/audit?offset=3", "Unknown query parameter: offset"),
])
def test_oversized_and_unknown_query_values_are_named(panel, untouched, path, message):
    resp = panel.get(path)
    assert resp.status_code == 400 and message in resp.json()["error"], resp.text


def test_unknown_parameters_on_stop_and_reset_are_refused(panel, untouched):
    resp = panel.post_json(f"/api/operations/runs/{RUN}/cancel?force=1")
    assert resp.status_code == 400 and "Unknown query parameter: force" in resp.json()["error"]
    resp = panel.post_json(f"/api/operations/agents/{AGENT}/reset-session?taskKey=x")
    assert resp.status_code == 400


@pytest.mark.parametrize("method, path", [
    ("PUT", f"/api/operations/runs/{RUN}/cancel"),
    ("DELETE", f"/api/operations/runs/{RUN}/cancel"),
    ("PATCH", f"/api/operations/agents/{AGENT}/reset-session"),
    ("GET", f"/api/operations/agents/{AGENT}/reset-session"),
    ("POST", "/api/operations/agents"),
    ("POST", f"/api/operations/runs/{RUN}/log"),
    ("DELETE", "/api/operations/audit"),
])
def test_wrong_methods_are_405_with_the_allowed_ones(panel, untouched, method, path):
    resp = panel.http.request(method, panel.url + path, json={}, timeout=10)
    assert resp.status_code == 405
    assert resp.json()["error"] and resp.headers["Allow"]


def test_wrong_methods_on_the_panel_are_405_too(panel, untouched):
    resp = panel.http.delete(f"{panel.url}/operations/runs/{RUN}/cancel", timeout=10)
    assert resp.status_code == 405 and "POST" in resp.headers["Allow"]


def test_a_curl_post_without_json_is_refused_by_name(panel, untouched):
    resp = panel.http.post(f"{panel.url}/api/operations/runs/{RUN}/cancel", data="stop please",
                           headers={"Content-Type": "text/plain"}, timeout=10)
    assert resp.status_code == 403 and "Content-Type: application/json" in resp.json()["error"]


@pytest.fixture
def operator_panel(demo, panel_for):
    panel = panel_for(demo.url, OPSWEB_OPERATOR_TOKENS=f"carol:{TOKEN}",
                      OPSWEB_SECRET_KEY="bad-input-secret-key-0123")
    panel.http.headers["Authorization"] = f"Bearer {TOKEN}"
    return panel


@pytest.mark.parametrize("body, headers, status, message", [
    ("token=1", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "must be json"),
    ("<stop/>", {"Content-Type": "application/xml"}, 415, "must be json"),
    ("[1, 2]", {"Content-Type": "application/json"}, 400, "must be a json object"),
    ("{oops", {"Content-Type": "application/json"}, 400, "must be a json object"),
    ("{}" + " " * 70_000, {"Content-Type": "application/json"}, 413, "too large"),
])
def test_bodies_that_are_not_a_json_object_are_refused(operator_panel, untouched, body, headers,
                                                       status, message):
    resp = operator_panel.http.post(f"{operator_panel.url}/api/operations/runs/{RUN}/cancel",
                                    data=body, headers=headers, timeout=10)
    assert resp.status_code == status and message in resp.json()["error"].lower(), resp.text
