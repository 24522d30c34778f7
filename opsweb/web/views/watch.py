"""The guard rails' two pages: the rules (mode, last firing, what each did, with the
undo where one exists) and the incidents; each a fragment, a page when opened on its
own, and a JSON twin."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import abort, current_app, render_template, request

from opsweb.actions.audit import AuditUnavailable
from opsweb.i18n import timefmt
from opsweb.i18n.said import Said
from opsweb.web import csrf
from opsweb.web.views.common import json_twin, ops, params, respond, whole_number

DEFAULT_HOURS = 24  # what the incidents page shows unless `since` says otherwise


def _unavailable(err: AuditUnavailable):
    current_app.logger.warning("rules and incidents unreadable: %s", err)
    abort(503, Said("The audit database cannot be read right now."))


def _page(fragment: str, payload: dict, **context):
    """The fragment under htmx and in the JSON family; opened on its own, a page."""
    if json_twin() or request.headers.get("HX-Request"):
        return respond(fragment, payload, **context)
    return render_template("opsweb/watch_page.html", fragment=fragment, **context)


def rules_view():
    params()
    watch = ops().watch
    try:
        payload = watch.twin() if watch is not None else {
            "rules": [], "evaluator": ops().lease.holder().to_json(),
            "brakes": {"maxActionsPerHour": 0, "actionsThisHour": 0}, "intervalSeconds": None}
    except AuditUnavailable as err:
        _unavailable(err)
    payload["configured"] = watch is not None
    return _page("opsweb/rules.html", payload, view=payload, csrf_token=csrf.csrf_token())


def incidents_view():
    args = params("open", "since", "limit")
    if args.get("open") not in (None, "0", "1"):
        abort(400, "open must be 1 or 0")
    since = args.get("since")
    if since is not None and timefmt.parse(since) is None:
        abort(400, "since must be an ISO 8601 time, like 2026-12-04T02:00:00Z")
    limit = whole_number(args, "limit", 200, 1, 500)
    if since is None:
        now = datetime.fromtimestamp(ops().agents.clock.now(), timezone.utc)
        since = (now - timedelta(hours=DEFAULT_HOURS)).isoformat(timespec="milliseconds")
    since = timefmt.parse(since).astimezone(timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")
    try:
        found = ops().incidents.listed(open_only=args.get("open") == "1", since=since,
                                       limit=limit)
    except AuditUnavailable as err:
        _unavailable(err)
    payload = {"incidents": [i.to_json() for i in found], "since": since,
               "tracking": ops().watch is not None}
    return _page("opsweb/incidents.html", payload, view=payload, open_only=args.get("open") == "1",
                 csrf_token=csrf.csrf_token())
