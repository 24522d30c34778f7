"""The page, the live panel fragment (answered as a diff of what the browser shows),
the audit twin and the OpenAPI document."""
from __future__ import annotations


from flask import (abort, current_app, jsonify, render_template, request, url_for)
from markupsafe import Markup

from opsweb import platform_port as port
from opsweb.actions.audit import AuditUnavailable
from opsweb.fleet import grouping, row_state
from opsweb.fleet.filters import NAMES as FILTER_NAMES
from opsweb.fleet.filters import STATUSES, Filters
from opsweb.fleet.live import EVERY_COMPANY
from opsweb.i18n import language
from opsweb.i18n.said import Said
from opsweb.web import csrf, openapi, panel_update
from opsweb.web.views.agents import last_outcomes
from opsweb.web.views.common import (PANEL_VERSION_HEADER, json_twin, known_company, ops, params,
                                     whole_number)
from opsweb.web.views.notifications import open_incidents, with_open_incidents


RECENT_ACTIONS = 8  # the last actions the panel lists


def _filtered_fleet(*other_params: str):
    try:
        filters = Filters.from_args(params(*FILTER_NAMES, *other_params))
    except ValueError as err:
        abort(400, str(err))
    fleet = ops().fleet.read()
    ops().faults.note(fleet)
    listed = not any(e.company_id == EVERY_COMPANY for e in fleet.errors)
    known_company(filters.company, fleet.companies, listed)
    return filters, filters.apply(fleet)


def _recent():
    """The last few actions for the panel, and a line instead when the store fails."""
    try:
        return ops().audit.recent(RECENT_ACTIONS), None
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


def _states(fleet) -> tuple[dict[str, str], dict[str, row_state.State]]:
    """Each agent's attention kind (the strip's computation) and each row's one state."""
    kinds = ops().agents.kinds(fleet.companies)
    return kinds, {r.run_id: row_state.of(r, kinds.get(r.agent_id)) for r in fleet.rows}


def _panel_context(filters, fleet) -> dict:
    recent, recent_error = _recent()
    kinds, states = _states(fleet)
    names = {r.agent_id: r.agent_name for r in fleet.rows}
    # recent actions are part of what the panel shows: a new one is a new version
    shown = [(a.id, a.result) for a in recent]
    live = {r.company_id for r in fleet.rows}
    shown_agents = {r.agent_id for r in fleet.rows}
    strips = {a: o for a, o in last_outcomes().items() if a in shown_agents}
    return dict(fleet=fleet, filters=filters, statuses=STATUSES, csrf_token=csrf.csrf_token(),
                foldable=[c for c in fleet.companies if c["id"] in live],
                recent=recent, recent_error=recent_error, agent_names=names,
                items=grouping.items(fleet.rows, not filters.agent, filters.collapsed), row_urls=_row_urls(),
                kinds=kinds, states=states, strips=strips,
                version=fleet.version(filters.query(), shown, recent_error, language.code(),
                                      sorted(kinds.items()), sorted(strips.items())))


def agents():
    if not json_twin() and not request.headers.get("HX-Request"):
        return page()  # the panel's URL opened on its own: the page that holds it
    filters, fleet = _filtered_fleet()
    if json_twin():
        kinds, states = _states(fleet)
        payload = fleet.to_json()
        for run, row in zip(payload["runs"], fleet.rows):  # what the row shows, by key
            run.update(states[row.run_id].to_json(), attentionKind=kinds.get(row.agent_id))
        resp = jsonify(payload)
        resp.set_etag(fleet.version(filters.query(), sorted(kinds.items())))
        return resp.make_conditional(request)
    # The panel sends back the version it shows: 204, changed rows, or all of it.
    return with_open_incidents(panel_update.answer(_panel_context(filters, fleet),
                                                   request.headers.get(PANEL_VERSION_HEADER)))


def page():
    run = request.args.get("run")
    if run is not None:  # a deep link to a run's log: the page opens its dialog
        port.check_uuid(run, "run")
    filters, fleet = _filtered_fleet("run")
    context = _panel_context(filters, fleet)
    return render_template("opsweb/operations.html", open_run=run, open_incidents=open_incidents(),
                           panel_html=Markup(panel_update.render(context).html), **context)


def audit_log():
    limit = whole_number(params("limit"), "limit", 50, 1, 500)
    try:
        records = ops().audit.recent(limit)
    except AuditUnavailable as err:
        current_app.logger.warning("audit trail unreadable: %s", err)
        abort(503, "The audit trail cannot be read right now.")
    return jsonify({"actions": [r.to_json() for r in records]})


def openapi_document():
    params()
    prefix = url_for("opsweb_api.agents")[: -len("/agents")]
    return jsonify(openapi.document(prefix))


