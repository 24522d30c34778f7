"""Spend against budget on the REAL Paperclip (2026.916.1): cost events posted through
its own route (POST /api/companies/:cid/cost-events) come back from opsweb's
/api/operations/spend with the right cents, budgets and utilisation, its soft budget
incident is shown, the agent past 80 % of its budget is in the attention strip (past
100 %, paused by Paperclip itself, without a Pause of its own), and a
new event shows once the freshness window has passed (that test comes last: it adds to
the seeded figures). Everything in a company of its own (spend_seed.py, the session's
`spend_seeded`); no agent is ever woken."""
from __future__ import annotations

import calendar
import os
import secrets
import time
from datetime import datetime, timezone

import pytest
from bs4 import BeautifulSoup

from .seed import PaperclipClient
from .spend_seed import (COMPANY_BUDGET_CENTS, HEAVY_BUDGET_CENTS, HEAVY_EVENTS, LIGHT_EVENTS,
                         QUIET_CMD, cost_event)

pytestmark = pytest.mark.contract


@pytest.fixture
def spent(real_paperclip, spend_seeded):
    client = PaperclipClient(real_paperclip, token=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN"))
    return client, spend_seeded


@pytest.fixture
def panel(real_paperclip, spent, panel_for, tmp_path):
    return panel_for(real_paperclip, OPSWEB_COMPANIES=spent[1].company_id,
                     OPSWEB_HISTORY_FRESHNESS=0.5, OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/a.db",
                     OPSWEB_PAPERCLIP_TOKEN=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN"))


def _company(panel) -> dict:
    body = panel.get("/api/operations/spend").json()
    assert body["errors"] == []
    [company] = body["companies"]
    return company


def test_posted_cost_events_are_the_months_spend_against_its_budgets(panel, spent):
    seeded = spent[1]
    company = _company(panel)
    heavy, light = sum(HEAVY_EVENTS), sum(LIGHT_EVENTS)
    assert (company["companyId"], company["companyName"]) == (seeded.company_id,
                                                              seeded.company_name)
    assert (company["spendCents"], company["budgetCents"]) == (heavy + light, COMPANY_BUDGET_CENTS)
    assert company["utilizationPercent"] == round((heavy + light) / COMPANY_BUDGET_CENTS * 100, 2)
    # every event is within the last 24 h: that day's spend, per hour, in dollars
    assert company["usdPerHour"] == round((heavy + light) / 100 / 24, 4)
    agents = {a["agentId"]: a for a in company["agents"]}
    big, small = agents[seeded.heavy_agent_id], agents[seeded.light_agent_id]
    assert (big["name"], big["spendCents"], big["budgetCents"]) == ("Big Spender", heavy,
                                                                    HEAVY_BUDGET_CENTS)
    assert big["utilizationPercent"] == 85.0 and big["usdPerHour"] == round(heavy / 100 / 24, 4)
    assert (small["spendCents"], small["budgetCents"], small["utilizationPercent"]) == (
        light, None, None)
    now = datetime.now(timezone.utc)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_days = calendar.monthrange(start.year, start.month)[1]
    pace = (heavy + light) * month_days * 86400 / max((now - start).total_seconds(), 3600)
    assert abs(company["projectedMonthCents"] - pace) <= pace * 0.01 + 1


def test_paperclips_soft_incident_and_the_near_budget_item_are_shown(panel, spent):
    seeded = spent[1]
    [incident] = _company(panel)["incidents"]
    assert (incident["scopeId"], incident["thresholdType"], incident["status"]) == (
        seeded.heavy_agent_id, "soft", "open")
    assert incident["amountObserved"] == sum(HEAVY_EVENTS)
    items = panel.get("/api/operations/attention").json()["items"]
    [item] = [i for i in items if i["kind"] == "near_budget"]
    assert (item["agentId"], item["utilizationPercent"], item["action"]) == (
        seeded.heavy_agent_id, 85.0, "pause")
    page = BeautifulSoup(panel.get("/operations/spend").text, "html.parser")
    row = page.select_one(f'tr[data-agent-id="{seeded.heavy_agent_id}"]')
    assert "ow-near-budget" in row["class"] and "$17.00" in row.text
    assert page.select_one(f'.ow-spend-incident[data-scope-id="{seeded.heavy_agent_id}"]')


def test_the_hard_stop_pauses_the_agent_and_its_item_offers_no_pause(real_paperclip, spent,
                                                                     panel_for, tmp_path):
    client = spent[0]
    company = client.create_company(f"Contract Hard Stop {secrets.token_hex(3)}")
    agent = client.create_process_agent(company["id"], "Over Spender", QUIET_CMD)
    client.call("PATCH", f"/agents/{agent['id']}/budgets", {"budgetMonthlyCents": 500})
    client.post(f"/companies/{company['id']}/cost-events",
                cost_event(agent["id"], 600, datetime.now(timezone.utc)))
    panel = panel_for(real_paperclip, OPSWEB_COMPANIES=company["id"],
                      OPSWEB_AUDIT_URL=f"sqlite:///{tmp_path}/hard.db",
                      OPSWEB_PAPERCLIP_TOKEN=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN"))
    spend = _company(panel)
    [row] = spend["agents"]
    assert (row["spendCents"], row["budgetCents"], row["utilizationPercent"]) == (600, 500, 120.0)
    # Paperclip resolved the soft incident: the hard one waits for the board's approval
    [incident] = spend["incidents"]
    assert (incident["thresholdType"], incident["approvalStatus"]) == ("hard", "pending")
    kinds = {i["kind"]: i for i in panel.get("/api/operations/attention").json()["items"]
             if i["agentId"] == agent["id"]}
    assert kinds["near_budget"]["action"] is None  # paused already, by Paperclip
    assert "over budget" in kinds["paused"]["detail"]


def test_a_new_cost_event_shows_after_the_freshness_window(panel, spent):
    client, seeded = spent
    before = _company(panel)
    client.post(f"/companies/{seeded.company_id}/cost-events",
                cost_event(seeded.light_agent_id, 125, datetime.now(timezone.utc)))
    deadline, company = time.monotonic() + 15, before
    while company["spendCents"] == before["spendCents"] and time.monotonic() < deadline:
        time.sleep(0.3)
        company = _company(panel)
    assert company["spendCents"] == before["spendCents"] + 125
    small = next(a for a in company["agents"] if a["agentId"] == seeded.light_agent_id)
    assert small["spendCents"] == sum(LIGHT_EVENTS) + 125
