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

import uuid
from typing import Protocol, runtime_checkable

# The most one log page may hold (Paperclip clamps limitBytes to 1 MiB), and what a
# page holds when the caller does not say (Paperclip's own default).
MAX_LOG_PAGE_BYTES = 1024 * 1024
DEFAULT_LOG_PAGE_BYTES = 256_000


class PlatformError(Exception):
    """A platform call that did not give the answer asked for.

    `message` is a sentence for a person; `upstream_status` and `upstream_message`
    are the platform's own HTTP status and `error` text when it sent them.
    """

    def __init__(self, message: str, *, upstream_status: int | None = None,
                 upstream_message: str | None = None):
        super().__init__(message)
        self.message = message
        self.upstream_status = upstream_status
        self.upstream_message = upstream_message

    @property
    def may_have_arrived(self) -> bool:
        """Whether a request that failed this way may still have been received and
        acted on: what makes a failed action's outcome "unknown" rather than "failed".
        A gateway's 502/504 may have lost the platform's answer."""
        return self.upstream_status in (502, 504)


class InvalidId(PlatformError):
    """An id that is malformed; nothing was sent."""


class Unreachable(PlatformError):
    """No answer could be read. `request_sent` is False when the connection was
    refused (nothing left opsweb), True when it broke after the request went out."""

    def __init__(self, message: str, *, request_sent: bool, **kw):
        super().__init__(message, **kw)
        self.request_sent = request_sent

    @property
    def may_have_arrived(self) -> bool:
        return self.request_sent


class Timeout(PlatformError):
    """No answer within the call's deadline."""

    may_have_arrived = True


class NotFound(PlatformError):
    """The platform does not know that run, agent, company or issue."""


class Unauthorized(PlatformError):
    """The platform rejected opsweb's credentials."""


class Forbidden(PlatformError):
    """The credentials are valid but may not do this."""


class Rejected(PlatformError):
    """The platform refused the request as invalid (400/409/422)."""


class UpstreamError(PlatformError):
    """The platform failed (5xx)."""


class BadResponse(PlatformError):
    """An answer came that could not be read (malformed, too large, wrong shape)."""

    may_have_arrived = True


def check_uuid(value: str, what: str) -> str:
    """Paperclip answers a malformed id with a 500 (a Postgres cast error), so ids
    are checked before any URL is built; the canonical lower-case form is returned."""
    try:
        parsed = uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        raise InvalidId(f"{what} must be a UUID, got {str(value)[:80]!r}") from None
    if str(parsed) != str(value).lower():
        raise InvalidId(f"{what} must be a UUID in canonical form, got {str(value)[:80]!r}")
    return str(parsed)


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
]
