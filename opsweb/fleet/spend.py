"""Spend against budget, per company and per agent, from Paperclip's own cost routes:
`costs/summary` and `costs/by-agent` since the start of the UTC month (without a
range both sum every cost event ever), `costs/by-agent` over the last 24 h (its
rate), `costs/window-spend` (5 h, 24 h and 7 d windows ending now) and
`budgets/overview` (agents' budget policies and the open budget incidents). Read like
history.py: per company, single flight, a freshness window, refreshed in the
background, within a deadline; one company's failure is a line in `errors`.

Money stays in Paperclip's cents, except the rates, in dollars per hour. A budget of 0
is Paperclip's "no budget": `budgetCents` and `utilizationPercent` are then null, not
0 (0 % would read as room to spare). `projectedMonthCents` carries the month's pace so
far (spent / time elapsed since the month began) to the month's end.

For charts (the overview): `spend_per_hour(company)` is a company's spend rate as a
step series, oldest first, `[{"fromHoursAgo": 168, "toHoursAgo": 24, "usdPerHour"},
{24 → 5}, {5 → 0}]`, from the three windows of `costs/window-spend` (the finest
series Paperclip 2026.916.1 offers without one request per hour); `series(spend)` is
that for every company read, by company id. Both are pure and cost no request.
"""
from __future__ import annotations

import concurrent.futures as cf
import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from opsweb import platform_port as port
from opsweb.fleet.coalesce import Coalescer
from opsweb.fleet.per_company import read_each
from opsweb.runtime.clock import Clock

RATE_HOURS = 24  # usdPerHour: the last day's spend, per hour
WINDOWS = (5, 24, 168)  # the hours of window-spend's windows
NEAR_BUDGET_PERCENT = 80  # an agent this far into its budget needs attention
INCIDENT_FIELDS = ("id", "scopeType", "scopeId", "scopeName", "thresholdType", "amountLimit",
                   "amountObserved", "status", "approvalStatus", "windowStart", "createdAt")


def _cents(value) -> int:
    """Paperclip's sums (double precision in Postgres); anything else counts as none."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return 0
    return int(round(value))


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _percent(spent: int, budget: int | None) -> float | None:
    return round(spent / budget * 100, 2) if budget else None


def _per_hour(cents: int, hours: float) -> float:
    return round(cents / 100 / hours, 4)


@dataclass(frozen=True)
class AgentSpend:
    agent_id: str
    name: str
    spend_cents: int
    budget_cents: int | None
    usd_per_hour: float
    paused: bool = False

    @property
    def utilization_percent(self) -> float | None:
        return _percent(self.spend_cents, self.budget_cents)

    def to_json(self) -> dict:
        return {"agentId": self.agent_id, "name": self.name, "spendCents": self.spend_cents,
                "budgetCents": self.budget_cents, "usdPerHour": self.usd_per_hour,
                "utilizationPercent": self.utilization_percent}


@dataclass(frozen=True)
class CompanySpend:
    company_id: str
    company_name: str
    spend_cents: int
    budget_cents: int | None
    usd_per_hour: float
    projected_month_cents: int
    agents: list[AgentSpend]
    incidents: list[dict]
    windows: dict[int, int] = field(default_factory=dict)  # window hours → cents

    @property
    def utilization_percent(self) -> float | None:
        return _percent(self.spend_cents, self.budget_cents)

    def to_json(self) -> dict:
        return {"companyId": self.company_id, "companyName": self.company_name,
                "spendCents": self.spend_cents, "budgetCents": self.budget_cents,
                "utilizationPercent": self.utilization_percent,
                "usdPerHour": self.usd_per_hour,
                "projectedMonthCents": self.projected_month_cents,
                "agents": [a.to_json() for a in self.agents], "incidents": self.incidents}


@dataclass
class Spend:
    companies: list[CompanySpend]
    errors: list[dict]  # [{companyId, companyName, error}]

    def to_json(self) -> dict:
        return {"companies": [c.to_json() for c in self.companies], "errors": self.errors}


def month_start(now: datetime) -> datetime:
    return now.astimezone(timezone.utc).replace(day=1, hour=0, minute=0, second=0,
                                                microsecond=0)


def projected_month(spent: int, now: datetime) -> int:
    """The month's pace so far, carried to its end; at least an hour of the month
    counts as elapsed, so that its first minutes do not project a fortune."""
    start = month_start(now)
    days = calendar.monthrange(start.year, start.month)[1]
    elapsed = max((now - start).total_seconds(), 3600.0)
    return int(round(spent * days * 86400 / elapsed))


def windows(rows: list) -> dict[int, int]:
    """window-spend's rows (one per provider and window) summed per window."""
    out = dict.fromkeys(WINDOWS, 0)
    for row in rows:
        if isinstance(row, dict) and row.get("windowHours") in out:
            out[row["windowHours"]] += _cents(row.get("costCents"))
    return out


def spend_per_hour(company: CompanySpend) -> list[dict]:
    """The company's dollars per hour over 168→24, 24→5 and 5→0 hours ago: each window
    minus the one inside it, over the hours between them."""
    w, out = company.windows, []
    for outer, inner in zip(WINDOWS[::-1], (*WINDOWS[-2::-1], 0)):
        cents = max(0, w.get(outer, 0) - (w.get(inner, 0) if inner else 0))
        out.append({"fromHoursAgo": outer, "toHoursAgo": inner,
                    "usdPerHour": _per_hour(cents, outer - inner)})
    return out


def series(spend: Spend) -> dict[str, list[dict]]:
    return {c.company_id: spend_per_hour(c) for c in spend.companies}


def _agent_budgets(overview: dict) -> dict[str, dict]:
    """Agent id → its active calendar-month policy (a lifetime policy does not compare
    with the month's spend)."""
    return {str(p.get("scopeId")): p for p in _list(overview.get("policies"))
            if isinstance(p, dict) and p.get("scopeType") == "agent" and p.get("isActive")
            and p.get("windowKind") == "calendar_month_utc" and _cents(p.get("amount")) > 0}


def company_spend(company: dict, summary: dict, month_rows: list, day_rows: list,
                  window_rows: list, overview: dict, now: datetime) -> CompanySpend:
    """The answers of the five reads put together (pure)."""
    budgets = _agent_budgets(overview)
    day = {str(r.get("agentId")): _cents(r.get("costCents")) for r in day_rows
           if isinstance(r, dict)}
    agents = {}
    for row in (r for r in month_rows if isinstance(r, dict) and r.get("agentId")):
        aid, policy = str(row["agentId"]), budgets.get(str(row["agentId"]), {})
        agents[aid] = AgentSpend(aid, str(row.get("agentName") or aid), _cents(row.get("costCents")),
                                 _cents(policy.get("amount")) or None,
                                 _per_hour(day.get(aid, 0), RATE_HOURS),
                                 paused=row.get("agentStatus") == "paused" or bool(policy.get("paused")))
    for aid, policy in budgets.items():  # a budget with nothing spent yet
        agents.setdefault(aid, AgentSpend(aid, str(policy.get("scopeName") or aid), 0,
                                          _cents(policy["amount"]), 0.0, bool(policy.get("paused"))))
    spent = _cents(summary.get("spendCents"))
    w = windows(window_rows)
    incidents = [{k: i.get(k) for k in INCIDENT_FIELDS}
                 for i in _list(overview.get("activeIncidents")) if isinstance(i, dict)]
    return CompanySpend(company["id"], company["name"], spent,
                        _cents(summary.get("budgetCents")) or None,
                        _per_hour(w[RATE_HOURS], RATE_HOURS), projected_month(spent, now),
                        sorted(agents.values(), key=lambda a: (-a.spend_cents, a.name)),
                        incidents, w)


def near_budget(spend: list[CompanySpend]) -> list[tuple[CompanySpend, AgentSpend]]:
    """Agents at or past NEAR_BUDGET_PERCENT of their monthly budget."""
    return [(c, a) for c in spend for a in c.agents
            if (a.utilization_percent or 0) >= NEAR_BUDGET_PERCENT]


class SpendReader:
    """Five reads per company, shared by every viewer for `freshness` seconds and
    refreshed behind the last good answer, as HistoryReader does."""

    def __init__(self, platform: port.Platform, deadline: float, freshness: float = 15.0,
                 workers: int = 4, clock: Clock | None = None):
        self.platform, self.deadline = platform, deadline
        self.clock = clock or Clock()
        self._cache = Coalescer(freshness, serve_stale=True, clock=self.clock.monotonic)
        self._pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="opsweb-spend")

    def read(self, companies: list[dict]) -> Spend:
        return Spend(*read_each(self._pool, self._cache, companies, self._load, self.deadline))

    def forget(self, company_id: str | None) -> None:
        """After Pause or Resume: an agent's status decides whether its item offers Pause."""
        self._cache.drop(company_id) if company_id else self._cache.drop_all()

    def _load(self, company: dict) -> CompanySpend:
        now = datetime.fromtimestamp(self.clock.now(), timezone.utc)
        month, day = (_iso(month_start(now)), _iso(now - timedelta(hours=RATE_HOURS)))
        cid, p = company["id"], self.platform
        return company_spend(company, port.pc_cost_summary(p, cid, month),
                             port.pc_costs_by_agent(p, cid, month),
                             port.pc_costs_by_agent(p, cid, day), port.pc_window_spend(p, cid),
                             port.pc_budget_overview(p, cid), now)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
