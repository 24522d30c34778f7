"""The agent card, recently finished runs and the needs-attention strip."""
from __future__ import annotations


from flask import (abort, jsonify, render_template, request)

from opsweb import platform_port as port
from opsweb.fleet.agents import RecentFilters
from opsweb.fleet.history import repeats
from opsweb.web import csrf
from opsweb.i18n.said import Said
from opsweb.pictures.strips import COMPACT_RUNS
from opsweb.web.views.common import (json_twin, known_company, ops, params, respond)


def agent_card(agent_id: str):
    params()
    port.check_uuid(agent_id, "agent id")
    card = ops().agents.card(agent_id)
    if json_twin():
        return jsonify(card.to_json())
    template = "opsweb/agent_card.html" if request.headers.get("HX-Request") \
        else "opsweb/agent_page.html"
    return render_template(template, card=card, csrf_token=csrf.csrf_token())


def recent_runs():
    try:
        filters = RecentFilters.from_args(params("company", "agent", "outcome", "limit"))
    except ValueError as err:
        abort(400, str(err))
    runs, failures, companies = ops().agents.recent(filters)
    known_company(filters.company, companies, listed=bool(companies))
    payload = {"runs": [r.to_json() for r in runs], "errors": failures}
    return respond("opsweb/recent.html", payload, title=Said("Recently finished"), runs=runs,
                   failures=failures, filters=filters, companies=companies,
                   streaks=repeats(runs))


def attention_items():
    params()
    items, failures = ops().agents.attention()
    payload = {"items": [i.to_json() for i in items], "errors": failures}
    return respond("opsweb/attention.html", payload, title=Said("Needs attention"), items=items,
                   failures=failures, alerting=_unannounced(failures),
                   strips=last_outcomes(), csrf_token=csrf.csrf_token())


def last_outcomes() -> dict[str, list[str]]:
    """Each agent's last runs for its compact strip, from the history held now."""
    return ops().agents.last_outcomes(ops().fleet.read().companies, COMPACT_RUNS)


def _unannounced(failures: list[dict]) -> set[str]:
    """The companies whose failure the strip announces (role="alert"): only those the
    live panel does not already announce, so that a screen reader hears one company's
    failure once. The recent runs never announce (they read the same history as the
    strip): theirs are plain status lines. The live read is the coalesced one the
    panel polls anyway."""
    live = {e.company_id for e in ops().fleet.read().errors}
    return {f["companyId"] for f in failures} - live


