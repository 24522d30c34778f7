"""The live fleet: every running and queued run of every configured company.

Companies are fetched concurrently under one deadline; each company that fails
becomes a `CompanyError` beside the rows of the others, never a blank panel.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import time
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone
from typing import Callable

from opsweb.fleet import overcap
from opsweb import platform_port as port
from opsweb.i18n import timefmt
from opsweb.runtime import untrusted
from opsweb.runtime.clock import Clock
from opsweb.fleet.coalesce import Coalescer
from opsweb.fleet.issue_titles import IssueTitles
from opsweb.fleet.observed import LiveSamples
from opsweb.runtime.jsonstyle import camel_fields

# The company id of an error that hit every company at once (the company list failed).
EVERY_COMPANY = "*"
from opsweb.i18n.said import Said

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
    # Paperclip's execution phase as its enum key ("working", "recovery_needed", …),
    # beside the label; and its advice for the run (execution.nextAction), when given
    phase: str | None = None
    next_action: str | None = None

    @property
    def shown_phase(self) -> str | None:
        """Paperclip's execution label when it adds something: not the usual
        "Working", nor a repeat of the status ("Queued" on a queued run)."""
        label = self.phase_label
        return None if not label or label.lower() in ("working", self.status) else label

    @cached_property  # asked by the row, its twin and its template
    def run_ok(self) -> bool:
        """The run id is a UUID: it may go into the Log and Stop URLs."""
        return untrusted.uuid_or_none(self.run_id) is not None

    @cached_property
    def agent_ok(self) -> bool:
        return untrusted.uuid_or_none(self.agent_id) is not None

    @property
    def id_problem(self) -> str | None:
        if not self.run_ok:
            return ("Paperclip sent a malformed id for this run: it cannot be opened or"
                    " stopped here.")
        if not self.agent_ok:
            return "Paperclip sent a malformed agent id: its session cannot be reset here."
        return None

    def to_json(self) -> dict:
        return {**camel_fields(self), "idProblem": self.id_problem}


@dataclass(frozen=True)
class CompanyError:
    company_id: str
    company_name: str
    error: str
    # what went wrong, as the port's error class names it ("Timeout", "NotFound", …):
    # for code that sorts faults without reading the sentence
    kind: str
    upstream_status: int | None = None

    @classmethod
    def of(cls, company_id: str, company_name: str, err: port.PlatformError) -> "CompanyError":
        return cls(company_id, company_name, _reason(err), type(err).__name__,
                   err.upstream_status)

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
                  r.status_message, r.shown_phase, r.phase, r.next_action,
                  timefmt.duration(r.age_seconds),
                  timefmt.duration(r.silence_age_seconds)) for r in self.rows)]
        shown.append([(e.company_id, e.error) for e in self.errors])
        shown.append([c["detail"] for c in self.capped])
        digest = hashlib.sha256(json.dumps(shown, default=str).encode()).hexdigest()
        return digest[:20]

    @property
    def agent_count(self) -> int:
        """An agent with a running and a queued run is one agent and two runs."""
        return len({r.agent_id for r in self.rows})

    def to_json(self) -> dict:
        return {"runs": [r.to_json() for r in self.rows],
                "errors": [e.to_json() for e in self.errors],
                "companies": self.companies, "capped": self.capped}


def _seconds_since(value: str | None, now: datetime) -> float | None:
    then = timefmt.parse(value)
    return None if then is None else max(0.0, (now - then).total_seconds())


def build_row(run: dict, company_name: str, issue_label: str | None, now: datetime) -> Row:
    """One panel row from one live-runs element. Unknown, missing or malformed fields
    degrade to None (or "unknown") rather than failing the whole company."""
    silence = untrusted.obj(run.get("outputSilence"))
    execution = untrusted.obj(run.get("execution"))
    status = untrusted.text(run.get("status")) or "unknown"
    since = run.get("startedAt") if status == "running" else run.get("createdAt")
    silence_ms = untrusted.number(silence.get("silenceAgeMs"))
    agent_id = untrusted.text(run.get("agentId")) or "unknown"
    return Row(
        run_id=untrusted.text(run.get("id")) or "unknown",
        company_id=untrusted.text(run.get("companyId")) or "unknown",
        company_name=company_name,
        agent_id=agent_id,
        agent_name=untrusted.text(run.get("agentName")) or agent_id,
        adapter_type=untrusted.text(run.get("adapterType")) or "unknown",
        status=status,
        issue_id=untrusted.uuid_or_none(run.get("issueId")),
        issue_label=issue_label,
        created_at=untrusted.text(run.get("createdAt")),
        started_at=untrusted.text(run.get("startedAt")),
        age_seconds=_seconds_since(untrusted.text(since), now),
        silence_level=untrusted.text(silence.get("level")) or "not_applicable",
        silence_age_seconds=silence_ms / 1000 if silence_ms is not None else None,
        last_output_at=untrusted.text(silence.get("lastOutputAt") or run.get("lastOutputAt")),
        status_message=untrusted.text(run.get("currentStatusMessage")),
        phase_label=untrusted.text(execution.get("label")),
        phase=untrusted.text(execution.get("phase")),
        next_action=untrusted.text(execution.get("nextAction")),
    )


def _reason(err: port.PlatformError) -> str:
    """A company's failure as a sentence: a 404 for a company list is not a missing
    run, so Paperclip's bare text ("API route not found") gets its context."""
    if isinstance(err, port.NotFound):
        return Said("Paperclip answered 404 for this company: %(problem)s", problem=err.message)
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
                 observe: Callable[[str, float, str | None], None] | None = None,
                 clock: Clock | None = None):
        self.platform = platform
        # ages and sharing windows read this clock; deadlines stay on real time, since
        # they bound real waits for threads
        self.clock = clock or Clock()
        # observe(company_id, seconds, error kind or None) after each upstream call
        self.observe = observe or (lambda *_: None)
        self.company_ids = company_ids
        self.deadline = deadline
        self._pool = cf.ThreadPoolExecutor(max_workers=workers,
                                           thread_name_prefix="opsweb-fleet")
        self._live = Coalescer(freshness, clock=self.clock.monotonic)
        self._names = Coalescer(60.0, serve_stale=True, clock=self.clock.monotonic)
        self._titles = IssueTitles(platform, clock=self.clock.monotonic)
        self.samples = LiveSamples()  # what each read saw live, for the overview

    def read(self) -> Fleet:
        started = time.monotonic()
        fleet = Fleet()
        try:
            companies = self._companies()
        except port.PlatformError as err:
            fleet.errors.append(CompanyError.of(EVERY_COMPANY, Said("all companies"), err))
            return fleet
        fleet.companies = companies
        futures = {c["id"]: self._pool.submit(self._live.get, c["id"], self._live_runs, c["id"])
                   for c in companies}
        now = datetime.fromtimestamp(self.clock.now(), timezone.utc)
        runs = []
        for company in companies:
            remaining = max(0.05, self.deadline - (time.monotonic() - started))
            try:
                company_runs = futures[company["id"]].result(timeout=remaining)
            except cf.TimeoutError:
                fleet.errors.append(CompanyError(
                    company["id"], company["name"],
                    Said("Paperclip did not answer for this company in %(seconds)s s",
                         seconds=format(self.deadline, "g")),
                    port.Timeout.__name__))
                continue
            except port.PlatformError as err:
                fleet.errors.append(CompanyError.of(company["id"], company["name"], err))
                continue
            cap = overcap.note(company, company_runs)
            if cap:
                fleet.capped.append(cap)
            runs.extend((company, r) for r in company_runs
                        if isinstance(r, dict) and r.get("status") in ("running", "queued"))
        issues = [untrusted.uuid_or_none(r.get("issueId")) for _, r in runs]
        labels = self._titles.labels(set(issues) - {None})
        fleet.rows = sorted((build_row(r, c["name"], labels.get(iid), now)
                             for (c, r), iid in zip(runs, issues)), key=attention_key)
        running = sum(1 for r in fleet.rows if r.status == "running")
        self.samples.note(self.clock.now(), running, len(fleet.rows) - running, not fleet.errors)
        return fleet

    def _live_runs(self, company_id: str) -> list[dict]:
        started = time.monotonic()
        try:
            runs = port.pc_list_live_runs(self.platform, company_id)
        except port.PlatformError as err:
            self.observe(company_id, time.monotonic() - started, type(err).__name__)
            raise
        self.observe(company_id, time.monotonic() - started, None)
        return overcap.complete(self.platform, company_id, runs,
                                datetime.fromtimestamp(self.clock.now(), timezone.utc))

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
        names = {untrusted.text(c.get("id")): untrusted.text(c.get("name"))
                 for c in known if isinstance(c, dict)}
        names.pop(None, None)
        ids = self.company_ids or tuple(names)
        return [{"id": cid, "name": names.get(cid) or f"company {cid[:8]}"} for cid in ids]
