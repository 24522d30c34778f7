"""The panel's routes. Each operation is one view function registered twice: under
the HTML blueprint (the page and its htmx fragments) and under the JSON blueprint
(its curl twin). The data is computed once; only the rendering differs.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, g, jsonify, make_response,
                   render_template, request, stream_with_context, url_for)

from opsweb import auth, csrf, errors, memory, openapi, timefmt, trail
from opsweb import platform_port as port
from opsweb.audit import AuditUnavailable
from opsweb.filters import NAMES as FILTER_NAMES
from opsweb.filters import Filters
from opsweb.log_cursor import Cursor, parse_offset
from opsweb.log_dom import log_dom_bounds
from opsweb.runlog import RunLogs
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


@panel.context_processor
def _operator():
    return {"operator": g.get("opsweb_operator"), "operator_via": g.get("opsweb_via")}


# Every route needs an operator (auth.py): before anything else, Paperclip included.
panel.before_request(lambda: auth.require_operator(json_twin=False))
api.before_request(lambda: auth.require_operator(json_twin=True))

LOG_FOLLOW_SECONDS = 2
MAX_PARAM_CHARS = 64
RECENT_ACTIONS = 8
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


def _filtered_fleet(*other_params: str):
    try:
        filters = Filters.from_args(_params(*FILTER_NAMES, *other_params))
    except ValueError as err:
        abort(400, str(err))
    fleet = _ops().fleet.read()
    _ops().faults.note(fleet)
    return filters, filters.apply(fleet)


def _recent():
    """The last few actions for the panel, and a line instead when the store fails."""
    try:
        return _ops().audit.recent(RECENT_ACTIONS), None
    except AuditUnavailable as err:
        current_app.logger.warning("audit trail unreadable: %s", err)
        return [], "The audit trail cannot be read right now."


def _panel_context(filters, fleet) -> dict:
    recent, recent_error = _recent()
    names = {r.agent_id: r.agent_name for r in fleet.rows}
    # recent actions are part of what the panel shows: a new one is a new version
    shown = [(a.id, a.result) for a in recent]
    return dict(fleet=fleet, filters=filters, csrf_token=csrf.csrf_token(), recent=recent,
                recent_error=recent_error, agent_names=names,
                version=fleet.version(filters.query(), shown, recent_error))


def agents():
    filters, fleet = _filtered_fleet()
    if _json_twin():
        resp = jsonify(fleet.to_json())
        resp.set_etag(fleet.version(filters.query()))
        return resp.make_conditional(request)
    context = _panel_context(filters, fleet)
    # The panel sends back the version it shows; unchanged means nothing to swap.
    if request.headers.get(PANEL_VERSION_HEADER) == context["version"]:
        return "", 204
    return render_template("opsweb/agents.html", **context)


def page():
    run = request.args.get("run")
    if run is not None:  # a deep link to a run's log: the page opens its dialog
        port.check_uuid(run, "run")
    filters, fleet = _filtered_fleet("run")
    return render_template("opsweb/operations.html", open_run=run,
                           **_panel_context(filters, fleet))


def run_log(run_id: str):
    args = _params("cursor", "before", "since", "format")
    port.check_uuid(run_id, "run id")
    own = "json" if _json_twin() else "html"
    if args.get("format", own) != own:
        # One format per route: the whole transcript as text is log.txt.
        abort(400, f"format must be {own} here (or left out); the whole transcript as text is "
                   f"{url_for('opsweb_api.run_log_text', run_id=run_id)}")
    cursor, before, since = args.get("cursor"), args.get("before"), args.get("since")
    try:  # a malformed cursor is refused before Paperclip is asked anything
        if cursor is not None:
            Cursor.parse(cursor)
        if before is not None:
            parse_offset(before)
        if since is not None:
            parse_offset(since, "since")
    except ValueError as err:
        abort(400, str(err))
    if since is not None and before is None:
        abort(400, "since goes with before: it bounds an earlier window")
    logs = _ops().logs
    info = logs.info(run_id)
    try:
        part = logs.transcript(info, cursor=cursor, before=before, since=since)
    except ValueError as err:
        abort(400, str(err))
    finished = not info.live and part.at_eof
    payload = {"run": info.to_json(), "entries": [e.to_json() for e in part.entries],
               "text": transcript_text(part.entries), "cursor": part.cursor,
               "earlier": part.earlier, "atEof": part.at_eof, "finished": finished,
               "skipped": part.skipped and {"from": part.skipped[0], "to": part.skipped[1],
                                            "bytes": part.skipped[1] - part.skipped[0]}}
    opening = before is None and cursor is None
    if before is not None:
        template = "opsweb/log_earlier.html"
    elif cursor is not None:
        template = "opsweb/log_follow.html"
    elif request.headers.get("HX-Request"):
        template = "opsweb/log.html"
    else:  # the log's URL opened on its own: a page of its own, not a bare fragment
        template = "opsweb/log_page.html"
    # 286 tells htmx to stop polling: the run is over and its log read to the end.
    status = 286 if finished and cursor is not None and not _json_twin() else 200
    resp = make_response(_respond(
        template, payload, status, info=info, part=part, finished=finished, since=since,
        follow_seconds=LOG_FOLLOW_SECONDS, dom=log_dom_bounds(current_app.config),
        csrf_token=csrf.csrf_token()))
    if opening and request.headers.get("HX-Request") and not _json_twin():
        # the address bar names the open dialog: reloading or sharing it opens it again
        resp.headers["HX-Push-Url"] = url_for("opsweb_panel.page", run=run_id)
    return resp


def _download(run_id: str, pages_of, mimetype: str, filename: str):
    """Stream a whole log, page by page; an upstream fault before the first page
    still gets its status, a later one cuts the download short (and is logged)."""
    _params()
    port.check_uuid(run_id, "run id")
    memory.return_big_blocks()
    logs = _ops().logs
    info = logs.info(run_id)  # a clean 404 before the download starts
    pages = pages_of(logs, info)
    first = next(pages, "")

    def rest():
        yield first
        try:
            yield from pages
        except port.PlatformError as err:  # too late for a status: cut the download short
            current_app.logger.warning("download of run %s's log cut short: %s", run_id,
                                       err.message)
    return Response(stream_with_context(rest()), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def run_log_ndjson(run_id: str):
    return _download(run_id, RunLogs.raw_pages, "application/x-ndjson", f"{run_id}.ndjson")


def run_log_text(run_id: str):
    return _download(run_id, RunLogs.text_pages, "text/plain", f"{run_id}.txt")


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
    return _audited("cancel", run_id=run_id)


def reset_session(agent_id: str):
    _guard_post()
    port.check_uuid(agent_id, "agent id")
    return _audited("reset-session", agent_id=agent_id)


def _audited(action: str, run_id: str | None = None, agent_id: str | None = None):
    try:
        outcome = trail.perform(_ops().audit, current_app.logger, _ops().platform, action,
                                operator=g.opsweb_operator, remote_addr=request.remote_addr,
                                run_id=run_id, agent_id=agent_id)
    except AuditUnavailable as err:
        current_app.logger.error("%s refused, audit trail unavailable: %s", action, err)
        abort(503, "The audit trail is unavailable, so nothing was sent to Paperclip."
                   " Try again shortly.")
    _ops().fleet.invalidate()
    return _respond("opsweb/outcome.html", outcome.to_json(), outcome.http_status,
                    outcome=outcome)


def _guard_post():
    _params()
    why = csrf.refusal(json_twin=_json_twin())
    if why:
        abort(403, why)
    if _json_twin() and request.get_data(cache=True):
        # the body is ignored, but a non-JSON one is a client mistake worth naming
        if request.mimetype != "application/json":
            abort(415, "The body must be JSON (Content-Type: application/json); send {}")
        if not isinstance(request.get_json(silent=True), dict):
            abort(400, "The body must be a JSON object; send {}")


def audit_log():
    args = _params("limit")
    try:
        limit = int(args.get("limit", 50))
    except ValueError:
        abort(400, "limit must be a whole number")
    if not 1 <= limit <= 500:
        abort(400, "limit must be between 1 and 500")
    try:
        records = _ops().audit.recent(limit)
    except AuditUnavailable as err:
        current_app.logger.warning("audit trail unreadable: %s", err)
        abort(503, "The audit trail cannot be read right now.")
    return jsonify({"actions": [r.to_json() for r in records]})


def openapi_document():
    _params()
    prefix = url_for("opsweb_api.agents")[: -len("/agents")]
    return jsonify(openapi.document(prefix))


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
panel.add_url_rule("/login", view_func=auth.login, methods=["GET", "POST"])
panel.add_url_rule("/logout", view_func=auth.logout, methods=["POST"])
api.add_url_rule("/runs/<run_id>/log.ndjson", view_func=run_log_ndjson)
api.add_url_rule("/runs/<run_id>/log.txt", view_func=run_log_text)
api.add_url_rule("/audit", view_func=audit_log)
api.add_url_rule("/openapi.json", view_func=openapi_document)

errors.register(panel, api)
