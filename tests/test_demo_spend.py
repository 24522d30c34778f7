"""The demo Paperclip's cost routes, driven over real HTTP: the shapes of the answers
captured from a real Paperclip 2026.916.1 (tests/fixtures/paperclip-2026.916.1-spend/),
its quirks, and the figures its seeded month gives."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from opsweb.demo import ACME, GLOBEX, Clock, DemoServer
from test_demo_server import assert_same_shape

REAL = Path(__file__).parent / "fixtures" / "paperclip-2026.916.1-spend"
T0 = 1_795_000_000.0  # 2026-11-18T08:26:40Z
MONTH = "2026-11-01T00:00:00.000Z"
INBOX_POLLER = "a9e00025-0000-4000-8000-000000000025"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def real(name: str):
    return json.loads((REAL / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def paperclip():
    server = DemoServer(autoplay=False, clock=Clock(frozen_at=T0)).start()
    yield server
    server.stop()


def get(server, path: str):
    return requests.get(f"{server.url}/api{path}", timeout=10)


@pytest.mark.parametrize("path, captured", [
    (f"/companies/{ACME}/costs/summary?from={MONTH}", "costs-summary-month.json"),
    (f"/companies/{GLOBEX}/costs/by-agent?from={MONTH}", "costs-by-agent-month.json"),
    (f"/companies/{ACME}/costs/window-spend", "costs-window-spend.json"),
    (f"/companies/{GLOBEX}/budgets/overview", "budgets-overview.json"),
    (f"/companies/{ACME}/budgets/overview", "budgets-overview.json"),
])
def test_the_demo_answers_in_the_real_shapes(paperclip, path, captured):
    resp = get(paperclip, path)
    assert resp.status_code == 200
    assert resp.json(), path  # something to compare
    assert_same_shape(resp.json(), real(captured))


@pytest.mark.parametrize("path, status, captured", [
    (f"/companies/{ACME}/costs/summary?from=soon", 400, "costs-summary-bad-from-400.json"),
    (f"/companies/{UNKNOWN}/costs/summary", 404, "costs-summary-unknown-company-404.json"),
    (f"/companies/{UNKNOWN}/costs/by-agent", 200, "costs-by-agent-unknown-company.json"),
    (f"/companies/{UNKNOWN}/budgets/overview", 200, "budgets-overview-unknown-company.json"),
    ("/companies/not-a-uuid/costs/summary", 500, "costs-summary-malformed-id-500.json"),
])
def test_the_demo_has_the_real_quirks(paperclip, path, status, captured):
    resp = get(paperclip, path)
    assert resp.status_code == status
    expected = real(captured)
    if isinstance(expected, dict) and "companyId" in expected:
        expected["companyId"] = UNKNOWN
    assert resp.json() == expected


def test_the_seeded_month_puts_the_inbox_poller_past_80_percent_with_its_incident(paperclip):
    overview = get(paperclip, f"/companies/{GLOBEX}/budgets/overview").json()
    [policy] = overview["policies"]
    assert (policy["scopeId"], policy["amount"], policy["status"]) == (INBOX_POLLER, 5000,
                                                                       "warning")
    assert policy["observedAmount"] == 4304 and policy["utilizationPercent"] == 86.08
    [incident] = overview["activeIncidents"]
    assert (incident["scopeId"], incident["thresholdType"], incident["status"]) == (
        INBOX_POLLER, "soft", "open")
    # what the agent and the company say agrees with the cost events
    agent = get(paperclip, f"/agents/{INBOX_POLLER}").json()
    assert agent["spentMonthlyCents"] == 4304
    rows = get(paperclip, f"/companies/{GLOBEX}/costs/by-agent?from={MONTH}").json()
    company = get(paperclip, f"/companies/{GLOBEX}").json()
    assert sum(r["costCents"] for r in rows) == company["spentMonthlyCents"] == get(
        paperclip, f"/companies/{GLOBEX}/costs/summary?from={MONTH}").json()["spendCents"]


def test_the_windows_nest_and_a_range_narrows(paperclip):
    rows = get(paperclip, f"/companies/{ACME}/costs/window-spend").json()
    per = {h: sum(r["costCents"] for r in rows if r["windowHours"] == h) for h in (5, 24, 168)}
    assert 0 < per[5] < per[24] < per[168]
    month = get(paperclip, f"/companies/{ACME}/costs/summary?from={MONTH}").json()["spendCents"]
    later = get(paperclip, f"/companies/{ACME}/costs/summary?from=2026-11-18T00:00:00Z").json()
    assert 0 < later["spendCents"] < month
