"""Spend on a real Paperclip: budgets and cost events, posted over HTTP.

`seed_spend(client)` makes a company of its own with two process agents (never woken:
costs are reported, not run), gives the company and one agent a monthly budget and
posts cost events through Paperclip's own route (`POST /api/companies/:cid/cost-events`,
dist/routes/costs.js), one of them older than the 5 h window. The agent with the budget
crosses 80 % of it, which opens Paperclip's soft budget incident.

`python -m tests.contract.spend_seed [BASE_URL]` seeds once more and writes what the
cost routes answer into tests/fixtures/paperclip-2026.916.1-spend/ (how those files
were recorded).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .seed import PaperclipClient

COMPANY_BUDGET_CENTS = 10_000  # $100.00
HEAVY_BUDGET_CENTS = 2_000     # $20.00: the heavy agent spends 1,700 of it (85 %)
HEAVY_EVENTS = (900, 500, 300)  # cents; the last one 6 h ago, outside the 5 h window
LIGHT_EVENTS = (250,)
QUIET_CMD = "echo costs are reported, not run"


@dataclass(frozen=True)
class SpendSeeded:
    company_id: str
    company_name: str
    heavy_agent_id: str  # budget 2,000 cents, 1,700 spent
    light_agent_id: str  # no budget, 250 spent

    @property
    def spend_cents(self) -> int:
        return sum(HEAVY_EVENTS) + sum(LIGHT_EVENTS)


def _iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def cost_event(agent_id: str, cents: int, at: datetime) -> dict:
    return {"agentId": agent_id, "provider": "anthropic", "model": "claude-sonnet-4-5-20250929",
            "billingType": "metered_api", "inputTokens": 1000 * cents, "outputTokens": 10 * cents,
            "costCents": cents, "occurredAt": _iso(at)}


def seed_spend(client: PaperclipClient, now: datetime | None = None) -> SpendSeeded:
    """Events fall in the current UTC month: at most 6 h old, so near the first hours of a
    month the oldest moves to the month's start instead (then it is inside 5 h too)."""
    now = now or datetime.now(timezone.utc)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    tag = secrets.token_hex(3)
    company = client.create_company(f"Contract Spend {tag}")
    heavy = client.create_process_agent(company["id"], "Big Spender", QUIET_CMD)
    light = client.create_process_agent(company["id"], "Small Spender", QUIET_CMD)
    client.call("PATCH", f"/companies/{company['id']}/budgets",
                {"budgetMonthlyCents": COMPANY_BUDGET_CENTS})
    client.call("PATCH", f"/agents/{heavy['id']}/budgets",
                {"budgetMonthlyCents": HEAVY_BUDGET_CENTS})
    ages = (timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
    for cents, age in zip(HEAVY_EVENTS, ages):
        client.post(f"/companies/{company['id']}/cost-events",
                    cost_event(heavy["id"], cents, max(now - age, month_start)))
    for cents in LIGHT_EVENTS:
        client.post(f"/companies/{company['id']}/cost-events",
                    cost_event(light["id"], cents, now - timedelta(minutes=10)))
    return SpendSeeded(company["id"], company["name"], heavy["id"], light["id"])


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "paperclip-2026.916.1-spend"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def record(client: PaperclipClient) -> None:
    seeded = seed_spend(client)
    now = datetime.now(timezone.utc)
    month = _iso(now.replace(day=1, hour=0, minute=0, second=0, microsecond=0))
    cid = seeded.company_id
    answers = {
        "cost-event.json": ("POST", f"/companies/{cid}/cost-events",
                            cost_event(seeded.light_agent_id, 1, now)),
        "costs-summary.json": ("GET", f"/companies/{cid}/costs/summary", None),
        "costs-summary-month.json": ("GET", f"/companies/{cid}/costs/summary?from={month}", None),
        "costs-by-agent-month.json": ("GET", f"/companies/{cid}/costs/by-agent?from={month}", None),
        "costs-window-spend.json": ("GET", f"/companies/{cid}/costs/window-spend", None),
        "budgets-overview.json": ("GET", f"/companies/{cid}/budgets/overview", None),
        "costs-summary-bad-from-400.json": ("GET", f"/companies/{cid}/costs/summary?from=soon",
                                            None),
        "costs-summary-unknown-company-404.json": ("GET", f"/companies/{UNKNOWN}/costs/summary",
                                                   None),
        "costs-by-agent-unknown-company.json": ("GET", f"/companies/{UNKNOWN}/costs/by-agent",
                                                None),
        "budgets-overview-unknown-company.json": ("GET", f"/companies/{UNKNOWN}/budgets/overview",
                                                  None),
        "costs-summary-malformed-id-500.json": ("GET", "/companies/not-a-uuid/costs/summary",
                                                None),
    }
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (method, path, body) in answers.items():
        resp = client.http.request(method, f"{client.base}/api{path}", json=body, timeout=15)
        (FIXTURES / name).write_text(json.dumps(resp.json(), ensure_ascii=False) + "\n",
                                     encoding="utf-8")
        print(resp.status_code, name)


if __name__ == "__main__":
    import os
    import sys

    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OPSWEB_REAL_PAPERCLIP_URL",
                                                                "http://127.0.0.1:3100")
    record(PaperclipClient(url, token=os.environ.get("OPSWEB_REAL_PAPERCLIP_TOKEN")))
