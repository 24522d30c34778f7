"""The seam between opsweb and the agent platform.

Views, the fleet aggregate and the log reader import this module, never the shell.
The port says what opsweb needs of a platform: the operations (`Platform`, a
Protocol), the errors they raise, and the `pc_…` names the rest of opsweb calls them
by. Anything that implements `Platform` can be passed to `init_app(platform=…)`: the
Paperclip shell in production, a small in-memory fake in unit tests. Swapping
Paperclip for another platform means rewriting paperclip_shell.py, nothing else;
leak_guard.py makes sure nothing else reaches past this file.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

# The errors and the id check live in platform_errors.py (the shell imports them
# from there); the rest of opsweb knows them by the port's names.
from opsweb.platform_errors import (  # noqa: F401  (re-exported)
    MAX_LOG_PAGE_BYTES,
    DEFAULT_LOG_PAGE_BYTES,
    PlatformError,
    InvalidId,
    Unreachable,
    Timeout,
    NotFound,
    Unauthorized,
    Forbidden,
    Rejected,
    UpstreamError,
    BadResponse,
    check_uuid,
)


@runtime_checkable
class Platform(Protocol):
    """What opsweb asks of the agent platform. Every method raises PlatformError
    subclasses only, and returns the platform's JSON (dicts and lists) as it came."""

    def health(self) -> dict: ...

    def list_companies(self) -> list[dict]: ...

    def list_live_runs(self, company_id: str) -> list[dict]: ...

    def get_run(self, run_id: str) -> dict: ...

    def get_run_log(self, run_id: str, offset: int = 0,
                    limit_bytes: int = DEFAULT_LOG_PAGE_BYTES) -> tuple[str, int | None]:
        """One byte-range page of the NDJSON log: (content, next offset or None at
        the end). A run with no log yet gives ("", None)."""
        ...

    def get_run_events(self, run_id: str, after_seq: int = 0, limit: int = 200) -> list[dict]: ...

    def get_agent(self, agent_id: str) -> dict: ...

    def list_agents(self, company_id: str) -> list[dict]: ...

    def list_heartbeat_runs(self, company_id: str, agent_id: str | None = None,
                            limit: int = 100) -> list[dict]:
        """A company's runs of every status, newest created first (summary rows)."""
        ...

    def get_issue(self, issue_id: str) -> dict: ...

    def cost_summary(self, company_id: str, since: str) -> dict:
        """{companyId, spendCents, budgetCents, utilizationPercent}: cents spent since
        `since` (ISO 8601) and the company's monthly budget (0 = none)."""
        ...

    def costs_by_agent(self, company_id: str, since: str) -> list[dict]:
        """[{agentId, agentName, costCents, …}] for agents with costs since `since`."""
        ...

    def window_spend(self, company_id: str) -> list[dict]:
        """[{provider, window, windowHours, costCents, …}]: the last 5, 24 and 168 hours."""
        ...

    def budget_overview(self, company_id: str) -> dict:
        """{policies: [{scopeType, scopeId, amount, observedAmount, …}], activeIncidents}."""
        ...

    def cancel_run(self, run_id: str) -> dict: ...

    def reset_agent_session(self, agent_id: str, task_key: str | None = None) -> dict: ...

    def pause_agent(self, agent_id: str) -> dict:
        """Cancels the agent's queued and running runs; its timer skips it until resumed."""
        ...

    def resume_agent(self, agent_id: str) -> dict: ...


def connect(base_url: str, token: str | None, timeout: float,
            action_timeout: float | None = None) -> Platform:
    """The production platform: Paperclip over HTTP. Imported here, on use, because
    the shell imports this module for the errors it raises."""
    from opsweb.paperclip_shell import PaperclipShell
    return PaperclipShell(base_url, token, timeout, action_timeout)


def pc_health(platform: Platform) -> dict:
    return platform.health()


def pc_list_companies(platform: Platform) -> list[dict]:
    return platform.list_companies()


def pc_list_live_runs(platform: Platform, company_id: str) -> list[dict]:
    return platform.list_live_runs(company_id)


def pc_get_run(platform: Platform, run_id: str) -> dict:
    return platform.get_run(run_id)


def pc_get_run_log(platform: Platform, run_id: str, offset: int = 0,
                   limit_bytes: int = DEFAULT_LOG_PAGE_BYTES) -> tuple[str, int | None]:
    return platform.get_run_log(run_id, offset, limit_bytes)


def pc_get_run_events(platform: Platform, run_id: str, after_seq: int = 0,
                      limit: int = 200) -> list[dict]:
    return platform.get_run_events(run_id, after_seq, limit)


def pc_get_agent(platform: Platform, agent_id: str) -> dict:
    return platform.get_agent(agent_id)


def pc_list_agents(platform: Platform, company_id: str) -> list[dict]:
    return platform.list_agents(company_id)


def pc_list_heartbeat_runs(platform: Platform, company_id: str, agent_id: str | None = None,
                           limit: int = 100) -> list[dict]:
    return platform.list_heartbeat_runs(company_id, agent_id, limit)


def pc_get_issue(platform: Platform, issue_id: str) -> dict:
    return platform.get_issue(issue_id)


def pc_cost_summary(platform: Platform, company_id: str, since: str) -> dict:
    return platform.cost_summary(company_id, since)


def pc_costs_by_agent(platform: Platform, company_id: str, since: str) -> list[dict]:
    return platform.costs_by_agent(company_id, since)


def pc_window_spend(platform: Platform, company_id: str) -> list[dict]:
    return platform.window_spend(company_id)


def pc_budget_overview(platform: Platform, company_id: str) -> dict:
    return platform.budget_overview(company_id)


def pc_cancel_run(platform: Platform, run_id: str) -> dict:
    return platform.cancel_run(run_id)


def pc_reset_agent_session(platform: Platform, agent_id: str, task_key: str | None = None) -> dict:
    return platform.reset_agent_session(agent_id, task_key)


def pc_pause_agent(platform: Platform, agent_id: str) -> dict:
    return platform.pause_agent(agent_id)


def pc_resume_agent(platform: Platform, agent_id: str) -> dict:
    return platform.resume_agent(agent_id)


__all__ = [
    "DEFAULT_LOG_PAGE_BYTES", "MAX_LOG_PAGE_BYTES", "BadResponse", "Forbidden", "InvalidId",
    "NotFound",
    "Platform", "PlatformError", "Rejected", "Timeout", "Unauthorized", "Unreachable",
    "UpstreamError", "check_uuid", "connect",
    "pc_health", "pc_list_companies", "pc_list_live_runs", "pc_get_run", "pc_get_run_log",
    "pc_get_run_events", "pc_get_agent", "pc_get_issue", "pc_cancel_run", "pc_reset_agent_session",
    "pc_list_agents", "pc_list_heartbeat_runs", "pc_pause_agent", "pc_resume_agent",
    "pc_cost_summary", "pc_costs_by_agent", "pc_window_spend", "pc_budget_overview",
]
