"""The live fleet: every running and queued run of every configured company.

Companies are fetched concurrently under one deadline; each company that fails
becomes a `CompanyError` beside the rows of the others, never a blank panel.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable

from opsweb import overcap
from opsweb import platform_port as port
from opsweb import timefmt
from opsweb.coalesce import Coalescer

# Attention order: what an operator must look at first sorts first.
_ATTENTION = {"critical": 0, "suspicious": 1, "ok": 2, "snoozed": 3, "not_applicable": 4}


@dataclass(frozen=True)
class Row:
    run_id: str
    company_id: str
    company_name: str
    agent_id: str
    agent_name: str
    adapter_type: str
    status: str
    issue_id: str | None
    issue_label: str | None
    created_at: str | None
    started_at: str | None
    age_seconds: float | None  # running: since start; queued: waiting since creation
    silence_level: str
    silence_age_seconds: float | None
    last_output_at: str | None
    status_message: str | None
    phase_label: str | None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CompanyError:
    company_id: str
    company_name: str
    error: str

    def to_json(self) -> dict:
        return {"companyId": self.company_id, "companyName": self.company_name,
                "error": self.error}


@dataclass
class Fleet:
    rows: list[Row] = field(default_factory=list)
    errors: list[CompanyError] = field(default_factory=list)
    companies: list[dict] = field(default_factory=list)  # [{id, name}]
    capped: list[dict] = field(default_factory=list)  # overcap.note per full company

    def version(self, *context: object) -> str:
        """A validator for what the panel shows: ages count as they read ("3 m"), so
        a fleet whose only change is the passing seconds is unchanged. `context` is
        whatever else shapes the panel (its filters)."""
        shown: list = [context, *((r.run_id, r.status, r.silence_level, r.issue_label, r.agent_name,
                  r.status_message, timefmt.duration(r.age_seconds),
                  timefmt.duration(r.silence_age_seconds)) for r in self.rows)]
        shown.append([(e.company_id, e.error) for e in self.errors])
        shown.append([c["detail"] for c in self.capped])
        digest = hashlib.sha256(json.dumps(shown, default=str).encode()).hexdigest()
        return digest[:20]

    def to_json(self) -> dict:
        return {"runs": [r.to_json() for r in self.rows],
                "errors": [e.to_json() for e in self.errors],
                "companies": self.companies, "capped": self.capped}


def _seconds_since(value: str | None, now: datetime) -> float | None:
    then = timefmt.parse(value)
    return None if then is None else max(0.0, (now - then).total_seconds())


def build_row(run: dict, company_name: str, issue_label: str | None, now: datetime) -> Row:
    """One panel row from one live-runs element. Unknown or missing fields degrade to
    None rather than failing the whole company."""
    silence = run.get("outputSilence") or {}
    execution = run.get("execution") or {}
    status = str(run.get("status") or "unknown")
    since = run.get("startedAt") if status == "running" else run.get("createdAt")
    silence_ms = silence.get("silenceAgeMs")
    return Row(
        run_id=str(run.get("id")),
        company_id=str(run.get("companyId")),
        company_name=company_name,
        agent_id=str(run.get("agentId")),
        agent_name=str(run.get("agentName") or run.get("agentId")),
        adapter_type=str(run.get("adapterType") or "unknown"),
        status=status,
        issue_id=run.get("issueId"),
        issue_label=issue_label,
        created_at=run.get("createdAt"),
        started_at=run.get("startedAt"),
        age_seconds=_seconds_since(since, now),
        silence_level=str(silence.get("level") or "not_applicable"),
        silence_age_seconds=silence_ms / 1000 if isinstance(silence_ms, (int, float)) else None,
        last_output_at=silence.get("lastOutputAt") or run.get("lastOutputAt"),
        status_message=run.get("currentStatusMessage"),
        phase_label=execution.get("label"),
    )


def _reason(err: port.PlatformError) -> str:
    """A company's failure as a sentence: a 404 for a company list is not a missing
    run, so Paperclip's bare text ("API route not found") gets its context."""
    if isinstance(err, port.NotFound):
        return f"Paperclip answered 404 for this company: {err.message}"
    return err.message


def attention_key(row: Row):
    queued = row.status != "running"
    return (queued, _ATTENTION.get(row.silence_level, 5),
            -(row.silence_age_seconds or 0), -(row.age_seconds or 0), row.agent_name)


class FleetReader:
    """Reads the fleet through the port. Upstream reads are coalesced so that many
    open panels cost Paperclip what one does."""

    def __init__(self, platform: port.Platform, company_ids: tuple[str, ...],
                 deadline: float, freshness: float = 1.5, workers: int = 8,
                 observe: Callable[[str, float, str | None], None] | None = None):
        self.platform = platform
        # observe(company_id, seconds, error kind or None) after each upstream call
        self.observe = observe or (lambda *_: None)
        self.company_ids = company_ids
        self.deadline = deadline
        self._pool = cf.ThreadPoolExecutor(max_workers=workers,
                                           thread_name_prefix="opsweb-fleet")
        self._live = Coalescer(freshness)
        self._names = Coalescer(60.0, serve_stale=True)
        self._issues = Coalescer(300.0, serve_stale=True)

    def read(self) -> Fleet:
        started = time.monotonic()
        fleet = Fleet()
        try:
            companies = self._companies()
        except port.PlatformError as err:
            fleet.errors.append(CompanyError("*", "all companies", _reason(err)))
            return fleet
        fleet.companies = companies
        futures = {c["id"]: self._pool.submit(self._live.get, c["id"], self._live_runs, c["id"])
                   for c in companies}
        now = datetime.now(timezone.utc)
        runs = []
        for company in companies:
            remaining = max(0.05, self.deadline - (time.monotonic() - started))
            try:
                company_runs = futures[company["id"]].result(timeout=remaining)
            except cf.TimeoutError:
                fleet.errors.append(CompanyError(
                    company["id"], company["name"],
                    f"Paperclip did not answer for this company in {self.deadline:g} s"))
                continue
            except port.PlatformError as err:
                fleet.errors.append(CompanyError(company["id"], company["name"], _reason(err)))
                continue
            cap = overcap.note(company, company_runs)
            if cap:
                fleet.capped.append(cap)
            runs.extend((company, r) for r in company_runs
                        if isinstance(r, dict) and r.get("status") in ("running", "queued"))
        labels = self._issue_labels({r.get("issueId") for _, r in runs if r.get("issueId")},
                                    started)
        fleet.rows = sorted((build_row(r, c["name"], labels.get(r.get("issueId")), now)
                             for c, r in runs), key=attention_key)
        return fleet

    def _live_runs(self, company_id: str) -> list[dict]:
        started = time.monotonic()
        try:
            runs = port.pc_list_live_runs(self.platform, company_id)
        except port.PlatformError as err:
            self.observe(company_id, time.monotonic() - started, type(err).__name__)
            raise
        self.observe(company_id, time.monotonic() - started, None)
        return overcap.complete(self.platform, company_id, runs)

    def invalidate(self) -> None:
        self._live.forget()

    def _companies(self) -> list[dict]:
        """Configured ids (named when Paperclip lets us read the names), or every
        company the key can see."""
        try:
            known = self._names.get("companies", port.pc_list_companies, self.platform)
        except port.PlatformError:
            if not self.company_ids:
                raise
            known = []
        names = {c.get("id"): c.get("name") for c in known if isinstance(c, dict)}
        ids = self.company_ids or tuple(names)
        return [{"id": cid, "name": names.get(cid) or f"company {cid[:8]}"} for cid in ids]

    def _issue_labels(self, issue_ids: set[str], started: float) -> dict[str, str]:
        """`OPS-12 Drain the queue` for each issue, fetched once per few minutes; an
        issue that cannot be read keeps its short id rather than delaying the panel."""
        futures = {iid: self._pool.submit(self._issues.get, iid, port.pc_get_issue,
                                          self.platform, iid) for iid in issue_ids}
        labels = {}
        for iid, future in futures.items():
            remaining = max(0.05, self.deadline - (time.monotonic() - started))
            try:
                issue = future.result(timeout=remaining)
            except (cf.TimeoutError, port.PlatformError):
                continue
            identifier, title = issue.get("identifier"), issue.get("title")
            labels[iid] = " ".join(str(p) for p in (identifier, title) if p) or None
        return labels
