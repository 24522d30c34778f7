"""A host page shows the panel with two Jinja helpers, under any prefix, with the same
security headers as the standalone panel and a sign-in prompt when signed out."""
import pytest
from flask import Flask, render_template_string

import opsweb
from conftest import Panel, ServedApp
from test_security_headers import assert_hardened

HOST_PAGE = """<!doctype html><html><head><title>Host</title>{{ opsweb_head() }}</head>
<body><nav>Host navigation</nav>{{ opsweb_panel() }}</body></html>"""
TOKEN = "alice-token-0123456789"


def hosted(paperclip_url, **init):
    app = Flask("host")
    app.config.update(SECRET_KEY="host-secret-0123456789", OPSWEB_PAPERCLIP_URL=paperclip_url,
                      OPSWEB_COMPANIES=(), OPSWEB_PAPERCLIP_TOKEN=None)
    opsweb.init_app(app, url_prefix="/admin/ops", api_prefix="/admin/api/ops",
                    metrics_path=None, **init)
    app.add_url_rule("/admin/home", "home", lambda: render_template_string(HOST_PAGE))
    return app


@pytest.fixture
def host_for(demo):
    started = []

    def make(**init) -> Panel:
        served = ServedApp(hosted(demo.url, **init))
        started.append(served)
        return Panel(served.url, None)
    yield make
    for served in started:
        served.stop()


def test_opsweb_head_emits_the_prefixed_assets_and_the_htmx_config(host_for):
    host = host_for()
    page = host.soup("/admin/home")
    config = page.select_one('meta[name="htmx-config"]')["content"]
    assert '"allowEval": false' in config
    urls = [page.select_one("link[rel=stylesheet]")["href"]] + [s["src"] for s in page.select("script")]
    assert all("?v=" in url for url in urls)  # versioned: cached for good
    assert [url.split("?")[0] for url in urls] == ["/admin/ops/static/opsweb/opsweb.css",
                    "/admin/ops/static/opsweb/htmx-2.0.11.min.js",
                    "/admin/ops/static/opsweb/opsweb.js",
                    "/admin/ops/static/opsweb/opsweb-notify.js"]
    for url in urls:
        resp = host.get(url)
        assert resp.status_code == 200 and resp.content
        assert_hardened(resp)
    placeholder = page.select_one("div[hx-get]")
    assert placeholder["hx-get"] == "/admin/ops/agents" and "ow-root" in placeholder["class"]
    assert host.soup(placeholder["hx-get"]).select("tr.ow-row")


def test_embedded_answers_carry_the_standalone_security_headers(host_for):
    host = host_for()
    for path in ("/admin/ops/agents", "/admin/ops", "/admin/api/ops/agents",
                 "/admin/api/ops/runs/not-a-uuid/log"):
        assert_hardened(host.get(path))
    # the host's own pages are the host's business
    assert "Content-Security-Policy" not in host.get("/admin/home").headers


def test_signed_out_the_embedded_panel_answers_a_sign_in_prompt(host_for):
    host = host_for(operator=lambda: None)
    resp = host.get("/admin/ops/agents", headers={"HX-Request": "true"})
    assert resp.status_code == 401
    assert "Sign in to see the operations panel" in resp.text


def test_a_signed_out_embedded_panel_sends_the_browser_back_to_the_hosts_page(demo, host_for,
                                                                              monkeypatch):
    monkeypatch.setenv("OPSWEB_OPERATOR_TOKENS", f"alice:{TOKEN}")
    host = host_for()
    resp = host.get("/admin/ops/agents", headers={
        "HX-Request": "true", "HX-Current-URL": f"{host.url}/admin/home?tab=ops"})
    assert resp.status_code == 401
    assert resp.headers["HX-Redirect"] == "/admin/ops/login?next=/admin/home?tab%3Dops"


def test_the_page_answers_with_a_trailing_slash(panel):
    for path in ("/operations", "/operations/"):
        page = panel.soup(path)
        assert page.select_one("#ow-agents") and page.select("tr.ow-row")
