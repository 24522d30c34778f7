"""Who may press Stop: operators named by their tokens (bearer for curl, a sign-in form
and a signed session cookie for browsers), the host app's own login when embedded,
and without either only 127.0.0.1 as operator `local`."""
import json
import logging
import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from flask import Flask, request, session

import opsweb
from conftest import Panel, ServedApp
from opsweb import AuthConfigError, create_app
from opsweb.web.auth import parse_tokens

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef00"
SECRET = "test-secret-key-0123456789abcdef"
TOKENS = f"alice:{ALICE},bob:{BOB}"


@pytest.fixture
def guarded(demo, panel_for, tmp_path):
    return panel_for(demo.url, OPSWEB_OPERATOR_TOKENS=TOKENS, OPSWEB_SECRET_KEY=SECRET,
                     OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/audit.db")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def sign_in(panel, token, next_path="/operations"):
    form = panel.soup(f"/operations/login?next={next_path}")
    fields = {i["name"]: i.get("value", "") for i in form.select("form.ow-login input[name]")}
    fields["token"] = token
    return panel.http.post(f"{panel.url}/operations/login", data=fields, timeout=10,
                           headers={"Origin": panel.url}, allow_redirects=False)


# ---- settings ------------------------------------------------------------------------

def test_tokens_come_as_a_list_or_a_file(tmp_path):
    assert parse_tokens(TOKENS) == {ALICE: "alice", BOB: "bob"}
    listed = tmp_path / "operators"
    listed.write_text(f"# who may press Stop\nalice:{ALICE}\n\n  bob : {BOB}\n")
    assert parse_tokens(str(listed)) == {ALICE: "alice", BOB: "bob"}
    for bad in ("alice", "alice:short", f"al ice:{ALICE}", f"a:{ALICE},b:{ALICE}"):
        with pytest.raises(AuthConfigError):
            parse_tokens(bad)


def test_tokens_without_a_secret_key_refuse_to_start(demo):
    with pytest.raises(AuthConfigError, match="OPSWEB_SECRET_KEY"):
        create_app({"OPSWEB_PAPERCLIP_URL": demo.url, "OPSWEB_OPERATOR_TOKENS": TOKENS,
                    "OPSWEB_SECRET_KEY": None})
    env = {**os.environ, "OPSWEB_OPERATOR_TOKENS": TOKENS, "OPSWEB_SECRET_KEY": ""}
    done = subprocess.run([sys.executable, "-m", "opsweb.cli", "serve", "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("opsweb: not starting:") and "OPSWEB_SECRET_KEY" in done.stderr


# ---- curl ----------------------------------------------------------------------------

def test_curl_needs_an_operator_token(demo, guarded, caplog):
    caplog.set_level(logging.WARNING, logger="opsweb")
    before = demo.calls()["total"]
    none = guarded.get("/api/operations/agents")
    assert none.status_code == 401 and none.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in none.json()["error"]
    wrong = guarded.get("/api/operations/agents", headers=bearer("x" * 30))
    assert wrong.status_code == 401 and wrong.json()["error"] == "Unknown operator token"
    assert any("Unknown operator token" in r.getMessage() for r in caplog.records)
    assert demo.calls()["total"] == before  # Paperclip never heard of them
    assert guarded.get("/api/operations/agents", headers=bearer(ALICE)).json()["runs"]
    assert guarded.get("/metrics").status_code == 401
    assert guarded.get("/metrics", headers=bearer(BOB)).status_code == 200


def test_a_bearer_token_is_exempt_from_csrf_and_names_the_operator(demo, guarded):
    rid = demo.world.directory()["runs"]["processRunning"]
    resp = guarded.http.post(f"{guarded.url}/api/operations/runs/{rid}/cancel",
                             headers=bearer(ALICE), timeout=20)  # no body, no CSRF token
    assert resp.status_code == 200 and resp.json()["result"] == "done"
    last = guarded.get("/api/operations/audit?limit=1", headers=bearer(BOB)).json()["actions"][0]
    assert last["operator"] == "alice" and last["runId"] == rid


# ---- browsers ------------------------------------------------------------------------

def test_a_browser_signs_in_once_and_its_actions_carry_its_name(demo, guarded):
    page = guarded.http.get(f"{guarded.url}/operations", allow_redirects=False, timeout=10)
    assert page.status_code == 302
    assert page.headers["Location"].endswith("/operations/login?next=/operations")
    refused = sign_in(guarded, "not-a-token-at-all-0000")
    assert refused.status_code == 401 and "names no operator" in refused.text
    signed = sign_in(guarded, BOB)
    assert signed.status_code == 302 and signed.headers["Location"] == "/operations"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert BOB not in cookie  # the session keeps a fingerprint, never the token
    shown = guarded.soup("/operations").select_one(".ow-operator")
    assert "Operator: bob" in shown.get_text(" ", strip=True)
    rid = demo.world.directory()["runs"]["claudeRunning"]
    stop = guarded.post_as_browser(f"/operations/runs/{rid}/cancel")
    assert stop.status_code == 200 and "Run cancelled." in stop.text
    recent = guarded.soup("/operations/agents").select("tr.ow-recent-row")
    assert "bob" in recent[0].select_one(".ow-recent-operator").get_text()


def test_sign_in_needs_its_csrf_token_and_never_redirects_elsewhere(guarded):
    guarded.soup("/operations/login")
    forged = guarded.http.post(f"{guarded.url}/operations/login", data={"token": ALICE},
                               timeout=10, allow_redirects=False)
    assert forged.status_code == 403
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        resp = sign_in(guarded, ALICE, next_path=target)
        assert resp.status_code == 302 and resp.headers["Location"] == "/operations"


def test_signing_out_ends_the_session_and_htmx_is_sent_to_the_login(guarded):
    sign_in(guarded, ALICE)
    form = guarded.soup("/operations/agents").select_one("form.ow-signout")
    fields = {i["name"]: i["value"] for i in form.select("input[name]")}
    out = guarded.http.post(guarded.url + form["action"], data=fields, timeout=10,
                            headers={"Origin": guarded.url}, allow_redirects=False)
    assert out.status_code == 302 and out.headers["Location"].endswith("/operations/login")
    poll = guarded.get("/operations/agents", headers={"HX-Request": "true"})
    assert poll.status_code == 401 and "/operations/login" in poll.headers["HX-Redirect"]


def test_a_sign_in_expires(on_fake):
    short = on_fake(OPSWEB_OPERATOR_TOKENS=TOKENS, OPSWEB_SECRET_KEY=SECRET,
                    OPSWEB_SESSION_HOURS=1.5)
    form = short.soup("/operations/login")
    fields = {i["name"]: i.get("value", "") for i in form.select("form.ow-login input[name]")}
    signed = short.post("/operations/login", data={**fields, "token": ALICE},
                        headers={"Origin": short.origin})
    assert signed.status_code == 302
    short.clock.advance(1.5 * 3600 - 1)
    assert short.get("/operations/agents").status_code == 200
    short.clock.advance(1)
    assert short.get("/operations/agents", headers={"HX-Request": "true"}).status_code == 401


def test_removing_a_token_signs_its_browsers_out(demo, panel_for):
    both = panel_for(demo.url, OPSWEB_OPERATOR_TOKENS=TOKENS, OPSWEB_SECRET_KEY=SECRET)
    sign_in(both, BOB)
    only_alice = panel_for(demo.url, OPSWEB_OPERATOR_TOKENS=f"alice:{ALICE}",
                           OPSWEB_SECRET_KEY=SECRET)
    same_browser = Panel(only_alice.url, only_alice.app, both.http)  # the cookie goes along
    resp = same_browser.get("/operations", allow_redirects=False)
    assert resp.status_code == 302 and "/operations/login" in resp.headers["Location"]


# ---- without tokens: 127.0.0.1 only --------------------------------------------------

def test_without_tokens_only_loopback_may_use_the_panel_as_local(demo, panel):
    assert "Operator: local" in panel.soup("/operations").select_one(".ow-operator").get_text(" ", strip=True)
    client = panel.app.test_client()
    for addr in ("10.1.2.3", "192.168.0.7", "2001:db8::1"):
        resp = client.get("/api/operations/agents", environ_base={"REMOTE_ADDR": addr})
        assert resp.status_code == 403 and "only 127.0.0.1" in resp.get_json()["error"]
    assert client.get("/operations", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    ok = client.get("/api/operations/agents", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"})
    assert ok.status_code == 200


# ---- embedded: the host's login ------------------------------------------------------

def host_with_login(paperclip_url, audit_url):
    app = Flask("host")
    app.config.update(SECRET_KEY="host-secret-0123456789", OPSWEB_PAPERCLIP_URL=paperclip_url,
                      OPSWEB_COMPANIES=(), OPSWEB_PAPERCLIP_TOKEN=None,
                      OPSWEB_AUDIT_URL=audit_url, OPSWEB_OPERATOR_TOKENS=TOKENS)

    @app.post("/host/login")
    def host_login():
        session["user"] = request.form["user"]
        return "ok"

    opsweb.init_app(app, url_prefix="/admin/ops", api_prefix="/admin/api/ops",
                    metrics_path=None, operator=lambda: session.get("user"))
    return app


def test_embedded_the_hosts_login_names_the_operator(demo, tmp_path):
    served = ServedApp(host_with_login(demo.url, f"sqlite:///{tmp_path}/audit.db"))
    try:
        host = Panel(served.url, None)
        assert host.get("/admin/ops/agents").status_code == 401
        assert host.get("/admin/api/ops/agents", headers=bearer(ALICE)).status_code == 401
        host.http.post(f"{served.url}/host/login", data={"user": "dora"}, timeout=10)
        fragment = host.soup("/admin/ops/agents")
        assert "Operator: dora" in fragment.select_one(".ow-operator").get_text(" ", strip=True)
        token = json.loads(fragment.select_one("#ow-agents")["hx-headers"])["X-CSRF-Token"]
        rid = fragment.select("tr.ow-row")[0]["data-run-id"]
        stop = host.http.post(f"{served.url}/admin/ops/runs/{rid}/cancel", timeout=20,
                              headers={"X-CSRF-Token": token, "Origin": served.url})
        assert stop.status_code == 200
        last = host.get("/admin/api/ops/audit?limit=1").json()["actions"][0]
        assert last["operator"] == "dora" and last["runId"] == rid
    finally:
        served.stop()


def test_the_sign_in_form_is_not_offered_when_the_host_signs_people_in(demo, tmp_path):
    app = host_with_login(demo.url, f"sqlite:///{tmp_path}/audit.db")
    resp = app.test_client().get("/admin/ops/login")
    assert resp.status_code == 404
    assert BeautifulSoup(resp.data, "html.parser").select_one(".ow-failure")
