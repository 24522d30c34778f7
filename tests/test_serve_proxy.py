"""The README's TLS-proxy recipe, end to end: a proxy (tls_proxy.py) in front of a real
`opsweb serve` process. With operator tokens and OPSWEB_TRUSTED_PROXIES=1, sign-in and
Stop work through it and the trail records the visitor's address; in front of a
local-mode panel, the same proxy is refused."""
import json

import pytest
import requests
from bs4 import BeautifulSoup

from cli_process import Running, opsweb_env
from hostile_upstream import run_id
from tls_proxy import TlsProxy

ALICE = "alice-token-0123456789abcdef"
RUN = run_id(1)
CANCEL_PATH = f"/api/heartbeat-runs/{RUN}/cancel"
ORIGIN = "https://ops.example.com"
AS_BROWSER = {"Host": "ops.example.com"}  # what the browser sends to the proxy


@pytest.fixture
def serve(hostile, tmp_path):
    """`opsweb serve` against the hostile stand-in, with these settings, behind a proxy."""
    started = []

    def start(**settings) -> TlsProxy:
        env = opsweb_env(tmp_path, OPSWEB_PAPERCLIP_URL=hostile.url, OPSWEB_TIMEOUT="2",
                         OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db", **settings)
        running = Running(tmp_path, "serve", env=env).wait_ready()
        proxy = TlsProxy(running.url, visitor="203.0.113.9")
        started.extend([proxy, running])
        return proxy
    yield start
    for each in started:
        each.stop()


def test_sign_in_and_stop_work_through_a_tls_proxy(hostile, serve):
    proxy = serve(OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}",
                  OPSWEB_SECRET_KEY="proxy-secret-key-0123456789abcdef",
                  OPSWEB_TRUSTED_PROXIES="1", OPSWEB_ALLOWED_HOSTS="ops.example.com")
    browser = requests.Session()
    browser.headers.update(AS_BROWSER)
    login = BeautifulSoup(browser.get(proxy.url + "/operations/login", timeout=15).text,
                          "html.parser")
    fields = {i["name"]: i.get("value", "") for i in login.select("form.ow-login input[name]")}
    signed = browser.post(proxy.url + "/operations/login", data={**fields, "token": ALICE},
                          headers={"Origin": ORIGIN}, allow_redirects=False, timeout=15)
    assert signed.status_code == 302, signed.text[:300]
    page = BeautifulSoup(browser.get(proxy.url + "/operations/agents", timeout=15).text,
                         "html.parser")
    token = json.loads(page.select_one("#ow-agents")["hx-headers"])["X-CSRF-Token"]
    stop = browser.post(f"{proxy.url}/operations/runs/{RUN}/cancel", timeout=15, headers={
        "Origin": ORIGIN, "HX-Request": "true", "X-CSRF-Token": token})
    assert stop.status_code == 200, stop.text[:300]
    assert hostile.count("POST", CANCEL_PATH) == 1
    trail = browser.get(proxy.url + "/api/operations/audit", timeout=15).json()
    assert trail["actions"][0]["operator"] == "alice"
    assert trail["actions"][0]["remoteAddr"] == "203.0.113.9"


def test_the_same_proxy_in_front_of_a_local_panel_is_refused(hostile, serve):
    proxy = serve()
    page = requests.get(proxy.url + "/operations", headers={"Host": "127.0.0.1"}, timeout=15)
    assert page.status_code == 403 and "OPSWEB_OPERATOR_TOKENS" in page.text
    stop = requests.post(f"{proxy.url}/api/operations/runs/{RUN}/cancel", json={},
                         headers={"Host": "127.0.0.1", "Origin": "http://127.0.0.1"}, timeout=15)
    assert stop.status_code == 403
    assert hostile.count("POST", CANCEL_PATH) == 0
