"""The spend page and twin against a stand-in Paperclip that misbehaves, through
`opsweb serve` as an operator runs it: whatever its cost routes do (hang, fail, 4xx,
garbage, a wrong JSON type), the answer is a 200 with the company's error in
`errors`, and another company is still read; never a bare 500."""
from __future__ import annotations

import socket
import time

import pytest
import requests

from cli_process import Running, opsweb_env
from hostile_upstream import COMPANY

GLOBEX = "c0ffee00-0000-4000-8000-0000000000bb"
COSTS = rf"/api/companies/{COMPANY}/costs/window-spend"


@pytest.fixture
def served(hostile, tmp_path):
    hostile.companies.append({"id": GLOBEX, "name": "Globex"})
    hostile.live_runs[GLOBEX] = []
    env = opsweb_env(tmp_path, OPSWEB_PAPERCLIP_URL=hostile.url, OPSWEB_TIMEOUT="1",
                     OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/a.db")
    running = Running(tmp_path, "serve", env=env).wait_ready()
    yield running
    running.stop()


@pytest.mark.parametrize("rule, said", [
    (dict(delay=5), "did not answer"),
    (dict(status=502, body=b"<html>bad gateway</html>"), "failed (502)"),
    (dict(status=403, body={"error": "Costs are outside this actor's authorization boundary"}),
     "authorization boundary"),
    (dict(body=b"{not json"), "malformed JSON"),
    (dict(body={"rows": []}), "where a list was expected"),
])
def test_a_misbehaving_cost_route_is_that_companys_error(hostile, served, rule, said):
    hostile.on("GET", COSTS, **rule)
    started = time.monotonic()
    resp = requests.get(served.url + "/api/operations/spend", timeout=15)
    assert resp.status_code == 200, resp.text
    assert time.monotonic() - started < 4  # the deadline, not the upstream's delay
    body = resp.json()
    [error] = body["errors"]
    assert error["companyId"] == COMPANY and said in error["error"]
    assert [c["companyId"] for c in body["companies"]] == [GLOBEX]
    page = requests.get(served.url + "/operations/spend", timeout=15)
    assert page.status_code == 200 and said in page.text


def test_paperclip_down_is_one_clear_line(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{probe.getsockname()[1]}"
    env = opsweb_env(tmp_path, OPSWEB_PAPERCLIP_URL=down, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/a.db")
    running = Running(tmp_path, "serve", env=env).wait_ready()
    try:
        resp = requests.get(running.url + "/api/operations/spend", timeout=15)
    finally:
        running.stop()
    assert resp.status_code == 200
    body = resp.json()
    assert body["companies"] == []
    [error] = body["errors"]
    assert error["companyId"] == "*" and "unreachable (connection refused)" in error["error"]
