"""Spend against budget: the reader on the in-memory FakePlatform with a frozen clock,
fed answers shaped like the real ones (tests/fixtures/paperclip-2026.916.1-spend/),
the near-budget attention item, and the page, fragment and twin over the app."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from opsweb import create_app
from opsweb import platform_port as port
from opsweb.fleet import spend as spend_mod
from opsweb.fleet.spend import SpendReader, projected_month, spend_per_hour
from opsweb.runtime.clock import Clock
from tests.fake_platform import FakePlatform

REAL = Path(__file__).parent / "fixtures" / "paperclip-2026.916.1-spend"
ACME = "c0ffee00-0000-4000-8000-0000000000aa"
GLOBEX = "c0ffee00-0000-4000-8000-0000000000bb"
BIG = "a9e00000-0000-4000-8000-000000000101"
SMALL = "a9e00000-0000-4000-8000-000000000102"
SAVER = "a9e00000-0000-4000-8000-000000000103"
# 12:00 UTC on 16 Nov 2026: 15.5 of November's 30 days have gone by
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=timezone.utc)


def real(name: str):
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def by_agent(*rows: tuple[str, str, int, str]) -> list[dict]:
    """Rows shaped like the real costs/by-agent answer."""
    template = real("costs-by-agent-month.json")[0]
    return [dict(template, agentId=a, agentName=n, costCents=c, agentStatus=s) for a, n, c, s in rows]


def policy(agent_id: str, name: str, amount: int, observed: int, **extra) -> dict:
    template = next(p for p in real("budgets-overview.json")["policies"]
                    if p["scopeType"] == "agent")
    return dict(template, scopeId=agent_id, scopeName=name, amount=amount,
                observedAmount=observed, **extra)


def windows(five: int, day: int, week: int) -> list[dict]:
    rows = copy.deepcopy(real("costs-window-spend.json"))
    for row, cents in zip(rows, (five, day, week)):
        row["costCents"] = cents
    return rows


def acme_answers() -> dict:
    overview = real("budgets-overview.json")
    incident = dict(overview["activeIncidents"][0], scopeId=BIG, scopeName="Big Spender")
    return {
        "summary": {"companyId": ACME, "spendCents": 3100, "budgetCents": 10000,
                    "utilizationPercent": 31},
        "byAgent": by_agent((BIG, "Big Spender", 1700, "idle"), (SMALL, "Small Spender", 1400, "idle")),
        "byAgentDay": by_agent((BIG, "Big Spender", 480, "idle")),
        "windowSpend": windows(300, 720, 2000),
        "overview": dict(overview, companyId=ACME, activeIncidents=[incident], policies=[
            policy(BIG, "Big Spender", 2000, 1700), policy(SAVER, "Saver", 5000, 0)]),
    }


def fleet() -> FakePlatform:
    fake = FakePlatform(companies=[{"id": ACME, "name": "Acme"}, {"id": GLOBEX, "name": "Globex"}])
    fake.spend[ACME] = acme_answers()
    fake.spend[GLOBEX] = {"summary": {"companyId": GLOBEX, "spendCents": 500, "budgetCents": 0,
                                      "utilizationPercent": 0},
                          "byAgent": by_agent((SMALL, "Lab", 500, "paused"))}
    return fake


def read(fake: FakePlatform, now: datetime = NOW):
    return SpendReader(fake, deadline=2.0, clock=Clock(frozen_at=now.timestamp())).read(
        fake.companies)


def test_a_company_reads_its_month_its_agents_their_budgets_and_its_rate():
    fake = fleet()
    acme = read(fake).companies[0]
    assert (acme.spend_cents, acme.budget_cents, acme.utilization_percent) == (3100, 10000, 31.0)
    assert acme.usd_per_hour == 0.3  # 720 cents in the last 24 h
    assert [(a.name, a.spend_cents, a.budget_cents, a.utilization_percent, a.usd_per_hour)
            for a in acme.agents] == [("Big Spender", 1700, 2000, 85.0, 0.2),
                                      ("Small Spender", 1400, None, None, 0.0),
                                      ("Saver", 0, 5000, 0.0, 0.0)]  # a budget, nothing spent
    # the month since its first midnight, the agents' rate since 24 h ago
    assert ("cost_summary", ACME, "2026-11-01T00:00:00.000Z") in fake.calls
    assert ("costs_by_agent", ACME, "2026-11-15T12:00:00.000Z") in fake.calls
    [incident] = acme.to_json()["incidents"]
    assert (incident["scopeName"], incident["thresholdType"], incident["amountObserved"]) == (
        "Big Spender", "soft", 1700)


def test_a_budget_of_zero_is_no_budget_not_zero_percent():
    globex = read(fleet()).companies[1].to_json()
    assert (globex["budgetCents"], globex["utilizationPercent"]) == (None, None)
    assert globex["agents"][0]["budgetCents"] is None and globex["usdPerHour"] == 0.0


def test_an_inactive_or_lifetime_policy_is_not_a_monthly_budget():
    fake = fleet()
    fake.spend[ACME]["overview"]["policies"] = [
        policy(BIG, "Big Spender", 2000, 1700, isActive=False),
        policy(SMALL, "Small Spender", 900, 1400, windowKind="lifetime")]
    assert [a.budget_cents for a in read(fake).companies[0].agents] == [None, None]


def test_the_projection_carries_the_months_pace_to_its_end():
    # 3,100 cents in 15.5 days of a 30-day month: 200 a day, 6,000 for the month
    assert read(fleet()).companies[0].projected_month_cents == 6000
    later = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # 22.5 days in
    assert read(fleet(), later).companies[0].projected_month_cents == round(3100 * 30 / 22.5)
    # the first minutes of a month count as an hour: 50 cents spent by 00:06 on 1 Dec
    # is 50 per hour, not 500
    dawn = datetime(2026, 12, 1, 0, 6, tzinfo=timezone.utc)
    assert projected_month(50, dawn) == 50 * 24 * 31


def test_the_clock_moves_the_month():
    fake = fleet()
    read(fake, datetime(2027, 1, 2, 9, 30, tzinfo=timezone.utc))
    assert ("cost_summary", ACME, "2027-01-01T00:00:00.000Z") in fake.calls


def test_one_company_failing_is_its_error_line_and_the_other_is_read():
    fake = fleet()
    fake.fail("window_spend", port.Timeout("Paperclip at http://pc did not answer in 3 s"),
              only=ACME)
    spend = read(fake)
    assert [c.company_name for c in spend.companies] == ["Globex"]
    assert spend.errors == [{"companyId": ACME, "companyName": "Acme",
                             "error": "Paperclip at http://pc did not answer in 3 s"}]


def test_spend_per_hour_is_a_step_series_from_the_windows():
    acme = read(fleet()).companies[0]  # 300 in 5 h, 720 in 24 h, 2,000 in 7 d
    assert spend_per_hour(acme) == [
        {"fromHoursAgo": 168, "toHoursAgo": 24, "usdPerHour": round(12.80 / 144, 4)},
        {"fromHoursAgo": 24, "toHoursAgo": 5, "usdPerHour": round(4.20 / 19, 4)},
        {"fromHoursAgo": 5, "toHoursAgo": 0, "usdPerHour": 0.6}]
    assert set(spend_mod.series(read(fleet()))) == {ACME, GLOBEX}


def test_garbage_inside_an_answer_counts_as_nothing_rather_than_failing():
    fake = fleet()
    fake.spend[ACME]["summary"] = {"spendCents": "lots", "budgetCents": True}
    fake.spend[ACME]["byAgent"] = ["row", {"agentId": BIG, "costCents": None}]
    fake.spend[ACME]["overview"] = {"policies": 7, "activeIncidents": {"id": "x"}}
    acme = read(fake).companies[0]
    assert (acme.spend_cents, acme.budget_cents, acme.incidents) == (0, None, [])
    assert [(a.agent_id, a.spend_cents, a.budget_cents) for a in acme.agents] == [(BIG, 0, None)]


# ---- the attention strip ----------------------------------------------------------------
@pytest.fixture
def app(tmp_path):
    fake = fleet()
    app = create_app({"OPSWEB_AUDIT_URL": f"sqlite:///{tmp_path}/audit.db",
                      "OPSWEB_COMPANIES": f"{ACME},{GLOBEX}"}, platform=fake,
                     clock=Clock(frozen_at=NOW.timestamp()))
    app.fake = fake
    return app


def test_an_agent_past_80_percent_of_its_budget_needs_attention_with_pause(app):
    body = app.test_client().get("/api/operations/attention").get_json()
    [item] = [i for i in body["items"] if i["kind"] == "near_budget"]
    assert (item["agentId"], item["agentName"], item["action"]) == (BIG, "Big Spender", "pause")
    assert (item["spendCents"], item["budgetCents"], item["utilizationPercent"]) == (1700, 2000, 85.0)
    assert item["detail"] == "85 % of its monthly budget: $17.00 of $20.00"


def test_79_percent_is_not_yet_attention_and_80_is(app):
    answers = app.fake.spend[ACME]
    for spent, expected in ((1580, []), (1600, [BIG])):
        answers["byAgent"][0]["costCents"] = spent
        app.extensions["opsweb"].spend.forget(None)
        body = app.test_client().get("/api/operations/attention").get_json()
        assert [i["agentId"] for i in body["items"] if i["kind"] == "near_budget"] == expected


def test_a_paused_agent_near_its_budget_offers_no_pause(app):
    app.fake.spend[ACME]["byAgent"][0]["agentStatus"] = "paused"
    html = app.test_client().get("/operations/attention", headers={"HX-Request": "true"}).text
    item = BeautifulSoup(html, "html.parser").select_one('[data-kind="near_budget"]')
    assert item is not None and item.select_one("button[hx-post]") is None


# ---- the page, the fragment, the twin ---------------------------------------------------
def test_the_twin_has_the_issues_fields(app):
    body = app.test_client().get("/api/operations/spend").get_json()
    assert body["errors"] == []
    acme = body["companies"][0]
    assert {"companyId", "companyName", "spendCents", "budgetCents", "utilizationPercent",
            "usdPerHour", "projectedMonthCents", "agents", "incidents"} <= set(acme)
    assert {"agentId", "name", "spendCents", "budgetCents", "usdPerHour"} <= set(acme["agents"][0])


def test_the_page_shows_figures_left_to_right_in_hebrew(app):
    html = app.test_client().get("/operations/spend", headers={"Accept-Language": "he"}).text
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["dir"] == "rtl"
    table = soup.select_one(f'table[data-company="{ACME}"]')
    row = table.select_one(f'tr[data-agent-id="{BIG}"]')
    assert "ow-near-budget" in row["class"]
    assert [b.text for b in row.select('bdi[dir="ltr"]')][:3] == ["$17.00", "$20.00", "85 %"]
    assert soup.select_one(".ow-spend-incident").get("data-threshold") == "soft"
    assert "הוצאה" in soup.title.text  # the page's own title, translated


def test_the_fragment_under_htmx_polls_itself(app):
    html = app.test_client().get("/operations/spend", headers={"HX-Request": "true"}).text
    section = BeautifulSoup(html, "html.parser").select_one("section#ow-spend")
    assert section["hx-get"] == "/operations/spend" and "every 30s" in section["hx-trigger"]


def test_the_panel_links_to_the_spend_page(app):
    soup = BeautifulSoup(app.test_client().get("/operations").text, "html.parser")
    assert soup.select_one('a[href="/operations/spend"]') is not None


def test_an_unknown_parameter_is_a_400(app):
    resp = app.test_client().get("/api/operations/spend?company=x")
    assert resp.status_code == 400 and "Unknown query parameter" in resp.get_json()["error"]


def test_a_company_list_that_fails_is_said_not_an_empty_page(app):
    app.fake.fail("list_companies", port.Unreachable("Paperclip at http://pc is unreachable",
                                                     request_sent=False))
    fresh = create_app({"OPSWEB_AUDIT_URL": app.config["OPSWEB_AUDIT_URL"]}, platform=app.fake)
    body = fresh.test_client().get("/api/operations/spend").get_json()
    assert body["companies"] == [] and "unreachable" in body["errors"][0]["error"]


def test_a_projection_past_the_budget_is_marked(app):
    def projection_cell():
        app.extensions["opsweb"].spend.forget(None)
        html = app.test_client().get("/operations/spend", headers={"HX-Request": "true"}).text
        return BeautifulSoup(html, "html.parser").select_one(
            f'table[data-company="{ACME}"] .ow-spend-total td:last-child')
    assert "ow-over-budget" not in (projection_cell().get("class") or [])  # 6,000 of 10,000
    app.fake.spend[ACME]["summary"]["budgetCents"] = 5000
    cell = projection_cell()
    assert "ow-over-budget" in cell["class"] and cell.text.strip() == "$60.00"
