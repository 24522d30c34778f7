"""The fleet overview: runs per hour by outcome, success rate and live runs over the
last 24 h, across companies; a fragment, a page of its own, and a JSON twin.

The spend half of issue 24 adds spend per hour per company here, from its reader
(opsweb/fleet/spend.py), into the payload and into _overview_spend.html."""
from __future__ import annotations

from flask import jsonify, render_template, request

from opsweb.fleet import overview as fleet_overview
from opsweb.web.views.common import json_twin, ops, params


def overview():
    params()
    agents = ops().agents
    view = fleet_overview.read(ops().fleet, agents.history, agents.clock.now())
    if json_twin():
        return jsonify(view.to_json())
    template = "opsweb/overview.html" if request.headers.get("HX-Request") \
        else "opsweb/overview_page.html"
    return render_template(template, view=view)
