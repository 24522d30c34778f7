"""What needs an operator that a list of live runs never shows: agents failing the
same way on every wake, agents burning money on empty wakes, agents in error, paused
agents, companies with more live runs than Paperclip returns at once, and agents near
the end of their monthly budget (spend.py).

Pure functions on plain data (finished runs newest first, Paperclip's agent dicts,
the audit trail's last pause per agent); `now` is passed in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from opsweb.i18n import timefmt
from opsweb.i18n.words import pause_reason, said_label
from opsweb.fleet.history import CompanyHistory, FinishedRun
from opsweb.fleet.spend import NEAR_BUDGET_PERCENT, CompanySpend, near_budget
from opsweb.i18n.said import Said

KINDS = ("failure_loop", "empty_runs", "agent_error", "paused", "over_cap", "near_budget")
LOOP_OUTCOMES = ("failed", "timed_out")


@dataclass(frozen=True)
class Thresholds:
    loop_runs: int = 3  # the last N finished runs all failed the same way
    empty_runs: int = 5  # the last N finished runs were all short and quiet
    empty_max_seconds: float = 60.0
    empty_max_bytes: int = 2048


@dataclass(frozen=True)
class Item:
    kind: str
    company_id: str
    company_name: str
    detail: str
    agent_id: str | None = None
    agent_name: str | None = None
    count: int | None = None
    since: str | None = None
    action: str | None = None  # "pause" | "resume": what fits
    last_run_id: str | None = None  # a loop's or an error's last failed run: its log is the evidence
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"kind": self.kind, "companyId": self.company_id,
                "companyName": self.company_name, "agentId": self.agent_id,
                "agentName": self.agent_name, "count": self.count, "detail": self.detail,
                "since": self.since, "action": self.action, "lastRunId": self.last_run_id,
                **self.extra}


def failure_loop(runs: list[FinishedRun], n: int) -> tuple[int, FinishedRun] | None:
    """(streak length, oldest run of the streak) when the newest `n` or more finished
    runs all failed or timed out with the same error."""
    streak: list[FinishedRun] = []
    for run in runs:
        if run.outcome not in LOOP_OUTCOMES or (streak and run.error != streak[0].error):
            break
        streak.append(run)
    return (len(streak), streak[-1]) if len(streak) >= max(1, n) else None


def empty_burn(runs: list[FinishedRun], t: Thresholds) -> dict | None:
    """Runs per hour and cost per hour when the newest `t.empty_runs` finished runs
    each succeeded quickly with little output (a wake that found nothing to do)."""
    window = runs[:max(1, t.empty_runs)]
    if len(window) < t.empty_runs or not all(
            r.outcome == "succeeded" and r.duration_seconds is not None
            and r.duration_seconds <= t.empty_max_seconds
            and (r.output_bytes or 0) <= t.empty_max_bytes for r in window):
        return None
    first, last = timefmt.parse(window[-1].started_at), timefmt.parse(window[0].started_at)
    hours = (last - first).total_seconds() / 3600 if first and last else 0
    per_hour = (len(window) - 1) / hours if hours > 0 else None
    costs = [r.cost_usd for r in window if r.cost_usd is not None]
    cost_per_run = sum(costs) / len(costs) if costs else None
    return {"runsPerHour": round(per_hour, 1) if per_hour is not None else None,
            "costPerHourUsd": round(per_hour * cost_per_run, 2)
            if per_hour is not None and cost_per_run is not None else None,
            "costPerRunUsd": round(cost_per_run, 4) if cost_per_run is not None else None}


def _burn_detail(burn: dict, count: int) -> Said:
    text = Said("%(count)s short runs with little output", count=count)
    if burn["runsPerHour"] is not None:
        text = _also(text, Said("%(rate)s runs/h", rate=format(burn["runsPerHour"], "g")))
    if burn["costPerHourUsd"] is not None:
        text = _also(text, Said("%(cost)s/h", cost="$" + format(burn["costPerHourUsd"], ",.2f")))
    return text


def _also(text: Said, more: Said) -> Said:
    return Said("%(text)s · %(more)s", text=text, more=more)


def _paused_detail(agent: dict, pauses: dict[str, dict], now: datetime) -> Said:
    """By whom and why when opsweb paused it (the audit trail), else Paperclip's reason."""
    by = pauses.get(str(agent.get("id"))) or {}
    text = Said("paused %(ago)s", ago=timefmt.Ago(agent.get("pausedAt"), now))
    if by.get("operator"):
        text = Said("%(text)s by %(operator)s", text=text, operator=by["operator"])
    elif agent.get("pauseReason"):
        text = Said("%(text)s (%(reason)s)", text=text, reason=pause_reason(agent["pauseReason"]))
    if by.get("reason"):
        text = Said("%(text)s: %(reason)s", text=text, reason=by["reason"])
    return text


def company_items(history: CompanyHistory, t: Thresholds, pauses: dict[str, dict],
                  now: datetime) -> list[Item]:
    by_agent: dict[str, list[FinishedRun]] = {}
    for run in history.runs:
        by_agent.setdefault(run.agent_id, []).append(run)
    items = []
    for agent in history.agents:
        aid, name = str(agent.get("id")), str(agent.get("name") or agent.get("id"))
        base = dict(company_id=history.company_id, company_name=history.company_name,
                    agent_id=aid, agent_name=name)
        status, runs = agent.get("status"), by_agent.get(aid, [])
        if status == "paused":
            items.append(Item("paused", detail=_paused_detail(agent, pauses, now),
                              since=agent.get("pausedAt"), action="resume", **base))
            continue  # a held agent's history is why it was paused, not news
        if status == "error":
            failed = next((r for r in runs if r.outcome in LOOP_OUTCOMES), None)
            items.append(Item("agent_error", detail=agent.get("errorReason") or Said("status error"),
                              last_run_id=failed.run_id if failed else None, **base))
        loop = failure_loop(runs, t.loop_runs)
        if loop:
            count, oldest = loop
            items.append(Item("failure_loop", count=count, since=oldest.finished_at,
                              detail=runs[0].error or Said("%(outcome)s without an error",
                                                                outcome=said_label(runs[0].outcome)),
                              action="pause", last_run_id=runs[0].run_id, **base,
                              extra={"errorCode": runs[0].error_code}))
            continue
        burn = empty_burn(runs, t)
        if burn:
            items.append(Item("empty_runs", count=t.empty_runs,
                              since=runs[t.empty_runs - 1].started_at,
                              detail=_burn_detail(burn, t.empty_runs), action="pause",
                              **base, extra=burn))
    return items


def over_cap_item(cap: dict) -> Item:
    """A company whose live-runs answer was full (see overcap.py)."""
    return Item("over_cap", cap["companyId"], cap["companyName"], count=cap["liveRuns"],
                detail=cap["detail"])


def _dollars(cents: int) -> str:
    return "$" + format(cents / 100, ",.2f")


def near_budget_items(spend: list[CompanySpend]) -> list[Item]:
    """An agent at NEAR_BUDGET_PERCENT of its monthly budget or past it, with Pause
    (unless paused already: Paperclip pauses it itself at 100 % under a hard stop)."""
    return [Item("near_budget", c.company_id, c.company_name, agent_id=a.agent_id,
                 agent_name=a.name, action=None if a.paused else "pause",
                 detail=Said("%(percent)s %% of its monthly budget: %(spent)s of %(budget)s",
                             percent=format(a.utilization_percent, "g"),
                             spent=_dollars(a.spend_cents), budget=_dollars(a.budget_cents)),
                 extra={"spendCents": a.spend_cents, "budgetCents": a.budget_cents,
                        "utilizationPercent": a.utilization_percent,
                        "thresholdPercent": NEAR_BUDGET_PERCENT})
            for c, a in near_budget(spend)]


_ORDER = {kind: i for i, kind in enumerate(("failure_loop", "empty_runs", "agent_error",
                                            "near_budget", "over_cap", "paused"))}


def items(histories: list[CompanyHistory], caps: list[dict], t: Thresholds,
          pauses: dict[str, dict], now: datetime,
          spend: list[CompanySpend] = ()) -> list[Item]:
    found = [i for h in histories for i in company_items(h, t, pauses, now)]
    found += [over_cap_item(c) for c in caps] + near_budget_items(list(spend))
    return sorted(found, key=lambda i: (_ORDER[i.kind], i.company_name, i.agent_name or ""))
