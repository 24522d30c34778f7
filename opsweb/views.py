"""The panel's routes. Each operation is one view function registered twice: under
the HTML blueprint (the page and its htmx fragments) and under the JSON blueprint
(its curl twin). The data is computed once; only the rendering differs.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, jsonify, render_template,
                   request, stream_with_context)

from opsweb import actions, csrf, timefmt
from opsweb import platform_port as port
from opsweb.filters import NAMES as FILTER_NAMES
from opsweb.filters import Filters
from opsweb.transcript import transcript_text

panel = Blueprint("opsweb_panel", __name__, template_folder="templates",
                  static_folder="static", static_url_path="/static/opsweb")
api = Blueprint("opsweb_api", __name__)
for _name, _filter in timefmt.FILTERS.items():
    panel.add_app_template_filter(_filter, _name)


@panel.context_processor
def _paperclip_ui():
    """Where Paperclip's own UI lives, for links to its run and agent pages (its
    unprefixed routes redirect to the company's)."""
    url = current_app.config.get("OPSWEB_PAPERCLIP_PUBLIC_URL")
    return {"paperclip_ui": url.rstrip("/") if url else None}

LOG_FOLLOW_SECONDS = 2
MAX_PARAM_CHARS = 64
PANEL_VERSION_HEADER = "X-Opsweb-Panel-Version"


def _ops():
    return current_app.extensions["opsweb"]


def _json_twin() -> bool:
    return request.blueprint == api.name


def _params(*allowed: str) -> dict[str, str]:
    """Query parameters, refusing ones this route does not know and oversized values,
    so that a typo is an error rather than a silently ignored filter."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        abort(400, f"Unknown query parameter: {', '.join(unknown)[:100]}")
    for name, value in request.args.items():
        if len(value) > MAX_PARAM_CHARS:
            abort(400, f"Query parameter {name} is too long")
    return request.args.to_dict()


def _respond(template: str, payload: dict, status: int = 200, **context):
    if _json_twin():
        return jsonify(payload), status
    return render_template(template, **context), status


def _filtered_fleet():
    try:
        filters = Filters.from_args(_params(*FILTER_NAMES))
    except ValueError as err:
        abort(400, str(err))
    return filters, filters.apply(_ops().fleet.read())


def agents():
    filters, fleet = _filtered_fleet()
    version = fleet.version(filters.query())
    if _json_twin():
        resp = jsonify(fleet.to_json())
        resp.set_etag(version)
        return resp.make_conditional(request)
    # The panel sends back the version it shows; unchanged means nothing to swap.
    if request.headers.get(PANEL_VERSION_HEADER) == version:
        return "", 204
    return render_template("opsweb/agents.html", fleet=fleet, version=version,
                           filters=filters, csrf_token=csrf.csrf_token())


def page():
    filters, fleet = _filtered_fleet()
    return render_template("opsweb/operations.html", fleet=fleet, version=fleet.version(filters.query()),
                           filters=filters, csrf_token=csrf.csrf_token())


def run_log(run_id: str):
    args = _params("cursor", "before", "format")
    port.check_uuid(run_id, "run id")
    fmt = args.get("format", "json" if _json_twin() else "html")
    if fmt not in ("json", "text", "html"):
        abort(400, "format must be json or text")
    logs = _ops().logs
    info = logs.info(run_id)
    cursor, before = args.get("cursor"), args.get("before")
    try:
        part = logs.transcript(info, cursor=cursor, before=before)
    except ValueError as err:
        abort(400, str(err))
    if fmt == "text":
        return Response(transcript_text(part.entries), mimetype="text/plain")
    finished = not info.live and part.at_eof
    payload = {"run": info.to_json(), "entries": [e.to_json() for e in part.entries],
               "text": transcript_text(part.entries), "cursor": part.cursor,
               "earlier": part.earlier, "atEof": part.at_eof, "finished": finished}
    if before is not None:
        template = "opsweb/log_earlier.html"
    elif cursor is not None:
        template = "opsweb/log_follow.html"
    else:
        template = "opsweb/log.html"
    # 286 tells htmx to stop polling: the run is over and its log read to the end.
    status = 286 if finished and cursor is not None and not _json_twin() else 200
    return _respond(template, payload, status, info=info, part=part, finished=finished,
                    follow_seconds=LOG_FOLLOW_SECONDS)


def run_log_ndjson(run_id: str):
    _params()
    port.check_uuid(run_id, "run id")
    logs = _ops().logs
    logs.info(run_id)  # a clean 404 before the download starts
    pages = logs.raw_pages(run_id)
    return Response(stream_with_context(pages), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{run_id}.ndjson"'})


def run_events(run_id: str):
    args = _params("after")
    port.check_uuid(run_id, "run id")
    try:
        after = int(args.get("after", 0))
    except ValueError:
        abort(400, "after must be a whole number")
    if not 0 <= after < 2**53:
        abort(400, "after is out of range")
    logs = _ops().logs
    info = logs.info(run_id)
    events = logs.events(run_id, after)
    last = max((e.get("seq", 0) for e in events if isinstance(e.get("seq"), int)),
               default=after)
    payload = {"runId": run_id, "live": info.live, "events": events, "after": last}
    status = 286 if not info.live and not events and not _json_twin() else 200
    return _respond("opsweb/events.html", payload, status, info=info, events=events,
                    after=last, first=(after == 0))


def cancel_run(run_id: str):
    _guard_post()
    port.check_uuid(run_id, "run id")
    outcome = actions.stop_run(_ops().platform, run_id)
    _ops().fleet.invalidate()
    return _respond("opsweb/outcome.html", outcome.to_json(), outcome.http_status,
                    outcome=outcome)


def reset_session(agent_id: str):
    _guard_post()
    port.check_uuid(agent_id, "agent id")
    outcome = actions.reset_session(_ops().platform, agent_id)
    _ops().fleet.invalidate()
    return _respond("opsweb/outcome.html", outcome.to_json(), outcome.http_status,
                    outcome=outcome)


def _guard_post():
    why = csrf.refusal(json_twin=_json_twin())
    if why:
        abort(403, why)


_ROUTES = [
    ("/agents", agents, ["GET"]),
    ("/runs/<run_id>/log", run_log, ["GET"]),
    ("/runs/<run_id>/events", run_events, ["GET"]),
    ("/runs/<run_id>/cancel", cancel_run, ["POST"]),
    ("/agents/<agent_id>/reset-session", reset_session, ["POST"]),
]
for _rule, _view, _methods in _ROUTES:
    panel.add_url_rule(_rule, view_func=_view, methods=_methods)
    api.add_url_rule(_rule, view_func=_view, methods=_methods)
panel.add_url_rule("", view_func=page)
api.add_url_rule("/runs/<run_id>/log.ndjson", view_func=run_log_ndjson)


def _error(status: int, message: str):
    if _json_twin():
        return jsonify({"error": message}), status
    return render_template("opsweb/error.html", message=message, status=status), status


@panel.errorhandler(port.PlatformError)
@api.errorhandler(port.PlatformError)
def _platform_error(err: port.PlatformError):
    current_app.logger.warning("%s %s: %s", request.method, request.path, err.message)
    return _error(err.status_hint, err.message)


@panel.errorhandler(400)
@panel.errorhandler(403)
@panel.errorhandler(404)
@panel.errorhandler(405)
@api.errorhandler(400)
@api.errorhandler(403)
@api.errorhandler(404)
@api.errorhandler(405)
def _http_error(err):
    return _error(err.code, err.description)


@panel.errorhandler(Exception)
@api.errorhandler(Exception)
def _unexpected(err: Exception):
    if hasattr(err, "code") and hasattr(err, "description"):
        return _error(err.code, err.description)
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    return _error(500, "opsweb hit an unexpected error; it has been logged.")
