"""The demo world's money, as Paperclip 2026.916.1 keeps it: cost events (each finished
run that cost something reports one, as adapters do, on top of a seeded month so far)
and monthly budgets (a company's or an agent's budgetMonthlyCents is an active
calendar-month policy warning at 80 %), answered in the shapes of its cost routes
(dist/routes/costs.js, dist/services/costs.js and budgets.js; tests/fixtures/
paperclip-2026.916.1-spend/). Open budget incidents are derived on read: a soft one
from the moment a scope's month crossed 80 % of its budget, a hard one (instead) at
100 %; unlike Paperclip, the demo does not pause an agent at its hard stop.
Pure bookkeeping: the world holds its lock around every call.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from .clock import iso
from .model import Agent, Company, Run

WARN_PERCENT = 80
WINDOWS = (("5h", 5), ("24h", 24), ("7d", 168))
# the seeded month so far, in cents, spread over the last 7 days (within the month)
SEEDED_MONTH = {"a9e00011-0000-4000-8000-000000000011": 12_400,   # Claude Coder
                "a9e00012-0000-4000-8000-000000000012": 6_150,    # Codex Fixer
                "a9e00014-0000-4000-8000-000000000014": 2_300,    # Gemini Scout
                "a9e00017-0000-4000-8000-000000000017": 940,      # Deploy Bot
                "a9e00022-0000-4000-8000-000000000022": 8_800,    # Research Claude
                "a9e00023-0000-4000-8000-000000000023": 3_100,    # Paper Codex
                "a9e00025-0000-4000-8000-000000000025": 4_130}    # Inbox Poller: 86 % of $50
PROVIDERS = {"claude_local": ("anthropic", "claude-sonnet-4-5-20250929"),
             "codex_local": ("openai", "gpt-5-codex"), "gemini_local": ("google", "gemini-2.5-pro")}


@dataclass(frozen=True)
class CostEvent:
    id: str
    company_id: str
    agent_id: str
    provider: str
    model: str
    cents: int
    input_tokens: int
    output_tokens: int
    at: float
    run_id: str | None = None


def month_start(now: float) -> float:
    at = datetime.fromtimestamp(now, timezone.utc)
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


def _month_end(now: float) -> float:
    at = datetime.fromtimestamp(month_start(now), timezone.utc)
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    return at.replace(year=year, month=month).timestamp()


class Ledger:
    """Its own RNG (ids, the seeded month) leaves the world's sequence alone."""

    def __init__(self, seed_value: int):
        self.events: list[CostEvent] = []
        self._rng = random.Random(seed_value)

    def record(self, agent: Agent, cents: int, at: float, input_tokens: int = 0,
               output_tokens: int = 0, run_id: str | None = None) -> None:
        provider, model = PROVIDERS.get(agent.adapter_type, ("local", agent.adapter_type))
        event_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        self.events.append(CostEvent(event_id, agent.company_id, agent.id, provider, model,
                                     cents, input_tokens, output_tokens, at, run_id))

    def record_run(self, run: Run, agent: Agent, company: Company) -> None:
        """A finished run's cost, as its adapter reports it (the agent's month counts it
        already: lifecycle.py)."""
        usage = run.usage or {}
        cents = int(round((usage.get("costUsd") or 0) * 100))
        if cents > 0 and run.finished_at is not None:
            self.record(agent, cents, run.finished_at, usage.get("inputTokens", 0),
                        usage.get("outputTokens", 0), run.id)
            company.spent_monthly_cents += cents

    def seed(self, agents: dict[str, Agent], companies: dict[str, Company], now: float) -> None:
        """Hourly events over the last week (or the month so far, if shorter) summing to
        SEEDED_MONTH's figure within the month."""
        rng = self._rng
        start = max(month_start(now), now - 168 * 3600)
        hours = max(1, int((now - start) // 3600))
        for agent_id, total in SEEDED_MONTH.items():
            agent = agents[agent_id]
            weights = [rng.uniform(0.3, 1.7) for _ in range(hours)]
            left = total
            for n, weight in enumerate(weights):
                cents = left if n == hours - 1 else int(total * weight / sum(weights))
                left -= cents
                self.record(agent, cents, start + n * 3600 + rng.uniform(0, 3000),
                            1000 * cents, 12 * cents)
            agent.spent_monthly_cents += total
            companies[agent.company_id].spent_monthly_cents += total

    def _mine(self, cid: str, since: float | None = None, until: float | None = None,
              agent_id: str | None = None) -> list[CostEvent]:
        return [e for e in self.events if e.company_id == cid
                and (since is None or e.at >= since) and (until is None or e.at <= until)
                and (agent_id is None or e.agent_id == agent_id)]

    # ---- the routes' answers ----------------------------------------------------------
    def summary(self, company: Company, since: float | None, until: float | None) -> dict:
        spent = sum(e.cents for e in self._mine(company.id, since, until))
        budget = company.budget_monthly_cents
        return {"companyId": company.id, "spendCents": spent, "budgetCents": budget,
                "utilizationPercent": round(spent / budget * 100, 2) if budget > 0 else 0}

    def by_agent(self, cid: str, agents: dict[str, Agent], status, since: float | None,
                 until: float | None) -> list[dict]:
        rows: dict[str, dict] = {}
        for e in self._mine(cid, since, until):
            agent = agents.get(e.agent_id)
            row = rows.setdefault(e.agent_id, {
                "agentId": e.agent_id, "agentName": agent.name if agent else None,
                "agentStatus": status(e.agent_id) if agent else None, "costCents": 0,
                "inputTokens": 0, "cachedInputTokens": 0, "outputTokens": 0,
                "apiRunCount": set(), "subscriptionRunCount": 0,
                "subscriptionCachedInputTokens": 0, "subscriptionInputTokens": 0,
                "subscriptionOutputTokens": 0})
            row["costCents"] += e.cents
            row["inputTokens"] += e.input_tokens
            row["outputTokens"] += e.output_tokens
            if e.run_id:
                row["apiRunCount"].add(e.run_id)
        for row in rows.values():
            row["apiRunCount"] = len(row["apiRunCount"])
        return sorted(rows.values(), key=lambda r: -r["costCents"])

    def window_spend(self, cid: str, now: float) -> list[dict]:
        out = []
        for label, hours in WINDOWS:
            per: dict[str, dict] = {}
            for e in self._mine(cid, now - hours * 3600):
                row = per.setdefault(e.provider, {
                    "provider": e.provider, "biller": e.provider, "window": label,
                    "windowHours": hours, "costCents": 0, "inputTokens": 0,
                    "cachedInputTokens": 0, "outputTokens": 0})
                row["costCents"] += e.cents
                row["inputTokens"] += e.input_tokens
                row["outputTokens"] += e.output_tokens
            out += sorted(per.values(), key=lambda r: -r["costCents"])
        return out

    def overview(self, company: Company, agents: dict[str, Agent], status, now: float) -> dict:
        start, end = month_start(now), _month_end(now)
        scopes = [("agent", a.id, a.name, a.budget_monthly_cents, status(a.id) == "paused", a)
                  for a in agents.values() if a.company_id == company.id
                  and a.budget_monthly_cents > 0]
        if company.budget_monthly_cents > 0:
            scopes.append(("company", company.id, company.name, company.budget_monthly_cents,
                           False, None))
        policies, incidents = [], []
        for kind, scope_id, name, amount, paused, agent in scopes:
            events = sorted(self._mine(company.id, start, end,
                                       scope_id if kind == "agent" else None), key=lambda e: e.at)
            observed = sum(e.cents for e in events)
            policy_id = _derived(scope_id, "b")
            status_word = "hard_stop" if observed >= amount else (
                "warning" if observed >= math.ceil(amount * WARN_PERCENT / 100) else "ok")
            policies.append({
                "policyId": policy_id, "companyId": company.id, "scopeType": kind,
                "scopeId": scope_id, "scopeName": name, "metric": "billed_cents",
                "windowKind": "calendar_month_utc", "amount": amount, "observedAmount": observed,
                "remainingAmount": max(0, amount - observed),
                "utilizationPercent": round(observed / amount * 100, 2),
                "warnPercent": WARN_PERCENT, "hardStopEnabled": True, "notifyEnabled": True,
                "isActive": True, "status": status_word, "paused": paused,
                "pauseReason": agent.pause_reason if agent and paused else None,
                "windowStart": iso(start), "windowEnd": iso(end)})
            # the hard stop resolves the soft incident: one of them is open
            for threshold, limit in (("hard", amount),
                                     ("soft", math.ceil(amount * WARN_PERCENT / 100))):
                crossed = _crossing(events, limit)
                if crossed is not None:
                    incidents.append(_incident(company.id, policy_id, kind, scope_id, name, amount,
                                               observed, threshold, crossed, start, end))
                    break
        incidents.sort(key=lambda i: i["createdAt"], reverse=True)
        return {"companyId": company.id, "policies": policies, "activeIncidents": incidents,
                "pausedAgentCount": sum(p["paused"] for p in policies if p["scopeType"] == "agent"),
                "pausedProjectCount": 0,
                "pendingApprovalCount": sum(i["approvalStatus"] == "pending" for i in incidents)}


def _crossing(events: list[CostEvent], limit: int) -> float | None:
    """When the running total first reached `limit`, or None."""
    total = 0
    for e in events:
        total += e.cents
        if total >= limit:
            return e.at
    return None


def _incident(cid, policy_id, kind, scope_id, name, amount, observed, threshold, at, start, end):
    return {"id": _derived(scope_id, "c" if threshold == "soft" else "d"), "companyId": cid,
            "policyId": policy_id, "scopeType": kind, "scopeId": scope_id, "scopeName": name,
            "metric": "billed_cents", "windowKind": "calendar_month_utc",
            "windowStart": iso(start), "windowEnd": iso(end), "thresholdType": threshold,
            "amountLimit": amount, "amountObserved": observed, "status": "open",
            # a hard stop asks the board for an override (a pending approval)
            "approvalId": _derived(scope_id, "e") if threshold == "hard" else None,
            "approvalStatus": "pending" if threshold == "hard" else None, "resolvedAt": None,
            "createdAt": iso(at), "updatedAt": iso(at)}


def _derived(base: str, digit: str) -> str:
    """A stable uuid next to the scope's own (policy and incident rows)."""
    return base[:-1] + digit
