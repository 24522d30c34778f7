"""opsweb: an operations panel for the agent runs of Paperclip companies.

`create_app()` builds the standalone panel; `init_app(host_app)` drops the same
panel and its JSON twins into an existing Flask app under prefixes of its choice.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable

from flask import Flask, jsonify, redirect, render_template, request, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from opsweb import platform_port as port
from opsweb.actions import audit
from opsweb.actions.batch_runner import Runner
from opsweb.actions.batch_store import BatchStore
from opsweb.fleet import attention
from opsweb.fleet import overview as fleet_overview
from opsweb.fleet.agents import Agents
from opsweb.fleet.history import HistoryReader
from opsweb.fleet.live import FleetReader
from opsweb.fleet.runlog import RunLogs
from opsweb.fleet.search_runs import Searches
from opsweb.fleet.search_store import SearchStore
from opsweb.fleet.spend import SpendReader
from opsweb.i18n import language
from opsweb.i18n.language import install as install_language
from opsweb.i18n.said import Said
from opsweb.notify import service as notify
from opsweb.notify.metrics import NotificationsCollector
from opsweb.runtime.clock import Clock
from opsweb.settings import from_env
from opsweb.web import compression, headers
from opsweb.web.auth import MIN_SECRET_KEY_CHARS, AuthConfigError, Gate, parse_tokens
from opsweb.web.download_slots import DownloadSlots, total_for
from opsweb.web.fault_reporter import FaultReporter
from opsweb.web.metrics import Metrics
from opsweb.web.routes import api, panel
from opsweb.web.sessions import Sessions
from opsweb.watch import wiring as watch_wiring
from opsweb.watch.rules import RulesError

__all__ = ["create_app", "init_app", "panel", "api", "AuthConfigError", "RulesError"]


@dataclass
class Operations:
    """What the views need, built once per app from its config."""
    platform: port.Platform
    fleet: FleetReader
    logs: RunLogs
    metrics: Metrics
    gate: Gate
    audit: audit.Store
    faults: FaultReporter
    agents: Agents
    notifications: notify.Notifications
    downloads: DownloadSlots
    batches: BatchStore
    runner: Runner  # the batches this instance runs in the background
    watch: "watch_wiring.Watch | None" = None  # the rules loop (None: no OPSWEB_RULES)
    incidents: "watch_wiring.Incidents | None" = None
    lease: object = None  # one actor across instances: lease.acting()
    spend: SpendReader | None = None
    searches: Searches | None = None
    day: HistoryReader | None = None  # the overview's day of finished runs


def init_app(app: Flask, url_prefix: str = "/operations",
             api_prefix: str = "/api/operations", metrics_path: str | None = "/metrics",
             operator: Callable[[], str | None] | None = None,
             platform: port.Platform | None = None, clock: Clock | None = None,
             language: Callable[[], str | None] | None = None,
             is_acting: Callable[[], bool] | None = None) -> None:
    """Register the panel on `app`. Settings come from `app.config` (OPSWEB_… keys,
    defaults from the environment); the host's own secret key signs the session.
    `metrics_path=None` leaves /metrics to the host.

    `operator`: the host's login applies. Called during each opsweb request (flask's
    `request`, `session` and `g` are available), it returns the signed-in operator's
    name, which the audit trail records, or None to refuse the request (401). It may
    also abort() itself, e.g. with a redirect to the host's login page.

    `platform`: any implementation of the port (default: Paperclip at
    OPSWEB_PAPERCLIP_URL). `clock`: the time the panel reads (default: real time).


    `language`: called during each panel request, it returns "en" or "he" for that
    request, or None to leave the choice to OPSWEB_LANGUAGE.

    `is_acting`: whether this instance is the one that sends webhooks (default: always;
    with several instances, the guard rails' lease)."""
    for key, value in from_env().items():
        app.config.setdefault(key, value)
    cfg = app.config
    tokens = {} if operator else parse_tokens(cfg["OPSWEB_OPERATOR_TOKENS"])
    if tokens and len(app.secret_key or "") < MIN_SECRET_KEY_CHARS:
        raise AuthConfigError("OPSWEB_OPERATOR_TOKENS is set, so sign-ins need a secret key of"
                              f" at least {MIN_SECRET_KEY_CHARS} characters: set"
                              " OPSWEB_SECRET_KEY (or the host app's SECRET_KEY)")
    clock = clock or Clock()
    instance = cfg["OPSWEB_INSTANCE_DIR"] or app.instance_path
    store = audit.open_store(cfg["OPSWEB_AUDIT_URL"] or audit.default_url(instance))
    gate = Gate(tokens, operator, session_seconds=float(cfg["OPSWEB_SESSION_HOURS"]) * 3600,
                allowed_hosts=tuple(h.lower() for h in _csv(cfg["OPSWEB_ALLOWED_HOSTS"])),
                sessions=Sessions(store), clock=clock.now)
    platform = platform or port.connect(cfg["OPSWEB_PAPERCLIP_URL"], cfg["OPSWEB_PAPERCLIP_TOKEN"],
                                        cfg["OPSWEB_TIMEOUT"], cfg["OPSWEB_ACTION_TIMEOUT"])
    companies = _csv(cfg["OPSWEB_COMPANIES"])
    metrics = Metrics()
    # The panel must answer within its 4 s refresh even when a company hangs.
    fleet = FleetReader(platform, tuple(companies), deadline=cfg["OPSWEB_TIMEOUT"] + 0.5,
                        freshness=cfg["OPSWEB_FRESHNESS"], observe=metrics.observe, clock=clock)
    history = HistoryReader(platform, deadline=cfg["OPSWEB_TIMEOUT"] + 0.5,
                            freshness=cfg["OPSWEB_HISTORY_FRESHNESS"], clock=clock)
    # the overview's day: up to 1,000 runs a company (the shared page of 100 is often an
    # hour), read only when the overview is, kept a minute (the overview refreshes so)
    day = HistoryReader(platform, deadline=cfg["OPSWEB_TIMEOUT"] + 0.5, workers=2, clock=clock,
                        freshness=fleet_overview.DAY_FRESHNESS, page=fleet_overview.DAY_PAGE)
    thresholds = attention.Thresholds(cfg["OPSWEB_LOOP_RUNS"], cfg["OPSWEB_EMPTY_RUNS"],
                                      cfg["OPSWEB_EMPTY_MAX_SECONDS"], cfg["OPSWEB_EMPTY_MAX_BYTES"])
    spend = SpendReader(platform, deadline=cfg["OPSWEB_TIMEOUT"] + 0.5,
                        freshness=cfg["OPSWEB_HISTORY_FRESHNESS"], clock=clock)
    agents = Agents(platform, fleet, history, store, thresholds, clock=clock, spend=spend)
    metrics.watch(fleet)
    metrics.watch_attention(agents)
    guard = watch_wiring.build(cfg, store, platform, agents, thresholds, clock, app.logger,
                               counted=metrics.rule_action)
    metrics.watch_incidents(guard.incidents)
    # webhooks (none unless configured): stored in the audit database, sent in the
    # background by the instance that holds the rules' lease (so by one of several)
    notifications = notify.build(cfg, store, clock,
                                 is_acting or (guard.lease.acting if guard.watch else None)).start()
    metrics.registry.register(NotificationsCollector(notifications))
    batches = BatchStore(store, clock.now)
    runner = Runner(batches, store, app.logger, platform, agents.names,
                    changed=lambda: agents.changed(None))
    logs = RunLogs(platform)
    searches = Searches(platform, logs, SearchStore(cfg["OPSWEB_SEARCH_STORE_MB"] * 1_000_000))
    app.extensions["opsweb"] = Operations(platform=platform, fleet=fleet,
                                          logs=logs, searches=searches,
                                          metrics=metrics, gate=gate, audit=store,
                                          faults=FaultReporter(app.logger), agents=agents,
                                          notifications=notifications,
                                          downloads=DownloadSlots(total_for(cfg["OPSWEB_THREADS"])),
                                          batches=batches, runner=runner, watch=guard.watch,
                                          incidents=guard.incidents, lease=guard.lease,
                                          spend=spend, day=day)
    runner.recover()  # batches a stopped instance left running
    if guard.watch is not None:
        guard.watch.set_publish(notifications.publisher(app.logger))
        guard.watch.start()
    if metrics_path:
        app.add_url_rule(metrics_path, "opsweb_metrics", _guarded(metrics.response))
    install_language(app, cfg["OPSWEB_LANGUAGE"], language)
    app.register_blueprint(panel, url_prefix=url_prefix)
    app.register_blueprint(api, url_prefix=api_prefix)


def _guarded(view):
    """/metrics lives outside the blueprints; it needs an operator all the same
    (a Prometheus scraper sends a bearer token)."""
    from opsweb.web.auth import require_operator

    def metrics():
        return require_operator(json_twin=True) or view()
    return metrics


def _csv(value) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value or ())


def _behind_proxies(app: Flask, hops: int) -> None:
    """Take the client's address, scheme and host from the `hops` proxies in front
    (X-Forwarded-For/-Proto/-Host/-Port), so that sign-in and Stop through a
    TLS-terminating proxy see the `https://…` origin the browser sends. Without
    operator tokens every proxied visitor would be refused anyway (hosts.py), so
    the setting is refused at start instead."""
    if hops < 0:
        raise AuthConfigError("OPSWEB_TRUSTED_PROXIES must be a number of proxies, 0 or more")
    if not hops:
        return
    if app.extensions["opsweb"].gate.mode == "local":
        raise AuthConfigError("OPSWEB_TRUSTED_PROXIES is set without OPSWEB_OPERATOR_TOKENS:"
                              " behind a proxy every visitor would be a loopback peer, so"
                              " opsweb needs operators to tell them apart")
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def create_app(config: dict | None = None, platform: port.Platform | None = None,
               clock: Clock | None = None) -> Flask:
    """The standalone panel (against `platform`, by default Paperclip at
    OPSWEB_PAPERCLIP_URL, on `clock`, by default real time). Raises AuthConfigError for settings that would leave it
    open or unusable (operator tokens without a secret key, a malformed token list) and
    RulesError for a rules file that cannot be used."""
    app = Flask(__name__)
    app.config.update(from_env())
    app.config.update(config or {})
    app.config["SECRET_KEY"] = app.config.get("OPSWEB_SECRET_KEY") or (
        None if app.config.get("OPSWEB_OPERATOR_TOKENS") else secrets.token_hex(32))
    # Flask's defaults hold these keys (as None), so setdefault would never apply.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    # Stop and Reset take no body worth more than a few bytes ({}).
    app.config["MAX_CONTENT_LENGTH"] = app.config.get("MAX_CONTENT_LENGTH") or 64 * 1024
    init_app(app, platform=platform, clock=clock)
    _behind_proxies(app, int(app.config["OPSWEB_TRUSTED_PROXIES"] or 0))
    compression.enable(app)

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_routed(err):
        """URLs that match no route (path tricks like ../ or %2F end here) and requests
        refused before any route is chosen (a Host header with a malformed port): JSON
        under the API prefix, a plain page elsewhere; never a hint of what exists."""
        if request.path.startswith("/api/"):
            # opsweb's own sentence, naming where the routes are, not werkzeug's
            message = (f"No such route: {request.method} {request.path[:200]}; the JSON twins"
                       f" are listed at /api/operations/openapi.json") if err.code == 404 \
                else err.description
            resp = jsonify({"error": message})
        elif request.path.startswith("/operations/") and err.code in (404, 405):
            # an address typed or shortened by hand under the panel: a styled page, back
            resp = app.response_class(render_template(
                "opsweb/error_page.html", status=err.code, **language.page_attributes(),
                message=Said("No page here: %(path)s", path=request.path[:200])
                if err.code == 404 else Said("This address does not answer %(method)s (an action"
                                             " is sent by its button)", method=request.method)))
        else:
            resp = app.response_class(f"{err.code} {err.name}: {err.description}\n",
                                      mimetype="text/plain")
        resp.status_code = err.code
        if err.code == 405:
            resp.headers["Allow"] = err.get_response().headers.get("Allow", "")
        return resp

    @app.get("/")
    def index():
        return redirect(url_for("opsweb_panel.page"))

    # the panel's own answers get them from its blueprints; these are the app's others
    app.after_request(headers.secure)

    return app
