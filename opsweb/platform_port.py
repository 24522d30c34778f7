"""The seam between opsweb and the agent platform.

Views, the fleet aggregate and the log reader import this module, never the shell:
the port names the operations opsweb needs (`pc_…`) and the errors they raise.
Swapping Paperclip for another platform means rewriting paperclip_shell.py and this
file; leak_guard.py makes sure nothing else reaches past it.
"""
from opsweb.paperclip_shell import (
    MAX_LOG_PAGE_BYTES,
    BadResponse,
    Forbidden,
    InvalidId,
    NotFound,
    PaperclipError as PlatformError,
    PaperclipShell,
    Rejected,
    Timeout,
    Unauthorized,
    Unreachable,
    UpstreamError,
    check_uuid,
)

Platform = PaperclipShell


def connect(base_url: str, token: str | None, timeout: float,
            action_timeout: float | None = None) -> Platform:
    return PaperclipShell(base_url, token, timeout, action_timeout)


pc_health = PaperclipShell.health
pc_list_companies = PaperclipShell.list_companies
pc_list_live_runs = PaperclipShell.list_live_runs
pc_get_run = PaperclipShell.get_run
pc_get_run_log = PaperclipShell.get_run_log
pc_get_run_events = PaperclipShell.get_run_events
pc_get_agent = PaperclipShell.get_agent
pc_get_issue = PaperclipShell.get_issue
pc_cancel_run = PaperclipShell.cancel_run
pc_reset_agent_session = PaperclipShell.reset_agent_session

__all__ = [
    "MAX_LOG_PAGE_BYTES", "BadResponse", "Forbidden", "InvalidId", "NotFound",
    "Platform", "PlatformError", "Rejected", "Timeout", "Unauthorized", "Unreachable",
    "UpstreamError", "check_uuid", "connect",
    "pc_health", "pc_list_companies", "pc_list_live_runs", "pc_get_run", "pc_get_run_log",
    "pc_get_run_events", "pc_get_agent", "pc_get_issue", "pc_cancel_run", "pc_reset_agent_session",
]
