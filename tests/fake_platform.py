"""An in-memory platform for unit tests: the port's operations over plain dicts.

Cosmic Python's fake at the boundary: tests arrange a world (companies, runs, agents,
logs), pass the fake to the code under test (or to `create_app(platform=…)`), and
read back what was asked of it. Failures are planted per operation with `fail`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from opsweb import platform_port as port


@dataclass
class FakePlatform:
    companies: list[dict] = field(default_factory=list)
    live_runs: dict[str, list[dict]] = field(default_factory=dict)   # company id → runs
    runs: dict[str, dict] = field(default_factory=dict)               # run id → run
    logs: dict[str, bytes] = field(default_factory=dict)              # run id → NDJSON bytes
    events: dict[str, list[dict]] = field(default_factory=dict)
    agents: dict[str, dict] = field(default_factory=dict)
    # company id → its runs of every status, newest first (heartbeat-runs)
    history: dict[str, list[dict]] = field(default_factory=dict)
    issues: dict[str, dict] = field(default_factory=dict)
    # company id → Paperclip's answers to its cost routes: "summary", "byAgent" (the
    # month's), "byAgentDay" (the last 24 h), "windowSpend", "overview"; a company
    # without them answers as one without costs does
    spend: dict[str, dict] = field(default_factory=dict)
    failures: dict[str, tuple[port.PlatformError, str | None]] = field(default_factory=dict)
    calls: list[tuple] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def fail(self, operation: str, error: port.PlatformError | None,
             only: str | None = None) -> None:
        """Make every later call of `operation` raise `error` (None: answer again);
        `only`: just the calls for that id (one company's live runs, say)."""
        if error is None:
            self.failures.pop(operation, None)
        else:
            self.failures[operation] = (error, only)

    def _enter(self, operation: str, *args) -> None:
        self.calls.append((operation, *args))
        self.counts[operation] += 1
        error, only = self.failures.get(operation, (None, None))
        if error is not None and only in (None, *args[:1]):
            raise error

    @staticmethod
    def _known(table: dict, key: str, what: str) -> dict:
        port.check_uuid(key, what)
        if key not in table:
            raise port.NotFound(f"{what.capitalize()} not found", upstream_status=404)
        return table[key]

    def health(self) -> dict:
        self._enter("health")
        return {"status": "ok", "version": "fake"}

    def list_companies(self) -> list[dict]:
        self._enter("list_companies")
        return list(self.companies)

    def list_live_runs(self, company_id: str) -> list[dict]:
        self._enter("list_live_runs", company_id)
        port.check_uuid(company_id, "company id")
        return list(self.live_runs.get(company_id, []))

    def get_run(self, run_id: str) -> dict:
        self._enter("get_run", run_id)
        return self._known(self.runs, run_id, "run")

    def get_run_log(self, run_id: str, offset: int = 0,
                    limit_bytes: int = port.DEFAULT_LOG_PAGE_BYTES) -> tuple[str, int | None]:
        """Byte-cut pages as Paperclip cuts them: mid-line, even mid-character."""
        self._enter("get_run_log", run_id, offset, limit_bytes)
        self._known(self.runs, run_id, "run")
        if run_id not in self.logs:
            return "", None
        data = self.logs[run_id]
        page = data[offset:offset + min(limit_bytes, port.MAX_LOG_PAGE_BYTES)]
        end = offset + len(page)
        return page.decode("utf-8", errors="replace"), (end if end < len(data) else None)

    def get_run_events(self, run_id: str, after_seq: int = 0, limit: int = 200) -> list[dict]:
        self._enter("get_run_events", run_id, after_seq, limit)
        self._known(self.runs, run_id, "run")
        return [e for e in self.events.get(run_id, []) if e.get("seq", 0) > after_seq][:limit]

    def get_agent(self, agent_id: str) -> dict:
        self._enter("get_agent", agent_id)
        return self._known(self.agents, agent_id, "agent")

    def list_agents(self, company_id: str) -> list[dict]:
        self._enter("list_agents", company_id)
        port.check_uuid(company_id, "company id")
        return [a for a in self.agents.values() if a.get("companyId") == company_id]

    def list_heartbeat_runs(self, company_id: str, agent_id: str | None = None,
                            limit: int = 100) -> list[dict]:
        self._enter("list_heartbeat_runs", company_id, agent_id, limit)
        port.check_uuid(company_id, "company id")
        runs = self.history.get(company_id, [])
        return [r for r in runs if agent_id is None or r.get("agentId") == agent_id][:limit]

    def get_issue(self, issue_id: str) -> dict:
        self._enter("get_issue", issue_id)
        return self._known(self.issues, issue_id, "issue")

    def _spend(self, company_id: str, key: str, empty):
        port.check_uuid(company_id, "company id")
        return self.spend.get(company_id, {}).get(key, empty)

    def cost_summary(self, company_id: str, since: str) -> dict:
        self._enter("cost_summary", company_id, since)
        return self._spend(company_id, "summary", {"companyId": company_id, "spendCents": 0,
                                                   "budgetCents": 0, "utilizationPercent": 0})

    def costs_by_agent(self, company_id: str, since: str) -> list[dict]:
        """The month's rows for a `since` at a month's first midnight, else the day's."""
        self._enter("costs_by_agent", company_id, since)
        month = since[8:] == "01T00:00:00.000Z"
        return self._spend(company_id, "byAgent" if month else "byAgentDay", [])

    def window_spend(self, company_id: str) -> list[dict]:
        self._enter("window_spend", company_id)
        return self._spend(company_id, "windowSpend", [])

    def budget_overview(self, company_id: str) -> dict:
        self._enter("budget_overview", company_id)
        return self._spend(company_id, "overview", {"companyId": company_id, "policies": [],
                                                    "activeIncidents": []})

    def cancel_run(self, run_id: str) -> dict:
        self._enter("cancel_run", run_id)
        run = self._known(self.runs, run_id, "run")
        if run.get("status") in ("queued", "running"):
            run["status"] = "cancelled"
            for runs in self.live_runs.values():
                runs[:] = [r for r in runs if r.get("id") != run_id]
        return run

    def reset_agent_session(self, agent_id: str, task_key: str | None = None) -> dict:
        self._enter("reset_agent_session", agent_id, task_key)
        agent = self._known(self.agents, agent_id, "agent")
        return {"agentId": agent_id, "companyId": agent.get("companyId"),
                "clearedTaskSessions": 0}

    def pause_agent(self, agent_id: str) -> dict:
        """As Paperclip does: the agent's live runs end cancelled with agent_paused."""
        self._enter("pause_agent", agent_id)
        agent = self._known(self.agents, agent_id, "agent")
        agent.update(status="paused", pauseReason="manual", pausedAt="2026-11-30T01:28:19.694Z")
        for runs in self.live_runs.values():
            for run in [r for r in runs if r.get("agentId") == agent_id]:
                run.update(status="cancelled", errorCode="agent_paused",
                           error="Cancelled due to agent pause")
                runs.remove(run)
        return agent

    def resume_agent(self, agent_id: str) -> dict:
        self._enter("resume_agent", agent_id)
        agent = self._known(self.agents, agent_id, "agent")
        agent.update(status="idle", pauseReason=None, pausedAt=None)
        return agent

def from_world(world) -> FakePlatform:
    """The demo world (opsweb.demo.World) copied into a fake: the same companies, runs,
    logs, agents and issues the end-to-end tests see over HTTP, read in-process."""
    companies = world.company_list()
    fake = FakePlatform(companies=companies)
    for company in companies:
        fake.live_runs[company["id"]] = world.live_runs(company["id"], 50, 0)
    for run_id, run in world.runs.items():
        fake.runs[run_id] = world.run(run_id)
        fake.events[run_id] = world.events(run_id, 0, len(run.events))
        if run.log_started:
            fake.logs[run_id] = bytes(run.log)
    fake.agents = {agent_id: world.agent(agent_id) for agent_id in world.agents}
    fake.issues = {issue_id: world.issue(issue_id) for issue_id in world.issues}
    return fake
