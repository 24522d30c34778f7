"""A host page that uses {{ opsweb_head() }} and {{ opsweb_panel() }}: the live panel
under the host's prefix, and a sign-in prompt (not an empty area) when signed out."""
import pytest
from flask import Flask, render_template_string

import opsweb
from conftest import ServedApp

from .conftest import expect

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme admin</title><link rel="icon" href="data:,">{{ opsweb_head() }}</head>
<body><main><h1>Acme admin</h1>{{ opsweb_panel() }}</main></body></html>"""


@pytest.fixture
def host_with(demo):
    started = []

    def make(operator):
        app = Flask("acme_admin")
        app.config.update(SECRET_KEY="host-secret", OPSWEB_PAPERCLIP_URL=demo.url,
                          OPSWEB_COMPANIES=(), OPSWEB_PAPERCLIP_TOKEN=None, OPSWEB_TIMEOUT=2.0)
        opsweb.init_app(app, url_prefix="/admin/ops", api_prefix="/admin/api/ops",
                        metrics_path=None, operator=operator)
        app.add_url_rule("/admin", "home", lambda: render_template_string(HOST_PAGE))
        served = ServedApp(app)
        started.append(served)
        return served.url
    yield make
    for served in started:
        served.stop()


def test_the_helpers_load_the_live_panel_under_the_hosts_prefix(host_with, watched):
    page = watched.page
    page.goto(host_with(lambda: "alice") + "/admin")
    expect(page.locator("#ow-agents tr.ow-row")).to_have_count(9)
    assert page.locator("#ow-poll").get_attribute("hx-get") == "/admin/ops/agents"
    assert watched.problems == []


def test_signed_out_the_embedded_panel_shows_the_sign_in_prompt(host_with, page):
    page.goto(host_with(lambda: None) + "/admin")
    expect(page.get_by_role("heading", name="Acme admin")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Sign in to see the operations panel")
