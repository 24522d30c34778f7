"""Who a request claims to be addressed to and where it came from: DNS rebinding (a
foreign Host on 127.0.0.1), proxies in front of local mode, a TLS-terminating proxy
in front of operators, revocable sign-ins, and header values that used to give a 500.
All through real HTTP against the hostile stand-in Paperclip."""
import json

import pytest
import requests
from bs4 import BeautifulSoup

from conftest import Panel, serve_panel
from hostile_upstream import run_id
from opsweb import AuthConfigError, create_app

ALICE = "alice-token-0123456789abcdef"
SECRET = "test-secret-key-0123456789abcdef"
RUN = run_id(1)
CANCEL = f"/api/operations/runs/{RUN}/cancel"
CANCEL_PATH = f"/api/heartbeat-runs/{RUN}/cancel"


def port_of(panel: Panel) -> int:
    return int(panel.url.rsplit(":", 1)[1])


def test_a_rebinding_page_cannot_stop_or_read_in_local_mode(hostile, panel_on_both):
    panel = panel_on_both(hostile.url)
    rebound = f"rebind.attacker.example:{port_of(panel)}"
    headers = {"Host": rebound, "Origin": f"http://{rebound}"}
    stop = panel.http.post(panel.url + CANCEL, json={}, headers=headers, timeout=10)
    assert stop.status_code == 400 and "loopback" in stop.json()["error"]
    read = panel.get("/api/operations/agents", headers={"Host": rebound})
    assert read.status_code == 400
    page = panel.get("/operations", headers={"Host": rebound})
    assert page.status_code == 400 and "rebind.attacker.example" in page.text
    assert hostile.count("POST", CANCEL_PATH) == 0
    assert hostile.count("GET", r"/api/companies/.*/live-runs") == 0
    for name in (f"localhost:{port_of(panel)}", f"127.0.0.1:{port_of(panel)}",
                 f"[::1]:{port_of(panel)}"):
        assert panel.get("/api/operations/agents", headers={"Host": name}).status_code == 200


def test_with_operators_the_allowed_hosts_list_applies(hostile, panel_on_both, tmp_path):
    panel = panel_on_both(hostile.url, OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}",
                      OPSWEB_SECRET_KEY=SECRET, OPSWEB_ALLOWED_HOSTS="ops.example.com",
                      OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db")
    auth = {"Authorization": f"Bearer {ALICE}"}
    ok = panel.get("/api/operations/agents", headers={**auth, "Host": "OPS.example.com:8700"})
    assert ok.status_code == 200
    other = panel.get("/api/operations/agents", headers={**auth, "Host": "evil.example"})
    assert other.status_code == 400 and "OPSWEB_ALLOWED_HOSTS" in other.json()["error"]


@pytest.mark.parametrize("header, value", [
    ("X-Forwarded-For", "203.0.113.9"), ("Forwarded", "for=203.0.113.9"),
    ("X-Real-IP", "203.0.113.9"), ("X-Forwarded-Host", "ops.example.com"),
    ("X-Forwarded-Proto", "https"), ("X-Forwarded-Port", "443"),
    ("X-Forwarded-By", "203.0.113.1"), ("X-Forwarded-Prefix", "/ops"),
    ("Via", "1.1 proxy.example")])
def test_a_proxied_request_is_not_a_local_user(hostile, panel_on_both, header, value):
    """Also through waitress, which (before opsweb set it otherwise) dropped Forwarded
    and X-Forwarded-* before the app could see them: the Stop went through."""
    panel = panel_on_both(hostile.url)
    resp = panel.http.post(panel.url + CANCEL, json={}, headers={header: value}, timeout=10)
    assert resp.status_code == 403 and "OPSWEB_OPERATOR_TOKENS" in resp.json()["error"]
    for path in ("/operations", "/api/operations/agents"):
        assert panel.get(path, headers={header: value}).status_code == 403
    assert hostile.count("POST", CANCEL_PATH) == 0


def test_trusted_proxies_without_operators_refuse_to_start(hostile):
    with pytest.raises(AuthConfigError, match="OPSWEB_OPERATOR_TOKENS"):
        create_app({"OPSWEB_PAPERCLIP_URL": hostile.url, "OPSWEB_TRUSTED_PROXIES": 1})


def proxied_sign_in(panel: Panel, origin: str, forwarded: dict) -> requests.Response:
    form = BeautifulSoup(panel.get("/operations/login", headers=forwarded).text, "html.parser")
    fields = {i["name"]: i.get("value", "") for i in form.select("form.ow-login input[name]")}
    fields["token"] = ALICE
    return panel.http.post(panel.url + "/operations/login", data=fields, timeout=10,
                           headers={**forwarded, "Origin": origin}, allow_redirects=False)


def test_behind_a_tls_proxy_sign_in_and_stop_work(hostile, panel_on_both, tmp_path):
    panel = panel_on_both(hostile.url, OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}",
                      OPSWEB_SECRET_KEY=SECRET, OPSWEB_TRUSTED_PROXIES=1,
                      OPSWEB_ALLOWED_HOSTS="ops.example.com",
                      OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db")
    origin = "https://ops.example.com"
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Host": "ops.example.com"}
    signed = proxied_sign_in(panel, origin, forwarded)
    assert signed.status_code == 302, signed.text[:300]
    assert signed.headers["Location"].startswith("/operations")
    soup = BeautifulSoup(panel.get("/operations/agents", headers=forwarded).text, "html.parser")
    token = json.loads(soup.select_one("#ow-agents")["hx-headers"])["X-CSRF-Token"]
    stop = panel.http.post(f"{panel.url}/operations/runs/{RUN}/cancel", timeout=10, headers={
        **forwarded, "Origin": origin, "HX-Request": "true", "X-CSRF-Token": token})
    assert stop.status_code == 200, stop.text[:300]
    assert hostile.count("POST", CANCEL_PATH) == 1
    audit = panel.get("/api/operations/audit",
                      headers={**forwarded, "Authorization": f"Bearer {ALICE}"})
    assert audit.json()["actions"][0]["remoteAddr"] == "203.0.113.9"


def sign_in_direct(panel: Panel, next_path: str = "/operations") -> requests.Response:
    form = BeautifulSoup(panel.get("/operations/login").text, "html.parser")
    fields = {i["name"]: i.get("value", "") for i in form.select("form.ow-login input[name]")}
    fields.update(token=ALICE, next=next_path)
    return panel.http.post(panel.url + "/operations/login", data=fields, timeout=10,
                           headers={"Origin": panel.url}, allow_redirects=False)


def test_sign_out_ends_the_session_on_every_instance(hostile, tmp_path):
    config = dict(OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}", OPSWEB_SECRET_KEY=SECRET,
                  OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/shared.db")
    (one, served_one), (two, served_two) = (serve_panel(hostile.url, "waitress", **config),
                                            serve_panel(hostile.url, **config))
    try:
        assert sign_in_direct(one).status_code == 302
        cookie = one.http.cookies.get("session")
        stolen = requests.Session()
        for base in (one.url, two.url):  # the same cookie works on both instances
            resp = stolen.get(base + "/api/operations/agents", cookies={"session": cookie},
                              timeout=10)
            assert resp.status_code == 200
        token = BeautifulSoup(one.get("/operations").text, "html.parser").select_one(
            "form.ow-signout input[name=csrf_token]")["value"]
        out = one.http.post(one.url + "/operations/logout", data={"csrf_token": token},
                            headers={"Origin": one.url}, timeout=10, allow_redirects=False)
        assert out.status_code == 302
        for base in (one.url, two.url):
            resp = stolen.get(base + "/api/operations/agents", cookies={"session": cookie},
                              timeout=10)
            assert resp.status_code == 401
            stop = stolen.post(base + CANCEL, json={}, cookies={"session": cookie}, timeout=10)
            assert stop.status_code == 401
        assert hostile.count("POST", CANCEL_PATH) == 0
    finally:
        served_one.stop()
        served_two.stop()


def test_a_sign_in_next_with_a_line_break_goes_to_the_panel(hostile, panel_on_both, tmp_path):
    panel = panel_on_both(hostile.url, OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}",
                      OPSWEB_SECRET_KEY=SECRET, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/a.db")
    resp = sign_in_direct(panel, "/operations\r\nSet-Cookie: planted=1")
    assert resp.status_code == 302 and resp.headers["Location"] == "/operations"
    assert "planted" not in resp.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("origin", ["http://[::1", "http://[", "http://a:b:c"])
def test_a_malformed_origin_is_a_403_not_a_500(hostile, panel_on_both, tmp_path, origin):
    local = panel_on_both(hostile.url)
    resp = local.http.post(local.url + CANCEL, json={}, headers={"Origin": origin}, timeout=10)
    assert resp.status_code == 403 and "Cross-origin" in resp.json()["error"]
    guarded = panel_on_both(hostile.url, OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}",
                        OPSWEB_SECRET_KEY=SECRET, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/a.db")
    login = guarded.http.post(guarded.url + "/operations/login", data={"token": ALICE},
                              headers={"Origin": origin}, timeout=10)
    assert login.status_code == 403
    assert hostile.count("POST", CANCEL_PATH) == 0
