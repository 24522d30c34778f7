"""Recently finished runs and each company's agents, read the way live runs are:
per company, single flight, a freshness window, refreshed in the background.

Paperclip's `heartbeat-runs` lists every run of a company newest first (no status
filter, no offset), so a bounded page of the newest runs is read and the finished
ones kept. The pure part (`finished_run`, `recent`) works on plain dicts.
"""
from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from typing import Iterable

from opsweb import platform_port as port
from opsweb.i18n import timefmt
from opsweb.runtime.clock import Clock
from opsweb.fleet.coalesce import Coalescer
from opsweb.fleet.per_company import read_each
from opsweb.runtime.jsonstyle import camel_fields

OUTCOMES = ("succeeded", "failed", "cancelled", "timed_out", "interrupted")
# the newest runs read per company: enough for the recent list and for loop detection
HISTORY_PAGE = 100


@dataclass(frozen=True)
class FinishedRun:
    run_id: str
    company_id: str
    company_name: str
    agent_id: str
    agent_name: str
    outcome: str
    error: str | None
    error_code: str | None
    exit_code: int | None
    invocation_source: str | None
    started_at: str | None
    finished_at: str | None
    duration_seconds: float | None
    output_bytes: int | None
    cost_usd: float | None
    input_tokens: int | None
    output_tokens: int | None
    cancelled_by: str | None = None  # the opsweb operator, when opsweb stopped it

    def to_json(self) -> dict:
        return camel_fields(self)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _cost(row: dict) -> float | None:
    """Paperclip reports cost in usageJson.costUsd (adapters that bill per call) or in
    the summarised resultJson (Claude's total_cost_usd); absent means unknown, not 0."""
    usage, result = row.get("usageJson") or {}, row.get("resultJson") or {}
    for value in (usage.get("costUsd"), result.get("total_cost_usd"), result.get("cost_usd"),
                  result.get("costUsd")):
        if _number(value) is not None:
            return _number(value)
    return None


def finished_run(row: dict, company_name: str, agent_names: dict[str, str]) -> FinishedRun | None:
    """One element of heartbeat-runs as a finished run, or None while it still lives."""
    if row.get("status") not in OUTCOMES:
        return None
    usage = row.get("usageJson") or {}
    started, finished = timefmt.parse(row.get("startedAt")), timefmt.parse(row.get("finishedAt"))
    duration = (finished - started).total_seconds() if started and finished else None
    agent_id = str(row.get("agentId"))
    tokens_in, tokens_out = usage.get("inputTokens"), usage.get("outputTokens")
    return FinishedRun(
        run_id=str(row.get("id")), company_id=str(row.get("companyId")),
        company_name=company_name, agent_id=agent_id,
        agent_name=agent_names.get(agent_id) or agent_id,
        outcome=str(row["status"]), error=row.get("error"), error_code=row.get("errorCode"),
        exit_code=row.get("exitCode") if isinstance(row.get("exitCode"), int) else None,
        invocation_source=row.get("invocationSource"), started_at=row.get("startedAt"),
        finished_at=row.get("finishedAt"),
        duration_seconds=max(0.0, duration) if duration is not None else None,
        output_bytes=row.get("lastOutputBytes") if isinstance(row.get("lastOutputBytes"), int)
        else None,
        cost_usd=_cost(row),
        input_tokens=tokens_in if isinstance(tokens_in, int) else None,
        output_tokens=tokens_out if isinstance(tokens_out, int) else None)


def newest_first(runs: Iterable[FinishedRun]) -> list[FinishedRun]:
    return sorted(runs, key=lambda r: r.finished_at or "", reverse=True)


def repeats(runs: list[FinishedRun]) -> list[tuple[FinishedRun, int]]:
    """Newest-first runs with each streak of one agent ending the same way (outcome and
    error) as its newest run and the streak's length: a timer waking an agent every
    30 s otherwise fills the recent list with one agent (issue 25)."""
    out: list[tuple[FinishedRun, int]] = []
    for run in runs:
        if out and (out[-1][0].agent_id, out[-1][0].outcome, out[-1][0].error) == (
                run.agent_id, run.outcome, run.error):
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((run, 1))
    return out


@dataclass
class CompanyHistory:
    company_id: str
    company_name: str
    agents: list[dict]
    runs: list[FinishedRun]  # newest first
    # Paperclip had more runs than the page read: nothing older than the oldest held is known
    page_full: bool = False

    def known_from(self) -> str | None:
        """Since when every finished run is here (None: all of them are)."""
        return self.runs[-1].finished_at if self.page_full and self.runs else None


@dataclass
class History:
    companies: list[CompanyHistory]
    errors: list[dict]  # [{companyId, companyName, error}]

    def runs(self) -> list[FinishedRun]:
        return newest_first(r for c in self.companies for r in c.runs)


class HistoryReader:
    """Agents and finished runs per company. Each company's answer is shared by every
    viewer for `freshness` seconds; once one is known, a refresh never makes a viewer
    wait (it runs in the background), so the recent and attention fragments cost
    Paperclip two calls per company per window however many panels are open."""

    def __init__(self, platform: port.Platform, deadline: float, freshness: float = 15.0,
                 workers: int = 4, clock: Clock | None = None, page: int = HISTORY_PAGE):
        self.platform = platform
        self.deadline = deadline
        self.page = page  # runs asked of each company (Paperclip answers at most 1,000)
        self._cache = Coalescer(freshness, serve_stale=True, clock=(clock or Clock()).monotonic)
        self._pool = cf.ThreadPoolExecutor(max_workers=workers,
                                           thread_name_prefix="opsweb-history")

    def read(self, companies: list[dict]) -> History:
        return History(*read_each(self._pool, self._cache, companies, self._load, self.deadline))

    def held(self, companies: list[dict]) -> list[CompanyHistory]:
        """What is known now of these companies, never waiting for Paperclip: a missing
        or stale company is read in the background, for the next caller (the live
        panel, every 4 s, marks rows with their agent's attention kind from this)."""
        for company in companies:
            self._pool.submit(self._cache.get, company["id"], self._load, company)
        ids = {c["id"] for c in companies}
        return [h for h in self._cache.peek() if h.company_id in ids]

    def agent_names(self) -> dict[str, str]:
        """Names of the agents read so far, at no upstream cost (for the audit trail)."""
        return {str(a.get("id")): str(a.get("name")) for h in self._cache.peek()
                for a in h.agents if a.get("name")}

    def forget(self, company_id: str | None) -> None:
        """After Pause, Resume or Stop the next read of that company must be fresh."""
        self._cache.drop(company_id) if company_id else self._cache.drop_all()

    def _load(self, company: dict) -> CompanyHistory:
        agents = port.pc_list_agents(self.platform, company["id"])
        rows = port.pc_list_heartbeat_runs(self.platform, company["id"], limit=self.page)
        names = {str(a.get("id")): str(a.get("name") or a.get("id")) for a in agents
                 if isinstance(a, dict)}
        runs = (finished_run(r, company["name"], names) for r in rows if isinstance(r, dict))
        return CompanyHistory(company["id"], company["name"],
                              [a for a in agents if isinstance(a, dict)],
                              newest_first(r for r in runs if r is not None),
                              page_full=len(rows) >= self.page)
