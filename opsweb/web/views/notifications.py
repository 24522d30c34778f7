"""The last webhook deliveries (page, fragment, JSON twin) and the open-incident count
the page's title and favicon show."""
from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request

from opsweb.actions.audit import AuditUnavailable
from opsweb.i18n.said import Said
from opsweb.web.views.common import json_twin, ops, params, whole_number

OPEN_INCIDENTS_HEADER = "X-Opsweb-Open-Incidents"


def open_incidents() -> int | None:
    """Open incidents (guard rails), 0 without them, None when they cannot be read."""
    incidents = getattr(ops(), "incidents", None)
    if incidents is None:
        return 0
    try:
        return int(incidents.open_count())
    except Exception as err:  # the count is a hint in a title; the panel answers without it
        current_app.logger.warning("open incidents unreadable: %s", err)
        return None


def with_open_incidents(response):
    """The panel's poll carries the count, so the title follows it at no extra request."""
    count = open_incidents()
    if count is not None:
        response.headers[OPEN_INCIDENTS_HEADER] = str(count)
    return response


def notifications():
    limit = whole_number(params("limit"), "limit", 50, 1, 200)
    outbox = ops().notifications.outbox
    receivers = [r.shown for r in outbox.receivers]
    try:
        rows, pending, failure = outbox.recent(limit), outbox.pending(), None
    except AuditUnavailable as err:
        current_app.logger.warning("notifications unreadable: %s", err)
        if json_twin():
            abort(503, "The notifications cannot be read right now.")
        rows, pending, failure = [], 0, Said("The notifications cannot be read right now.")
    if json_twin():
        return jsonify({"receivers": receivers, "pending": pending,
                        "deliveries": [r.to_json() for r in rows]})
    template = "opsweb/notifications.html" if request.headers.get("HX-Request") \
        else "opsweb/notifications_page.html"
    return render_template(template, receivers=receivers, deliveries=rows, pending=pending,
                           failure=failure, limit=limit)
