"""Stop, Reset session, Pause and Resume: one upstream call each, never retried, and an
outcome an operator can act on (done, already finished, failed, or unknown).

"failed" means Paperclip said no, or the request never left opsweb. "unknown" means it
may have reached Paperclip and no readable answer came back (a timeout, a dropped
connection, a garbled body, a gateway error): the run must be looked at again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from opsweb import platform_port as port
from opsweb.fleet.run_status import TERMINAL
from opsweb.i18n.said import Said


@dataclass(frozen=True)
class Outcome:
    action: str  # "cancel" | "reset-session" | "pause" | "resume"
    target_id: str
    result: str  # "done" | "already_finished" | "failed" | "unknown"
    message: str
    status: str | None = None  # the run's (Stop) or agent's (Pause, Resume) status after
    cleared_task_sessions: int | None = None
    # Paperclip's answer (its HTTP status and text), as the port's errors name it; the
    # twin shows the status of a failed action, the audit record keeps both
    upstream_status: int | None = None
    upstream_message: str | None = None
    # for the audit record, not the twin: who the target belongs to
    agent_id: str | None = None
    company_id: str | None = None
    agent_name: str | None = None

    @property
    def http_status(self) -> int:
        if self.result == "failed" and self.upstream_status == 404:
            return 404
        return {"done": 200, "already_finished": 200, "unknown": 504}.get(self.result, 502)

    def to_json(self) -> dict:
        body = {"action": self.action, "id": self.target_id, "result": self.result,
                "message": self.message}
        if self.status is not None:
            body["status"] = self.status
        if self.cleared_task_sessions is not None:
            body["clearedTaskSessions"] = self.cleared_task_sessions
        if self.result == "failed" and self.upstream_status is not None:
            body["upstreamStatus"] = self.upstream_status
        return body


# each its own sentence, so that a translation can say it its own way
_NOT_SENT = {
    "cancel": lambda problem: Said("%(problem)s Stop was not sent.", problem=problem),
    "reset-session": lambda problem: Said("%(problem)s Reset was not sent.", problem=problem),
    "pause": lambda problem: Said("%(problem)s Pause was not sent.", problem=problem),
    "resume": lambda problem: Said("%(problem)s Resume was not sent.", problem=problem),
}


def _from_error(action: str, target_id: str, err: port.PlatformError, sent: bool,
                **ids) -> Outcome:
    answer = dict(upstream_status=err.upstream_status, upstream_message=err.upstream_message)
    if sent and err.may_have_arrived:
        return Outcome(action, target_id, "unknown",
                       Said("%(problem)s. The outcome is unknown: look at the run again"
                            " before acting.", problem=err.message), **answer, **ids)
    # Paperclip's own text may end its sentence already
    message = err.message if err.message.endswith(".") else Said("%(problem)s.",
                                                                 problem=err.message)
    if not (sent and err.upstream_status):
        message = _NOT_SENT[action](message)
    return Outcome(action, target_id, "failed", message,
                   **answer, **ids)


def stop_run(platform: port.Platform, run_id: str,
             on_known: Callable[[str | None, str | None], None] | None = None) -> Outcome:
    """Paperclip's graceful cancel (its own SIGTERM, grace and SIGKILL with watchdog
    and checkpoints); opsweb never signals a process itself. `on_known(agent_id,
    company_id)` is told whose run it is before the cancel is sent."""
    try:
        before = port.pc_get_run(platform, run_id)
    except port.PlatformError as err:
        return _from_error("cancel", run_id, err, sent=False)
    ids = {"agent_id": _str(before.get("agentId")), "company_id": _str(before.get("companyId"))}
    if on_known:
        on_known(ids["agent_id"], ids["company_id"])
    if before.get("status") in TERMINAL:
        return Outcome("cancel", run_id, "already_finished",
                       Said("Run had already finished (%(status)s).",
                            status=Said(before.get("status"))),
                       status=before.get("status"), upstream_status=200,
                       upstream_message=f"status {before.get('status')}", **ids)
    try:
        after = port.pc_cancel_run(platform, run_id)
    except port.PlatformError as err:
        return _from_error("cancel", run_id, err, sent=True, **ids)
    status = after.get("status")
    answer = dict(upstream_status=200, upstream_message=f"status {status}", **ids)
    if status == "cancelled":
        return Outcome("cancel", run_id, "done", Said("Run cancelled."), status=status, **answer)
    if status in TERMINAL:
        return Outcome("cancel", run_id, "already_finished",
                       Said("Run had already finished (%(status)s).", status=Said(status)),
                       status=status, **answer)
    return Outcome("cancel", run_id, "unknown",
                   Said("Paperclip answered but the run is still %(status)s; look at it again.",
                        status=Said(str(status))),
                   status=status, **answer)


def reset_session(platform: port.Platform, agent_id: str) -> Outcome:
    try:
        state = port.pc_reset_agent_session(platform, agent_id)
    except port.PlatformError as err:
        return _from_error("reset-session", agent_id, err, sent=True, agent_id=agent_id)
    cleared = state.get("clearedTaskSessions")
    cleared = cleared if isinstance(cleared, int) else 0
    message = (Said("Session reset: 1 task session cleared.") if cleared == 1
               else Said("Session reset: %(count)s task sessions cleared.", count=cleared))
    return Outcome("reset-session", agent_id, "done", message, cleared_task_sessions=cleared,
                   agent_id=agent_id, company_id=_str(state.get("companyId")),
                   upstream_status=200, upstream_message=f"clearedTaskSessions {cleared}")


# (port operation, agent status that means it worked, what the operator reads)
_AGENT_ACTIONS = {
    "pause": (port.pc_pause_agent, "paused",
              Said("Agent paused: Paperclip cancelled its running runs; its timer skips it"
                   " until resumed.")),
    "resume": (port.pc_resume_agent, None, Said("Agent resumed: its timer wakes it again.")),
}


def agent_action(platform: port.Platform, action: str, agent_id: str) -> Outcome:
    """Pause or Resume. Both are idempotent in Paperclip (a second pause is a 200), so
    "done" means the agent is now in the state asked for."""
    call, wanted, message = _AGENT_ACTIONS[action]
    try:
        agent = call(platform, agent_id)
    except port.PlatformError as err:
        return _from_error(action, agent_id, err, sent=True, agent_id=agent_id)
    status = _str(agent.get("status"))
    ids = dict(agent_id=agent_id, company_id=_str(agent.get("companyId")),
               agent_name=_str(agent.get("name")), status=status,
               upstream_status=200, upstream_message=f"status {status}")
    worked = status == wanted if wanted else status not in ("paused", None)
    if worked:
        return Outcome(action, agent_id, "done", message, **ids)
    return Outcome(action, agent_id, "unknown",
                   Said("Paperclip answered but the agent is %(status)s; look at it again.",
                        status=Said(str(status))), **ids)


def _str(value) -> str | None:
    return str(value) if value else None
