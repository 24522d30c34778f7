"""Agents, not just runs: the agent card, the recent finished runs and the attention
items, put together from the coalesced readers (fleet.py for live runs, history.py for
agents and finished runs) and the audit trail (who stopped or paused what, and why).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from opsweb.fleet import attention

from opsweb.i18n import timefmt
from opsweb import platform_port as port
from opsweb.actions.audit import AuditUnavailable, Store
from opsweb.runtime.clock import Clock
from opsweb.fleet.live import FleetReader, Row
from opsweb.fleet.history import OUTCOMES, FinishedRun, HistoryReader, finished_run, newest_first
from opsweb.fleet.spend import SpendReader

CARD_RUNS = 10
DAY = timedelta(hours=24)
# the card reads its agent's own runs for the day's strip: an agent woken every 3 min
# fits; the company's shared page (history.HISTORY_PAGE) often holds only the last hour
DAY_RUNS = 500
RECENT_DEFAULT, RECENT_MAX = 50, 200


@dataclass(frozen=True)
class RecentFilters:
    company: str | None = None
    agent: str | None = None
    outcome: str | None = None
    limit: int = RECENT_DEFAULT

    @classmethod
    def from_args(cls, args: dict) -> "RecentFilters":
        """Raises ValueError with a sentence for the operator on a bad value."""
        company = port.check_uuid(args["company"], "company") if args.get("company") else None
        outcome = args.get("outcome") or None
        if outcome and outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}")
        try:
            limit = int(args.get("limit") or RECENT_DEFAULT)
        except ValueError:
            raise ValueError("limit must be a whole number") from None
        if not 1 <= limit <= RECENT_MAX:
            raise ValueError(f"limit must be between 1 and {RECENT_MAX}")
        return cls(company, (args.get("agent") or "").strip() or None, outcome, limit)

    def query(self) -> dict[str, str]:
        out = {"company": self.company, "agent": self.agent, "outcome": self.outcome,
               "limit": str(self.limit) if self.limit != RECENT_DEFAULT else None}
        return {k: v for k, v in out.items() if v}

    def keep(self, run: FinishedRun) -> bool:
        return ((not self.company or run.company_id == self.company)
                and (not self.agent or self.agent.casefold() in run.agent_name.casefold()
                     or self.agent == run.agent_id)
                and (not self.outcome or run.outcome == self.outcome))


@dataclass
class AgentCard:
    agent: dict
    company_name: str
    live: list[Row]
    runs: list[FinishedRun]
    runs_error: str | None
    next_wake_at: str | None
    opsweb_pause: dict | None = None  # who paused it through opsweb and why (the trail)
    attention: list[attention.Item] = field(default_factory=list)  # this agent's items
    day: list[FinishedRun] = field(default_factory=list)  # finished in the last 24 h
    # when the company's history page is full inside the day: the oldest run it holds,
    # before which the day's strip cannot know of runs
    day_from: str | None = None

    @property
    def day_outcomes(self) -> list[str]:
        """What the day's strip shows, oldest first: the finished runs, then the live."""
        return [r.outcome for r in reversed(self.day)] + [
            "live" for r in self.live if r.status == "running"]

    def to_json(self) -> dict:
        a = self.agent
        heartbeat = (a.get("runtimeConfig") or {}).get("heartbeat") or {}
        # agentId/agentName as in every other twin; money in dollars, as the finished
        # runs inside it are (Paperclip counts the agent's in cents)
        return {
            "agentId": a.get("id"), "agentName": a.get("name"), "companyId": a.get("companyId"),
            "companyName": self.company_name, "adapterType": a.get("adapterType"),
            "status": a.get("status"), "pauseReason": a.get("pauseReason"),
            "opswebPause": self.opsweb_pause,
            "pausedAt": a.get("pausedAt"), "errorReason": a.get("errorReason"),
            "heartbeat": {"enabled": bool(heartbeat.get("enabled")),
                          "intervalSec": heartbeat.get("intervalSec"),
                          "lastHeartbeatAt": a.get("lastHeartbeatAt"),
                          "nextExpectedAt": self.next_wake_at},
            "spentMonthlyUsd": _dollars(a.get("spentMonthlyCents")),
            "budgetMonthlyUsd": _dollars(a.get("budgetMonthlyCents")),
            "liveRuns": [{"runId": r.run_id, "status": r.status, "startedAt": r.started_at,
                          "silenceLevel": r.silence_level,
                          "silenceAgeSeconds": r.silence_age_seconds,
                          "lastOutputAt": r.last_output_at} for r in self.live],
            "recentRuns": [r.to_json() for r in self.runs], "recentRunsError": self.runs_error,
            "lastDay": {"knownFrom": self.day_from, "runs": [
                {"runId": r.run_id, "outcome": r.outcome, "startedAt": r.started_at,
                 "finishedAt": r.finished_at} for r in self.day]},
            "attention": [i.to_json() for i in self.attention],
        }


def _dollars(cents) -> float | None:
    if not isinstance(cents, (int, float)) or isinstance(cents, bool):
        return None
    return round(cents / 100, 2)


def next_wake(agent: dict) -> str | None:
    """When the timer should wake it next: its last heartbeat plus the interval, for an
    enabled, unpaused timer (Paperclip's scheduler adds jitter; this is the expectation)."""
    heartbeat = (agent.get("runtimeConfig") or {}).get("heartbeat") or {}
    interval, last = heartbeat.get("intervalSec"), timefmt.parse(agent.get("lastHeartbeatAt"))
    if not heartbeat.get("enabled") or agent.get("status") == "paused" \
            or not isinstance(interval, (int, float)) or interval <= 0 or last is None:
        return None
    return (last + timedelta(seconds=interval)).isoformat().replace("+00:00", "Z")


class Agents:
    def __init__(self, platform: port.Platform, fleet: FleetReader, history: HistoryReader,
                 audit: Store, thresholds: attention.Thresholds, clock: Clock | None = None,
                 spend: SpendReader | None = None):
        self.platform, self.fleet, self.history, self.spend = platform, fleet, history, spend
        self.audit, self.thresholds = audit, thresholds
        self.clock = clock or Clock()

    def names(self, agent_id: str | None, company_id: str | None) -> tuple[str | None, str | None]:
        """For the audit trail, after the action: from the coalesced reads the panel
        makes anyway (live rows, each company's agents), so usually no call of its own."""
        fleet = self.fleet.read()
        company = next((c for c in fleet.companies if c["id"] == company_id), None)
        agents = {r.agent_id: r.agent_name for r in fleet.rows} | self.history.agent_names()
        if agent_id and agent_id not in agents and company:
            history = self.history.read([company])
            agents |= {str(a.get("id")): str(a.get("name")) for h in history.companies
                       for a in h.agents if a.get("name")}
        return agents.get(agent_id or ""), company["name"] if company else None

    def changed(self, company_id: str | None) -> None:
        """After an action: the next reads of live runs, agents and history are fresh."""
        self.fleet.invalidate()
        self.history.forget(company_id)
        if self.spend:
            self.spend.forget(company_id)

    def card(self, agent_id: str) -> AgentCard:
        agent = port.pc_get_agent(self.platform, agent_id)
        fleet = self.fleet.read()
        company = next((c for c in fleet.companies if c["id"] == agent.get("companyId")),
                       {"id": str(agent.get("companyId")), "name": f"company {str(agent.get('companyId'))[:8]}"})
        history = self.history.read([company])
        mine = [r for h in history.companies for r in h.runs if r.agent_id == agent_id]
        day, day_from = self._day(company, agent, history.companies, mine)
        error = history.errors[0]["error"] if history.errors else None
        # what the strip says about this agent, from the same reads (no call of its own)
        items = [i for i in attention.items(history.companies, [], self.thresholds,
                                            self._pauses(), self._now())
                 if i.agent_id == agent_id]
        return AgentCard(agent, company["name"],
                         [r for r in fleet.rows if r.agent_id == agent_id],
                         self._with_operators(mine[:CARD_RUNS]), error, next_wake(agent),
                         self._pauses().get(agent_id) if agent.get("status") == "paused" else None,
                         items, day, day_from)

    def _day(self, company: dict, agent: dict, companies, held: list[FinishedRun]):
        """The agent's runs finished in the last 24 h, and since when they are all known
        (None: the whole day). One read of its own runs, as the card is opened; when it
        fails, what the company's shared history holds."""
        since = self._now() - DAY
        try:
            rows = port.pc_list_heartbeat_runs(self.platform, company["id"], str(agent.get("id")),
                                               limit=DAY_RUNS)
            names = {str(agent.get("id")): str(agent.get("name"))}
            runs = newest_first(r for row in rows if isinstance(row, dict)
                                and (r := finished_run(row, company["name"], names)))
            known = runs[-1].finished_at if len(rows) >= DAY_RUNS and runs else None
        except port.PlatformError:
            runs = held
            known = max((k for h in companies if (k := h.known_from())), default=None)
        day = [r for r in runs if (timefmt.parse(r.finished_at) or since) > since]
        return day, known if (timefmt.parse(known) or since) > since else None

    def last_outcomes(self, companies: list[dict], runs: int) -> dict[str, list[str]]:
        """Each agent's last `runs` outcomes, oldest first, from the history held now
        (never waiting: the live panel asks every 4 s), for the compact strips."""
        out: dict[str, list[str]] = {}
        for history in self.history.held(companies):
            for run in history.runs:  # newest first
                seen = out.setdefault(run.agent_id, [])
                if len(seen) < runs:
                    seen.append(run.outcome)
        return {agent: seen[::-1] for agent, seen in out.items()}

    def recent(self, filters: RecentFilters):
        fleet = self.fleet.read()
        history = self.history.read(fleet.companies)
        runs = [r for r in history.runs() if filters.keep(r)][:filters.limit]
        return self._with_operators(runs), history.errors, fleet.companies

    def attention(self, now: datetime | None = None):
        fleet = self.fleet.read()
        history = self.history.read(fleet.companies)
        spend = self.spend.read(fleet.companies) if self.spend else None
        items = attention.items(history.companies, fleet.capped, self.thresholds,
                                self._pauses(), now or self._now(),
                                spend.companies if spend else ())
        # a company whose history failed is said once, whichever read failed too
        failing = {e["companyId"] for e in history.errors}
        return items, history.errors + [e for e in (spend.errors if spend else [])
                                        if e["companyId"] not in failing]

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), timezone.utc)

    def kinds(self, companies: list[dict], now: datetime | None = None) -> dict[str, str]:
        """Each agent's most urgent attention kind, by agent id: the strip's own
        computation over the history held now (it never waits), for the live rows."""
        found = attention.items(self.history.held(companies), [], self.thresholds, {},
                                now or self._now())
        kinds: dict[str, str] = {}
        for item in found:  # most urgent first
            if item.agent_id:
                kinds.setdefault(item.agent_id, item.kind)
        return kinds

    def _pauses(self) -> dict[str, dict]:
        try:
            return self.audit.last_pauses()
        except AuditUnavailable:
            return {}  # the items still show Paperclip's own pause reason

    def _with_operators(self, runs: list[FinishedRun]) -> list[FinishedRun]:
        """Who cancelled a run when opsweb did: its Stop, or its agent's Pause."""
        try:
            records = self.audit.recent(500)
        except AuditUnavailable:
            return runs
        stops = {r.run_id: r.operator for r in records
                 if r.action == "cancel" and r.result == "done" and r.run_id}
        pauses = [r for r in records if r.action == "pause" and r.result == "done"]

        def by(run: FinishedRun) -> str | None:
            if run.outcome != "cancelled":
                return None
            if run.error_code == "agent_paused":
                return next((p.operator for p in pauses if p.agent_id == run.agent_id
                             and (p.started_at or "") <= (run.finished_at or "")), None)
            return stops.get(run.run_id)
        return [replace(r, cancelled_by=by(r)) for r in runs]
