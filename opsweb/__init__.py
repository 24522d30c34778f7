"""opsweb: an operations panel for the agent runs of Paperclip companies.

`create_app()` builds the standalone panel; `init_app(host_app)` drops the same
panel and its JSON twins into an existing Flask app under prefixes of its choice.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Flask, redirect, url_for

from opsweb import platform_port as port
from opsweb.fleet import FleetReader
from opsweb.metrics import Metrics
from opsweb.runlog import RunLogs
from opsweb.settings import from_env
from opsweb.views import api, panel

__all__ = ["create_app", "init_app", "panel", "api"]


@dataclass
class Operations:
    """What the views need, built once per app from its config."""
    platform: port.Platform
    fleet: FleetReader
    logs: RunLogs
    metrics: Metrics


def init_app(app: Flask, url_prefix: str = "/operations",
             api_prefix: str = "/api/operations", metrics_path: str | None = "/metrics") -> None:
    """Register the panel on `app`. Settings come from `app.config` (OPSWEB_… keys,
    defaults from the environment); the host's own secret key signs the CSRF cookie.
    `metrics_path=None` leaves /metrics to the host."""
    for key, value in from_env().items():
        app.config.setdefault(key, value)
    cfg = app.config
    platform = port.connect(cfg["OPSWEB_PAPERCLIP_URL"], cfg["OPSWEB_PAPERCLIP_TOKEN"],
                            cfg["OPSWEB_TIMEOUT"], cfg["OPSWEB_ACTION_TIMEOUT"])
    companies = cfg["OPSWEB_COMPANIES"]
    if isinstance(companies, str):
        companies = tuple(c.strip() for c in companies.split(",") if c.strip())
    metrics = Metrics()
    # The panel must answer within its 4 s refresh even when a company hangs.
    fleet = FleetReader(platform, tuple(companies), deadline=cfg["OPSWEB_TIMEOUT"] + 0.5,
                        freshness=cfg["OPSWEB_FRESHNESS"], observe=metrics.observe)
    metrics.watch(fleet)
    app.extensions["opsweb"] = Operations(platform=platform, fleet=fleet,
                                          logs=RunLogs(platform), metrics=metrics)
    if metrics_path:
        app.add_url_rule(metrics_path, "opsweb_metrics", metrics.response)
    app.register_blueprint(panel, url_prefix=url_prefix)
    app.register_blueprint(api, url_prefix=api_prefix)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(from_env())
    app.config.update(config or {})
    app.config["SECRET_KEY"] = app.config.get("OPSWEB_SECRET_KEY") or secrets.token_hex(32)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Strict")
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    init_app(app)

    @app.get("/")
    def index():
        return redirect(url_for("opsweb_panel.page"))

    @app.after_request
    def security_headers(response):
        # Scripts only from this app (htmx runs without eval); no framing by others.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app
