"""The panel inside somebody else's Flask app, under the host's own prefixes."""
import json

from flask import Flask, render_template_string

import opsweb
from conftest import Panel, ServedApp

HOST_PAGE = """<!doctype html><html><head><title>Host admin</title>
<link rel="stylesheet" href="{{ url_for('opsweb_panel.static', filename='opsweb.css') }}">
<script src="{{ url_for('opsweb_panel.static', filename='htmx-2.0.11.min.js') }}" defer></script>
<script src="{{ url_for('opsweb_panel.static', filename='opsweb.js') }}" defer></script>
</head><body><nav>Host navigation</nav>
<div hx-get="{{ url_for('opsweb_panel.agents') }}" hx-trigger="load" hx-swap="outerHTML"></div>
</body></html>"""


def host_app(paperclip_url):
    app = Flask("host")
    app.config.update(SECRET_KEY="host-secret", OPSWEB_PAPERCLIP_URL=paperclip_url,
                      OPSWEB_COMPANIES=(), OPSWEB_PAPERCLIP_TOKEN=None)
    opsweb.init_app(app, url_prefix="/admin/ops", api_prefix="/admin/api/ops",
                    metrics_path=None)

    @app.get("/admin/home")
    def home():
        return render_template_string(HOST_PAGE)

    return app


def test_the_fragments_and_twins_work_under_the_hosts_prefixes(demo):
    served = ServedApp(host_app(demo.url))
    try:
        host = Panel(served.url, None)
        page = host.soup("/admin/home")
        placeholder = page.select_one("div[hx-get]")
        assert placeholder["hx-get"] == "/admin/ops/agents"
        fragment = host.soup(placeholder["hx-get"])
        root = fragment.select_one("#ow-agents")
        # polls itself under the host prefix
        assert root.select_one("#ow-poll")["hx-get"] == "/admin/ops/agents"
        rows = fragment.select("tr.ow-row")
        assert rows
        for b in fragment.select("button[hx-get], button[hx-post]"):
            assert (b.get("hx-get") or b.get("hx-post")).startswith("/admin/ops/")
        rid = rows[0]["data-run-id"]
        dialog = host.soup(f"/admin/ops/runs/{rid}/log")
        assert dialog.select_one("#ow-log-follow")["hx-get"].startswith(f"/admin/ops/runs/{rid}/log?cursor=")
        assert host.get("/admin/api/ops/agents").json()["runs"]
        assert host.get(f"/admin/api/ops/runs/{rid}/events").json()["events"] is not None
        assert host.get("/operations").status_code == 404  # nothing outside the prefixes
        assert host.get("/metrics").status_code == 404  # the host keeps /metrics
        # the host's secret key signs the session that carries the CSRF token
        token = json.loads(root["hx-headers"])["X-CSRF-Token"]
        resp = host.http.post(f"{served.url}/admin/ops/runs/{rid}/cancel", timeout=20,
                              headers={"X-CSRF-Token": token, "Origin": served.url})
        assert resp.status_code == 200 and "Run cancelled." in resp.text
    finally:
        served.stop()
