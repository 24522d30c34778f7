"""The route table: every operation once, registered under both blueprints; what
only one family has is listed after it."""
from __future__ import annotations



from opsweb.web import errors
from opsweb.web.blueprints import api, panel
from opsweb.web.views import batches, sign_in
from opsweb.web.views.actions import cancel_run, pause_agent, reset_session, resume_agent
from opsweb.web.views.agents import agent_card, attention_items, recent_runs
from opsweb.web.views.logs import run_events, run_log, run_log_ndjson, run_log_text
from opsweb.web.views.notifications import notifications
from opsweb.web.views.overview import overview
from opsweb.web.views.search import agent_search, run_search
from opsweb.web.views.panel import agents, audit_log, openapi_document, page
from opsweb.web.views.spend import spend_view
from opsweb.web.views.watch import incidents_view, rules_view


_ROUTES = [
    ("/agents", agents, ["GET"]),
    ("/runs/<run_id>/log", run_log, ["GET"]),
    ("/runs/<run_id>/events", run_events, ["GET"]),
    ("/runs/<run_id>/search", run_search, ["GET"]),
    ("/agents/<agent_id>/search", agent_search, ["GET"]),
    ("/runs/<run_id>/cancel", cancel_run, ["POST"]),
    ("/agents/<agent_id>/reset-session", reset_session, ["POST"]),
    ("/agents/<agent_id>/pause", pause_agent, ["POST"]),
    ("/agents/<agent_id>/resume", resume_agent, ["POST"]),
    ("/agents/<agent_id>", agent_card, ["GET"]),
    ("/recent", recent_runs, ["GET"]),
    ("/attention", attention_items, ["GET"]),
    ("/notifications", notifications, ["GET"]),
    ("/batches", batches.batch_start, ["POST"]),
    ("/batches/preview", batches.batch_preview, ["POST"]),
    ("/batches/<batch_id>", batches.batch_show, ["GET"]),
    ("/batches/<batch_id>/cancel", batches.batch_cancel, ["POST"]),
    ("/batches/<batch_id>/undo", batches.batch_undo, ["POST"]),
    ("/companies/<company_id>/pause", batches.company_pause, ["POST"]),
    ("/rules", rules_view, ["GET"]),
    ("/incidents", incidents_view, ["GET"]),
    ("/spend", spend_view, ["GET"]),
    ("/overview", overview, ["GET"]),
]
for _rule, _view, _methods in _ROUTES:
    panel.add_url_rule(_rule, view_func=_view, methods=_methods)
    api.add_url_rule(_rule, view_func=_view, methods=_methods)
panel.add_url_rule("", view_func=page)
panel.add_url_rule("/", endpoint="page_slash", view_func=page)  # /operations/ as typed
panel.add_url_rule("/login", view_func=sign_in.login, methods=["GET", "POST"])
panel.add_url_rule("/logout", view_func=sign_in.logout, methods=["POST"])
api.add_url_rule("/runs/<run_id>/log.ndjson", view_func=run_log_ndjson)
api.add_url_rule("/runs/<run_id>/log.txt", view_func=run_log_text)
api.add_url_rule("/audit", view_func=audit_log)
api.add_url_rule("/openapi.json", view_func=openapi_document)

errors.register(panel, api)
