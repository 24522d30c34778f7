"""The Paperclip-compatible HTTP API of the demo server: `create_demo_app(world, token)`.

Routes, status codes and error bodies follow Paperclip 2026.916.1 (docs/paperclip-notes.md),
quirks included: a malformed uuid is a bare 500 (the real server's Postgres cast
fails), an unknown company's live-runs is `200 []`, query numbers are read like
JavaScript's Number(). The /__demo control routes live in control.py.
"""

from __future__ import annotations

import json
import math

from flask import Blueprint, Flask, Response, abort, current_app, request

from . import entities
from .clock import canonical_uuid
from .harness import Harness
from .errors import NotFound, NotInvokable
from .world import LOG_DEFAULT_LIMIT, LOG_MAX_LIMIT, World
from opsweb.i18n import timefmt

VERSION = "2026.916.1-demo"
WAKE_SOURCES = ("timer", "assignment", "on_demand", "automation")
WAKE_TRIGGERS = ("manual", "ping", "callback", "system")

api = Blueprint("paperclip_api", __name__, url_prefix="/api")


class BadUuid(Exception):
    """Paperclip passes path ids straight to Postgres; a non-uuid makes the query throw."""


def json_response(obj, status: int = 200, headers: dict | None = None) -> Response:
    # Express's res.json: compact, UTF-8, key order kept
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    resp = Response(body, status=status, headers=headers or {})
    resp.content_type = "application/json; charset=utf-8"
    return resp


def error(message: str, status: int, **extra) -> Response:
    return json_response({"error": message, **extra}, status)


def _world() -> World:
    return current_app.extensions["opsweb_demo"]["world"]


def _uuid(value: str) -> str:
    key = canonical_uuid(value)
    if key is None:
        raise BadUuid(value)
    return key


def _agent_uuid(value: str) -> str:
    """Paperclip reads a non-UUID agent id as a shortname, which needs ?companyId."""
    key = canonical_uuid(value)
    if key is None:
        abort(error("Agent shortname lookup requires companyId query parameter", 422))
    return key


def _company_uuid(value: str) -> str:
    key = canonical_uuid(value)
    if key is None:
        abort(error("Company not found", 404))
    return key


def _js_number(raw: str | None) -> float:
    try:
        return float(raw) if raw is not None else math.nan
    except ValueError:
        return math.nan


def _live_runs_int(raw: str | None, maximum: int, fallback: int) -> int:
    """readLiveRunsQueryInt: missing, non-numeric or <= 0 gives the fallback."""
    n = _js_number(raw)
    if not math.isfinite(n) or n <= 0:
        return fallback
    return min(maximum, math.trunc(n))


def _validation_error(path: list, expected: str, got) -> Response:
    kind = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string",
            list: "array", dict: "object"}.get(type(got), "undefined")
    if got is _UNDEFINED:
        kind = "undefined"
    return error("Validation error", 400, details=[{
        "expected": expected, "code": "invalid_type", "path": path,
        "message": f"Invalid input: expected {expected}, received {kind}"}])


_UNDEFINED = object()


def _json_body():
    """What express.json() leaves in req.body: parsed JSON, or undefined."""
    raw = request.get_data()
    if not raw or not request.is_json:
        return _UNDEFINED
    try:
        return json.loads(raw)
    except ValueError:
        return _UNDEFINED


# ---- reads ------------------------------------------------------------------------------
@api.get("/health")
def health():
    demo = current_app.extensions["opsweb_demo"]
    return json_response(entities.health(VERSION, bool(demo["harness"].token), demo["started_at"]))


@api.get("/companies")
def companies():
    return json_response(_world().company_list())


@api.get("/companies/<cid>")
def company(cid):
    return json_response(_world().company(_company_uuid(cid)))


@api.get("/companies/<cid>/live-runs")
def live_runs(cid):
    limit = _live_runs_int(request.args.get("limit"), 50, 50)
    min_count = _live_runs_int(request.args.get("minCount"), 50, 0)
    return json_response(_world().live_runs(_uuid(cid), limit, min_count))


@api.get("/companies/<cid>/heartbeat-runs")
def company_runs(cid):
    agent_id = request.args.get("agentId")
    limit = _js_number(request.args.get("limit"))
    limit = min(max(math.trunc(limit), 1), 1000) if math.isfinite(limit) else None  # none = all
    summary = request.args.get("summary") in ("true", "1")
    return json_response(_world().company_runs(
        _uuid(cid), _uuid(agent_id) if agent_id else None, limit, summary))


@api.get("/companies/<cid>/agents")
def company_agents(cid):
    for name in request.args:
        return error(f"Unsupported query parameter: {name}", 400)
    return json_response(_world().agent_list(_uuid(cid)))


def _cost_range() -> tuple[float | None, float | None]:
    """parseCostDateRange: `from` and `to` as JavaScript's new Date() reads them."""
    bounds = []
    for name in ("from", "to"):
        raw = request.args.get(name)
        at = timefmt.parse(raw) if raw else None
        if raw and at is None:
            abort(error(f"invalid '{name}' date", 400))
        bounds.append(at.timestamp() if at else None)
    return bounds[0], bounds[1]


@api.get("/companies/<cid>/costs/summary")
def cost_summary(cid):
    return json_response(_world().cost_summary(_uuid(cid), *_cost_range()))


@api.get("/companies/<cid>/costs/by-agent")
def costs_by_agent(cid):
    return json_response(_world().costs_by_agent(_uuid(cid), *_cost_range()))


@api.get("/companies/<cid>/costs/window-spend")
def window_spend(cid):
    return json_response(_world().window_spend(_uuid(cid)))


@api.get("/companies/<cid>/budgets/overview")
def budget_overview(cid):
    return json_response(_world().budget_overview(_uuid(cid)))


@api.get("/heartbeat-runs/<rid>")
def run(rid):
    return json_response(_world().run(_uuid(rid)))


@api.get("/heartbeat-runs/<rid>/log")
def run_log(rid):
    offset = _js_number(request.args.get("offset"))
    limit = _js_number(request.args.get("limitBytes"))
    offset = math.trunc(offset) if math.isfinite(offset) else 0
    limit = math.trunc(limit) if math.isfinite(limit) else LOG_DEFAULT_LIMIT
    limit = min(max(limit, 1), LOG_MAX_LIMIT)
    answer = _world().read_log(_uuid(rid), offset, limit)
    return json_response(answer, headers={"Cache-Control": "no-cache, no-store"})


@api.get("/heartbeat-runs/<rid>/events")
def run_events(rid):
    after = _js_number(request.args.get("afterSeq"))
    limit = _js_number(request.args.get("limit"))
    after = math.trunc(after) if math.isfinite(after) else 0
    limit = min(max(math.trunc(limit), 1), 1000) if math.isfinite(limit) else 200
    return json_response(_world().events(_uuid(rid), after, limit))


@api.get("/heartbeat-runs/<rid>/issues")
def run_issues(rid):
    return json_response(_world().run_issues(_uuid(rid)))


@api.get("/agents/<aid>")
def agent(aid):
    return json_response(_world().agent(_agent_uuid(aid)))


@api.get("/issues/<ref>")
def issue(ref):
    # an issue is addressed by uuid or by identifier ("OPS-12")
    return json_response(_world().issue(canonical_uuid(ref) or ref))


# ---- writes -----------------------------------------------------------------------------
@api.post("/heartbeat-runs/<rid>/cancel")
def cancel(rid):
    return json_response(_world().cancel(_uuid(rid)))  # body ignored, like the real route


@api.post("/agents/<aid>/runtime-state/reset-session")
def reset_session(aid):
    aid = _agent_uuid(aid)
    body = _json_body()
    if not isinstance(body, dict):
        return _validation_error([], "object", body)
    task_key = body.get("taskKey")
    if task_key is not None:
        if not isinstance(task_key, str):
            return _validation_error(["taskKey"], "string", task_key)
        if not task_key:
            return error("Validation error", 400, details=[{
                "origin": "string", "code": "too_small", "minimum": 1, "inclusive": True,
                "path": ["taskKey"], "message": "Too small: expected string to have >=1 characters"}])
    return json_response(_world().reset_session(aid, task_key))


@api.post("/agents/<aid>/pause")
def pause(aid):
    return json_response(_world().pause(_agent_uuid(aid)))  # body ignored


@api.post("/agents/<aid>/resume")
def resume(aid):
    return json_response(_world().resume(_agent_uuid(aid)))


@api.post("/agents/<aid>/wakeup")
def wakeup(aid):
    aid = _uuid(aid)
    body = _json_body()
    if not isinstance(body, dict):
        return _validation_error([], "object", body)
    source = body.get("source") or "on_demand"
    trigger = body.get("triggerDetail")
    if source not in WAKE_SOURCES or (trigger is not None and trigger not in WAKE_TRIGGERS):
        return error("Validation error", 400, details=[{
            "code": "invalid_value", "values": list(WAKE_SOURCES), "path": ["source"],
            "message": "Invalid option"}])
    payload = body.get("payload") if isinstance(body.get("payload"), dict) else {}
    issue_ref = payload.get("issueId") if isinstance(payload.get("issueId"), str) else None
    row = _world().wakeup(aid, source, trigger, body.get("reason"), issue_ref)
    return json_response(row, 202)


# ---- errors -----------------------------------------------------------------------------
def _register_errors(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def not_found(exc):
        return error(str(exc), 404)

    @app.errorhandler(NotInvokable)
    def not_invokable(exc):
        return error(str(exc), 409, details={
            "status": "paused", "reason": "paused", "invalidOrgChain": False,
            "agentId": exc.agent_id, "agentStatus": "paused"})

    @app.errorhandler(BadUuid)
    def bad_uuid(_exc):
        return error("Internal server error", 500)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def no_route(_exc):
        if request.path.startswith("/api/") or request.path == "/api":
            return error("API route not found", 404)
        return error("Not found", 404)

    @app.errorhandler(Exception)
    def crash(exc):
        if hasattr(exc, "code") and isinstance(exc.code, int):  # other HTTP errors as JSON
            return error(getattr(exc, "description", "Error"), exc.code)
        current_app.logger.exception("demo server error")
        return error("Internal server error", 500)


def create_demo_app(world: World, token: str | None = None) -> Flask:
    """The demo Paperclip as a Flask app; `token` set = board key required on /api."""
    from .control import control  # the /__demo routes
    from .middleware import after_api, before_api

    app = Flask("opsweb.demo")
    app.url_map.strict_slashes = False
    app.extensions["opsweb_demo"] = {"world": world, "harness": Harness(token),
                                     "started_at": world.clock.now()}
    app.before_request(before_api)
    app.after_request(after_api)
    app.register_blueprint(api)
    app.register_blueprint(control)
    _register_errors(app)

    @app.get("/")
    def index():
        return Response("Paperclip-compatible demo server (opsweb). API under /api, "
                        "test controls under /__demo.\n", content_type="text/plain")

    return app
