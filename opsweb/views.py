"""The panel's routes. Each operation is one view function registered twice: under
the HTML blueprint (the page and its htmx fragments) and under the JSON blueprint
(its curl twin). The data is computed once; only the rendering differs.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, Response, abort, current_app, g, jsonify, make_response,
                   render_template, request, stream_with_context, url_for)
from markupsafe import Markup

from opsweb import (audited, auth, csrf, embed, errors, grouping, headers, language, memory,
                    openapi, panel_update, reason, static_assets, timefmt, untrusted)
from opsweb import platform_port as port
from opsweb.agents import RecentFilters
from opsweb.audit import AuditUnavailable
from opsweb.filters import COLLAPSED_CHARS, NAMES as FILTER_NAMES
from opsweb.filters import STATUSES, Filters
from opsweb.transcript.cursor import Cursor, parse_offset
from opsweb.said import Said
from opsweb.log_dom import log_dom_bounds
from opsweb.runlog import RunLogs
from opsweb.transcript.entry import transcript_text

panel = Blueprint("opsweb_panel", __name__, template_folder="templates",
                  static_folder="static", static_url_path="/static/opsweb")
api = Blueprint("opsweb_api", __name__)
for _name, _filter in timefmt.filters(language.gettext).items():  # the page's language
    panel.add_app_template_filter(_filter, _name)
embed.register(panel)
# Embedded answers carry the same headers as standalone ones.
panel.after_request(headers.secure)
api.after_request(headers.secure)
panel.add_app_template_filter(language.label_filter, "ow_label")
panel.context_processor(language.page_attributes)
static_assets.register(panel)


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
LONG_PARAMS = {"collapsed": COLLAPSED_CHARS}  # a list of company ids
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
    for name, values in request.args.lists():
        if len(values) > 1:  # which one would count is a guess; say so instead
            abort(400, f"Query parameter {name} is given {len(values)} times; give it once")
        if len(values[0]) > LONG_PARAMS.get(name, MAX_PARAM_CHARS):
            abort(400, f"Query parameter {name} is too long")
    return request.args.to_dict()


def _whole_number(args: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    """ASCII digits only: int() would also take "１", "١", "+5", " 5" and "5_0"."""
    value = args.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()):
        abort(400, f"{name} must be a whole number (digits 0-9)")
    number = int(value)
    if not low <= number <= high:
        abort(400, f"{name} must be between {low} and {high}")
    return number


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
        return [], Said("The audit trail cannot be read right now.")


def _row_urls() -> dict[str, str]:
    """Where each kind of row button goes, with {run} and {agent} for opsweb.js to fill
    in from the row: said once on the table rather than in every row."""
    urls = {"log": url_for("opsweb_panel.run_log", run_id="{run}"),
            "stop": url_for("opsweb_panel.cancel_run", run_id="{run}"),
            "pause": url_for("opsweb_panel.pause_agent", agent_id="{agent}"),
            "card": url_for("opsweb_panel.agent_card", agent_id="{agent}")}
    return {kind: url.replace("%7B", "{").replace("%7D", "}") for kind, url in urls.items()}


def _panel_context(filters, fleet) -> dict:
    recent, recent_error = _recent()
    names = {r.agent_id: r.agent_name for r in fleet.rows}
    # recent actions are part of what the panel shows: a new one is a new version
    shown = [(a.id, a.result) for a in recent]
    live = {r.company_id for r in fleet.rows}
    return dict(fleet=fleet, filters=filters, statuses=STATUSES, csrf_token=csrf.csrf_token(),
                foldable=[c for c in fleet.companies if c["id"] in live],
                recent=recent, recent_error=recent_error, agent_names=names,
                items=grouping.items(fleet.rows, not filters.agent, filters.collapsed), row_urls=_row_urls(),
                version=fleet.version(filters.query(), shown, recent_error, language.code()))


def agents():
    filters, fleet = _filtered_fleet()
    if _json_twin():
        resp = jsonify(fleet.to_json())
        resp.set_etag(fleet.version(filters.query()))
        return resp.make_conditional(request)
    # The panel sends back the version it shows: 204, changed rows, or all of it.
    return panel_update.answer(_panel_context(filters, fleet),
                               request.headers.get(PANEL_VERSION_HEADER))


def page():
    run = request.args.get("run")
    if run is not None:  # a deep link to a run's log: the page opens its dialog
        port.check_uuid(run, "run")
    filters, fleet = _filtered_fleet("run")
    context = _panel_context(filters, fleet)
    return render_template("opsweb/operations.html", open_run=run,
                           panel_html=Markup(panel_update.render(context).html), **context)


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
    after = _whole_number(args, "after", 0, 0, 2**53 - 1)
    logs = _ops().logs
    info = logs.info(run_id)
    events = untrusted.events(logs.events(run_id, after))
    last = max((e.get("seq", 0) for e in events if isinstance(e.get("seq"), int)),
               default=after)
    payload = {"runId": run_id, "live": info.live, "events": events, "after": last}
    status = 286 if not info.live and not events and not _json_twin() else 200
    return _respond("opsweb/events.html", payload, status, info=info, events=events,
                    after=last, first=(after == 0))


def cancel_run(run_id: str):
    why = _guard_post()
    # the canonical lower-case id: the audit trail names one run one way
    return _audited("cancel", why, run_id=port.check_uuid(run_id, "run id"))


def reset_session(agent_id: str):
    return _agent_action("reset-session", agent_id)


def pause_agent(agent_id: str):
    return _agent_action("pause", agent_id)


def resume_agent(agent_id: str):
    return _agent_action("resume", agent_id)


def _agent_action(action: str, agent_id: str):
    why = _guard_post()
    return _audited(action, why, agent_id=port.check_uuid(agent_id, "agent id"))


def _paperclip_url() -> str:
    """Where the action went, for the trail: never with credentials in it."""
    parts = urlsplit(current_app.config["OPSWEB_PAPERCLIP_URL"])
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    return parts._replace(netloc=netloc + (f":{parts.port}" if parts.port else ""),
                          query="", fragment="").geturl()


def _audited(action: str, why: str | None, run_id: str | None = None,
             agent_id: str | None = None):
    who = audited.Request(g.opsweb_operator, request.remote_addr, why, _paperclip_url())
    agents = _ops().agents
    try:
        outcome = audited.perform(_ops().audit, current_app.logger, _ops().platform, action, who,
                                run_id=run_id, agent_id=agent_id, names=agents.names)
    except AuditUnavailable as err:
        current_app.logger.error("%s refused, audit trail unavailable: %s", action, err)
        abort(503, Said("The audit trail is unavailable, so nothing was sent to Paperclip."
                        " Try again shortly."))
    agents.changed(outcome.company_id)
    resp = current_app.make_response(_respond("opsweb/outcome.html", outcome.to_json(),
                                              outcome.http_status, outcome=outcome))
    # the attention strip and the recent runs refresh at once, not at their next poll
    resp.headers["HX-Trigger"] = "opsweb-changed"
    return resp


def _guard_post() -> str | None:
    """CSRF and body checks for an action; returns the operator's reason, if any (a
    JSON `reason`, or the `reason` form field the page sends from its prompt)."""
    _params()
    why = csrf.refusal(json_twin=_json_twin())
    if why:
        abort(403, why)
    body = {}
    if _json_twin() and request.get_data(cache=True):
        # a non-JSON body is a client mistake worth naming
        if request.mimetype != "application/json":
            abort(415, "The body must be JSON (Content-Type: application/json); send {}")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, "The body must be a JSON object; send {}")
    elif not _json_twin():
        body = request.form
    try:
        return reason.parse(body.get("reason"))
    except ValueError as err:
        abort(400, err.args[0])  # the Said itself: str() would drop its translation


def agent_card(agent_id: str):
    _params()
    port.check_uuid(agent_id, "agent id")
    card = _ops().agents.card(agent_id)
    if _json_twin():
        return jsonify(card.to_json())
    template = "opsweb/agent_card.html" if request.headers.get("HX-Request") \
        else "opsweb/agent_page.html"
    return render_template(template, card=card, csrf_token=csrf.csrf_token())


def recent_runs():
    try:
        filters = RecentFilters.from_args(_params("company", "agent", "outcome", "limit"))
    except ValueError as err:
        abort(400, str(err))
    runs, failures, companies = _ops().agents.recent(filters)
    payload = {"runs": [r.to_json() for r in runs], "errors": failures}
    return _respond("opsweb/recent.html", payload, runs=runs, failures=failures,
                    filters=filters, companies=companies)


def attention_items():
    _params()
    items, failures = _ops().agents.attention()
    payload = {"items": [i.to_json() for i in items], "errors": failures}
    return _respond("opsweb/attention.html", payload, items=items, failures=failures,
                    csrf_token=csrf.csrf_token())


def audit_log():
    limit = _whole_number(_params("limit"), "limit", 50, 1, 500)
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
    ("/agents/<agent_id>/pause", pause_agent, ["POST"]),
    ("/agents/<agent_id>/resume", resume_agent, ["POST"]),
    ("/agents/<agent_id>", agent_card, ["GET"]),
    ("/recent", recent_runs, ["GET"]),
    ("/attention", attention_items, ["GET"]),
]
for _rule, _view, _methods in _ROUTES:
    panel.add_url_rule(_rule, view_func=_view, methods=_methods)
    api.add_url_rule(_rule, view_func=_view, methods=_methods)
panel.add_url_rule("", view_func=page)
panel.add_url_rule("/", endpoint="page_slash", view_func=page)  # /operations/ as typed
panel.add_url_rule("/login", view_func=auth.login, methods=["GET", "POST"])
panel.add_url_rule("/logout", view_func=auth.logout, methods=["POST"])
api.add_url_rule("/runs/<run_id>/log.ndjson", view_func=run_log_ndjson)
api.add_url_rule("/runs/<run_id>/log.txt", view_func=run_log_text)
api.add_url_rule("/audit", view_func=audit_log)
api.add_url_rule("/openapi.json", view_func=openapi_document)

errors.register(panel, api)
