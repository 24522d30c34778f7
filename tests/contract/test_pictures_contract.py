"""The pictures against the REAL Paperclip (2026.916.1): the overview counts the real
finished runs in the hour they ended, draws its three charts, and samples the live
runs it read; the agent card draws its agent's real day (its own heartbeat-runs read,
with agentId) as a strip."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.contract


@pytest.fixture
def panel(seeded, panel_for):
    return panel_for(seeded.base_url, OPSWEB_COMPANIES=seeded.company_ids)


def test_the_overview_counts_the_real_finished_runs_and_draws_its_charts(seeded, panel, paperclip_api):
    quick = paperclip_api.get(f"/heartbeat-runs/{seeded.finished_run_id}")
    panel.get("/api/operations/agents")  # a read of the live fleet: a sample
    twin = panel.get("/api/operations/overview").json()
    assert twin["errors"] == [] and len(twin["hours"]) == 24
    hour = quick["finishedAt"][:13] + ":00:00Z"  # the hour Quick's run ended in
    counted = next(h for h in twin["hours"] if h["hour"] == hour)
    assert counted["succeeded"] >= 1 and counted["total"] >= counted["succeeded"]
    sample = twin["liveRuns"]["samples"][-1]
    assert sample["complete"] and sample["running"] >= 1  # the seeded runs still run
    page = BeautifulSoup(panel.get("/operations/overview").text, "html.parser")
    assert len(page.select("#ow-overview svg[role=img] title")) == 4  # and spend per hour
    rates = {c["companyId"]: c["windows"] for c in twin["spendPerHour"]}
    assert set(rates) == set(seeded.company_ids) and all(
        [(w["fromHoursAgo"], w["toHoursAgo"]) for w in windows] == [(168, 24), (24, 5), (5, 0)]
        for windows in rates.values())
    assert page.select("#ow-chart-hours path.ow-ok")


def test_the_agent_card_draws_the_real_day_of_its_agent(seeded, panel, paperclip_api):
    quick = paperclip_api.get(f"/heartbeat-runs/{seeded.finished_run_id}")
    card = BeautifulSoup(panel.get(f"/operations/agents/{quick['agentId']}",
                                   headers={"HX-Request": "true"}).text, "html.parser")
    strip = card.select_one("#ow-card-day svg[role=img]")
    assert strip.title.get_text().startswith("Runs of Quick")
    assert strip.select_one("path.ow-ok")  # its succeeded run, above the line
    assert "succeeded" in card.select_one("#ow-card-day figcaption").get_text()
