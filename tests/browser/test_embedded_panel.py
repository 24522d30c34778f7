"""The panel embedded in somebody else's Flask app: the host's own page, at its own
path, loads the fragment with one htmx placeholder and gets the same live panel."""
import pytest
from flask import Flask, render_template_string

import opsweb
from conftest import ServedApp

from .conftest import LOG_FOLLOW_MS, PANEL_REFRESH_MS, expect, new_run, say

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme admin · Home</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ops/static/opsweb/opsweb.css">
<script src="/ops/static/opsweb/htmx-2.0.11.min.js" defer></script>
<script src="/ops/static/opsweb/opsweb.js" defer></script>
</head><body>
<nav class="host-nav"><a href="/admin/ops-home">Home</a> · <a href="#">Billing</a></nav>
<main><h1>Acme admin</h1>
<div hx-get="/ops/agents" hx-trigger="load" hx-swap="outerHTML"></div>
</main></body></html>"""


@pytest.fixture
def host(demo):
    app = Flask("acme_admin")
    app.config.update(SECRET_KEY="host-secret", OPSWEB_PAPERCLIP_URL=demo.url,
                      OPSWEB_COMPANIES=(), OPSWEB_PAPERCLIP_TOKEN=None, OPSWEB_TIMEOUT=2.0)
    opsweb.init_app(app, url_prefix="/ops", api_prefix="/api/ops", metrics_path=None)

    @app.get("/admin/ops-home")
    def home():
        return render_template_string(HOST_PAGE)

    served = ServedApp(app)
    yield served.url
    served.stop()


def test_a_host_page_gets_the_same_live_panel(demo, host, watched):
    page = watched.page
    page.goto(host + "/admin/ops-home")
    expect(page.get_by_role("heading", name="Acme admin")).to_be_visible()
    expect(page.locator("#ow-agents tr.ow-row")).to_have_count(9)
    expect(page.get_by_role("heading", name="Active agents")).to_be_visible()

    rid = new_run(demo)  # refreshes itself under the host's prefix
    expect(page.locator(f'tr[data-run-id="{rid}"]')).to_be_visible(timeout=PANEL_REFRESH_MS)
    assert page.locator("#ow-agents #ow-poll").get_attribute("hx-get") == "/ops/agents"

    say(demo, rid, "archiving batch 1")
    page.get_by_role("button", name="Log of Archivist").click()
    dialog = page.locator("#ow-log-dialog")  # opsweb.js adds it to a host page
    expect(dialog).to_have_attribute("open", "")
    expect(dialog.locator("#ow-log-entries")).to_contain_text("archiving batch 1")
    say(demo, rid, "archiving batch 2")
    expect(dialog.locator("#ow-log-entries")).to_contain_text("archiving batch 2",
                                                               timeout=LOG_FOLLOW_MS)
    page.keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(page.locator(f"#ow-run-{rid} .ow-do-log")).to_be_focused()
    assert watched.problems == []


def test_the_json_twins_answer_under_the_hosts_api_prefix(demo, host, page):
    rid = new_run(demo)
    say(demo, rid, "archiving batch 1")
    page.goto(host + "/admin/ops-home")
    api = page.request

    agents = api.get(f"{host}/api/ops/agents")
    assert agents.ok and agents.headers["content-type"].startswith("application/json")
    body = agents.json()
    assert rid in [r["runId"] for r in body["runs"]] and body["errors"] == []
    log = api.get(f"{host}/api/ops/runs/{rid}/log").json()
    assert "archiving batch 1" in log["text"] and log["finished"] is False
    events = api.get(f"{host}/api/ops/runs/{rid}/events").json()
    assert events["runId"] == rid and events["live"] is True
    stop = api.post(f"{host}/api/ops/runs/{rid}/cancel", data={})
    assert stop.json() == {"action": "cancel", "id": rid, "result": "done",
                           "message": "Run cancelled.", "status": "cancelled"}
    bad = api.get(f"{host}/api/ops/runs/not-a-uuid/log")
    assert bad.status == 400 and "error" in bad.json()
    assert api.get(f"{host}/api/operations/agents").status == 404  # only the host's prefixes
    assert api.get(f"{host}/operations").status == 404
