"""The fleet overview: runs per hour by outcome, success rate and live runs over the
last 24 h, across companies; a fragment, a page when opened on its own, a JSON twin.

The spend half of issue 24 adds spend per hour per company here, from its reader
(opsweb/fleet/spend.py), into the payload and into _overview_spend.html."""
from __future__ import annotations

from opsweb.fleet import overview as fleet_overview
from opsweb.i18n.said import Said
from opsweb.web.views.common import ops, params, respond


def overview():
    params()
    agents = ops().agents
    view = fleet_overview.read(ops().fleet, agents.history, agents.clock.now())
    return respond("opsweb/overview.html", view.to_json(), title=Said("Fleet overview"),
                   view=view)
