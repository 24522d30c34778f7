"""Stop and Reset session: one upstream call each, never retried, and an outcome an
operator can act on (done, already finished, failed, or unknown after a timeout)."""
from __future__ import annotations

from dataclasses import dataclass

from opsweb import platform_port as port
from opsweb.runlog import TERMINAL


@dataclass(frozen=True)
class Outcome:
    action: str  # "cancel" | "reset-session"
    target_id: str
    result: str  # "done" | "already_finished" | "failed" | "unknown"
    message: str
    status: str | None = None  # the run's status after the action
    cleared_task_sessions: int | None = None
    upstream_status: int | None = None

    @property
    def http_status(self) -> int:
        return {"done": 200, "already_finished": 200, "unknown": 504}.get(self.result, 502)

    def to_json(self) -> dict:
        body = {"action": self.action, "id": self.target_id, "result": self.result,
                "message": self.message}
        if self.status is not None:
            body["status"] = self.status
        if self.cleared_task_sessions is not None:
            body["clearedTaskSessions"] = self.cleared_task_sessions
        if self.upstream_status is not None:
            body["upstreamStatus"] = self.upstream_status
        return body


def _from_error(action: str, target_id: str, err: port.PlatformError) -> Outcome:
    if isinstance(err, port.Timeout):
        return Outcome(action, target_id, "unknown",
                       f"{err.message}. The outcome is unknown: look at the run again"
                       " before acting.")
    return Outcome(action, target_id, "failed", err.message,
                   upstream_status=err.upstream_status)


def stop_run(platform: port.Platform, run_id: str) -> Outcome:
    """Paperclip's graceful cancel (its own SIGTERM, grace and SIGKILL with watchdog
    and checkpoints); opsweb never signals a process itself."""
    try:
        before = port.pc_get_run(platform, run_id)
        if before.get("status") in TERMINAL:
            return Outcome("cancel", run_id, "already_finished",
                           f"Run had already finished ({before.get('status')}).",
                           status=before.get("status"))
        after = port.pc_cancel_run(platform, run_id)
    except port.PlatformError as err:
        return _from_error("cancel", run_id, err)
    status = after.get("status")
    if status == "cancelled":
        return Outcome("cancel", run_id, "done", "Run cancelled.", status=status)
    if status in TERMINAL:
        return Outcome("cancel", run_id, "already_finished",
                       f"Run had already finished ({status}).", status=status)
    return Outcome("cancel", run_id, "unknown",
                   f"Paperclip answered but the run is still {status}; look at it again.",
                   status=status)


def reset_session(platform: port.Platform, agent_id: str) -> Outcome:
    try:
        state = port.pc_reset_agent_session(platform, agent_id)
    except port.PlatformError as err:
        return _from_error("reset-session", agent_id, err)
    cleared = state.get("clearedTaskSessions")
    cleared = cleared if isinstance(cleared, int) else 0
    noun = "task session" if cleared == 1 else "task sessions"
    return Outcome("reset-session", agent_id, "done",
                   f"Session reset: {cleared} {noun} cleared.", cleared_task_sessions=cleared)
