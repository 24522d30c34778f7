"""The fleet overview: runs per hour by outcome, success rate and live runs over the
last 24 h, and each company's spend per hour (fleet/spend.py's coalesced reads),
across companies; a fragment, a page of its own, and a JSON twin."""
from __future__ import annotations

from flask import jsonify, render_template, request

from opsweb.fleet import overview as fleet_overview
from opsweb.fleet.spend import spend_per_hour
from opsweb.web.views.common import json_twin, ops, params


def overview():
    params()
    view = fleet_overview.read(ops().fleet, ops().day, ops().agents.clock.now())
    spend = ops().spend.read(view.companies)
    rates = [{"companyId": c.company_id, "companyName": c.company_name,
              "windows": spend_per_hour(c)} for c in spend.companies]
    known = {(e["companyId"], e["error"]) for e in view.errors}
    errors = view.errors + [e for e in spend.errors if (e["companyId"], e["error"]) not in known]
    if json_twin():
        return jsonify({**view.to_json(), "spendPerHour": rates, "errors": errors})
    template = "opsweb/overview.html" if request.headers.get("HX-Request") \
        else "opsweb/overview_page.html"
    return render_template(template, view=view, spend_rates=rates, errors=errors,
                           day_page=ops().day.page)
