"""What each rule finds in one look at the fleet, and which of its findings the
brakes hold back. Pure: plain data in (live rows, each company's agents and finished
runs, the attention items), findings out; `now` is passed in.

The detection is attention.py's (a rule's `runs` overrides the attention setting);
silence, run time, the queue and the spend rate are read off the same reads.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from opsweb.fleet import attention
from opsweb.fleet.history import CompanyHistory
from opsweb.fleet.live import Row
from opsweb.i18n import timefmt
from opsweb.watch.rules import Rule

EVIDENCE_CHARS = 300  # the audit trail's reason limit


@dataclass(frozen=True)
class Snapshot:
    rows: list[Row]
    histories: list[CompanyHistory]
    caps: list[dict]
    pauses: dict[str, dict]
    thresholds: attention.Thresholds
    now: datetime


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: str  # the attention kind (or the rule's `when`) it belongs to
    company_id: str
    company_name: str
    agent_id: str
    agent_name: str
    evidence: str
    run_ids: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """What the cool-down is kept for: the agent (a run-level rule: the run)."""
        return self.run_ids[0] if self.kind in ("silent", "long_run") else self.agent_id


def _clock(when: str | None) -> str:
    moment = timefmt.parse(when)
    return moment.strftime("%H:%M UTC") if moment else "?"


def _minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _cut(text: str) -> str:
    text = " ".join(str(text).split())  # one line, as the audit reason is
    return text if len(text) <= EVIDENCE_CHARS else text[:EVIDENCE_CHARS - 1] + "…"


def _from_items(rule: Rule, snap: Snapshot) -> list[Finding]:
    t = snap.thresholds
    if rule.runs:
        t = replace(t, loop_runs=rule.runs) if rule.when == "failure_loop" \
            else replace(t, empty_runs=rule.runs)
    found = []
    for history in snap.histories:
        for item in attention.company_items(history, t, snap.pauses, snap.now):
            if item.kind != rule.when:
                continue
            if item.kind == "failure_loop":
                text = f"{item.count} failures in a row since {_clock(item.since)}: {item.detail}"
            else:
                text = f"{item.detail} since {_clock(item.since)}"
            found.append(Finding(rule.name, item.kind, item.company_id, item.company_name,
                                 item.agent_id, item.agent_name, _cut(text)))
    return found


def _from_rows(rule: Rule, snap: Snapshot) -> list[Finding]:
    found = []
    if rule.when in ("silent", "long_run"):
        limit = rule.minutes * 60
        for r in snap.rows:
            age = r.silence_age_seconds if rule.when == "silent" else r.age_seconds
            if r.status == "running" and r.run_ok and r.agent_ok and age is not None \
                    and age >= limit:
                what = "no output" if rule.when == "silent" else "running"
                found.append(Finding(rule.name, rule.when, r.company_id, r.company_name,
                                     r.agent_id, r.agent_name,
                                     _cut(f"run {r.run_id[:8]}: {what} for {_minutes(age)}"
                                          f" (limit {_minutes(limit)})"), (r.run_id,)))
        return found
    queued: dict[str, list[Row]] = {}
    for r in snap.rows:
        if r.status == "queued" and r.run_ok and r.agent_ok:
            queued.setdefault(r.agent_id, []).append(r)
    for agent_id, rows in queued.items():
        if len(rows) >= rule.count:
            first = rows[0]
            found.append(Finding(rule.name, rule.when, first.company_id, first.company_name,
                                 agent_id, first.agent_name,
                                 _cut(f"{len(rows)} queued runs (limit {rule.count})"),
                                 tuple(r.run_id for r in rows)))
    return found


def _spend(rule: Rule, snap: Snapshot) -> list[Finding]:
    """Finished runs' cost over the last hour, per agent."""
    hour_ago = snap.now - timedelta(hours=1)
    found = []
    for history in snap.histories:
        names = {str(a.get("id")): str(a.get("name") or a.get("id")) for a in history.agents}
        spent: dict[str, list[float]] = {}
        for run in history.runs:
            finished = timefmt.parse(run.finished_at)
            if finished and finished >= hour_ago and run.cost_usd is not None:
                spent.setdefault(run.agent_id, []).append(run.cost_usd)
        for agent_id, costs in spent.items():
            if sum(costs) >= rule.usd_per_hour:
                found.append(Finding(
                    rule.name, rule.when, history.company_id, history.company_name, agent_id,
                    names.get(agent_id, agent_id),
                    _cut(f"${sum(costs):,.2f} in the last hour from {len(costs)} finished runs"
                         f" (limit ${rule.usd_per_hour:,.2f}/h)")))
    return found


def findings(rule: Rule, snap: Snapshot) -> list[Finding]:
    if rule.when in ("failure_loop", "empty_runs"):
        found = _from_items(rule, snap)
    elif rule.when == "spend_rate":
        found = _spend(rule, snap)
    else:
        found = _from_rows(rule, snap)
    return [f for f in found if rule.covers(f.company_id, f.agent_id, f.agent_name)]


def too_wide(found: list[Finding], histories: list[CompanyHistory]) -> set[str]:
    """Companies where one rule would act on more than one agent and more than a third
    of the agents at once (a bad rule must not pause the fleet). One agent at a time is
    let through, so that a company of one or two agents can be protected too."""
    agents = {h.company_id: len(h.agents) for h in histories}
    hit: dict[str, set[str]] = {}
    for f in found:
        hit.setdefault(f.company_id, set()).add(f.agent_id)
    return {cid for cid, who in hit.items() if len(who) > 1 and len(who) * 3 > agents.get(cid, 0)}
