"""Stop, Reset, Pause and Resume: CSRF and body checks, then one audited call through
the port; the outcome is a fragment or its JSON twin."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import (abort, current_app, g, request)

from opsweb import platform_port as port
from opsweb.actions import audited, reason
from opsweb.actions.audit import AuditUnavailable
from opsweb.i18n.said import Said
from opsweb.web import csrf
from opsweb.web.views.common import (json_twin, ops, params, respond)


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


def paperclip_url() -> str:
    """Where the action went, for the trail: never with credentials in it."""
    parts = urlsplit(current_app.config["OPSWEB_PAPERCLIP_URL"])
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    return parts._replace(netloc=netloc + (f":{parts.port}" if parts.port else ""),
                          query="", fragment="").geturl()


def _audited(action: str, why: str | None, run_id: str | None = None,
             agent_id: str | None = None):
    who = audited.Request(g.opsweb_operator, request.remote_addr, why, paperclip_url())
    agents = ops().agents
    try:
        outcome = audited.perform(ops().audit, current_app.logger, ops().platform, action, who,
                                run_id=run_id, agent_id=agent_id, names=agents.names)
    except AuditUnavailable as err:
        current_app.logger.error("%s refused, audit trail unavailable: %s", action, err)
        abort(503, Said("The audit trail is unavailable, so nothing was sent to Paperclip."
                        " Try again shortly."))
    agents.changed(outcome.company_id)
    resp = current_app.make_response(respond("opsweb/outcome.html", outcome.to_json(),
                                              outcome.http_status, outcome=outcome))
    # the attention strip and the recent runs refresh at once, not at their next poll.
    # The event goes to <body> itself: htmx would fire it on the button that sent the
    # action, which a panel refresh may have replaced meanwhile (a Stop's row is gone
    # once the run is), and an event on a detached button reaches no listener.
    resp.headers["HX-Trigger"] = json.dumps({"opsweb-changed": {"target": "body"}})
    return resp


def _guard_post() -> str | None:
    """CSRF and body checks for an action; returns the operator's reason, if any (a
    JSON `reason`, or the `reason` form field the page sends from its prompt)."""
    params()
    why = csrf.refusal(json_twin=json_twin())
    if why:
        abort(403, why)
    body = {}
    if json_twin() and request.get_data(cache=True):
        # a non-JSON body is a client mistake worth naming
        if request.mimetype != "application/json":
            abort(415, "The body must be JSON (Content-Type: application/json); send {}")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, "The body must be a JSON object; send {}")
    elif not json_twin():
        body = request.form
    try:
        return reason.parse(body.get("reason"))
    except ValueError as err:
        abort(400, err.args[0])  # the Said itself: str() would drop its translation


