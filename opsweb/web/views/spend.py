"""Spend against budget: one view for the page, its htmx fragment and the JSON twin."""
from __future__ import annotations

from opsweb.fleet.live import EVERY_COMPANY
from opsweb.fleet.spend import NEAR_BUDGET_PERCENT
from opsweb.web.views.common import ops, params
from opsweb.web.views.watch import _page


def spend_view():
    params()
    fleet = ops().fleet.read()
    spend = ops().spend.read(fleet.companies)
    payload = spend.to_json()
    # without the company list there is nothing to read: say so, not an empty page
    payload["errors"] = [e.to_json() for e in fleet.errors
                         if e.company_id == EVERY_COMPANY] + payload["errors"]
    return _page("opsweb/spend.html", payload, view=payload, near=NEAR_BUDGET_PERCENT)
