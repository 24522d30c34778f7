"""Paperclip 2026.916.1's JSON shapes for runs, built from the demo's records.

Key sets and order are copied from the captured answers in
tests/fixtures/paperclip-2026.916.1/ (a contract test compares them), values are the
demo's own. Pure functions: no locking, no I/O.
"""

from __future__ import annotations

import uuid

from .clock import iso, ms_between
from .model import Agent, Run

BOARD_USER = "local-board"
SUSPICION_MS = 3_600_000  # 1 h of silence (server/src/services/recovery/service.ts)
CRITICAL_MS = 14_400_000  # 4 h
_EXECUTION_LABELS = {"queued": "Queued", "working": "Working", "completed": "Completed",
                     "failed": "Failed", "recovery_needed": "Recovery needed"}


def log_ref(r: Run) -> str:
    return f"{r.company_id}/{r.agent_id}/{r.id}.ndjson"


def output_silence(r: Run, now: float) -> dict:
    started = r.last_output_at or r.process_started_at or r.started_at or r.created_at
    running = r.status == "running"
    age = max(0, ms_between(now, started)) if running else None
    if not running:
        level = "not_applicable"
    elif r.snoozed_until is not None and r.snoozed_until > now:
        level = "snoozed"
    elif age >= CRITICAL_MS:
        level = "critical"
    elif age >= SUSPICION_MS:
        level = "suspicious"
    else:
        level = "ok"
    return {
        "lastOutputAt": iso(r.last_output_at), "lastOutputSeq": r.flushed_seq,
        "lastOutputStream": r.last_output_stream, "silenceStartedAt": iso(started),
        "silenceAgeMs": age, "level": level, "suspicionThresholdMs": SUSPICION_MS,
        "criticalThresholdMs": CRITICAL_MS, "snoozedUntil": iso(r.snoozed_until),
        "evaluationIssueId": None, "evaluationIssueIdentifier": None,
        "evaluationIssueAssigneeAgentId": None,
    }


def execution(r: Run, now: float) -> dict:
    if r.status == "queued":
        phase = "queued"
    elif r.status == "running":
        critical = output_silence(r, now)["level"] == "critical"
        phase = "recovery_needed" if critical else "working"
    else:
        phase = "completed" if r.status == "succeeded" else "failed"
    cancelled = r.status == "cancelled"
    label = "Cancelled" if cancelled else _EXECUTION_LABELS[phase]
    actions = ["inspect_run", "inspect_recovery"] if phase == "recovery_needed" else ["inspect_run"]
    return {
        "phase": phase, "label": label, "cause": "cancelled" if cancelled else None,
        "lastConfirmedActivityAt": iso(r.last_output_at), "retryAt": None, "attempt": 1,
        "maxAttempts": 3, "recoveryOwner": None, "nextAction": None,
        "permittedActions": actions, "predecessorRunId": None, "successorRunId": None,
    }


def run_row(r: Run, adapter_type: str) -> dict:
    """The heartbeat_runs row as cancel and wakeup return it (no decorations)."""
    started = r.started_at is not None
    return {
        "id": r.id, "companyId": r.company_id, "agentId": r.agent_id,
        "invocationSource": r.invocation_source, "triggerDetail": r.trigger_detail,
        "status": r.status, "responsibleUserId": BOARD_USER,
        "activeIdentityContextId": r.identity_context_id, "startedAt": iso(r.started_at),
        "finishedAt": iso(r.finished_at), "executionControlDeadlineAt": None,
        "executionStatusDeliveryId": _delivery_id(r),
        "error": r.error, "wakeupRequestId": r.wakeup_request_id, "exitCode": r.exit_code,
        "signal": None, "usageJson": r.usage, "resultJson": r.result, "runtimeMode": "legacy",
        "runtimeModeResolverVersion": "phase6-v1" if started else None,
        "runtimeModeReason": "direct_adapter" if started else None,
        "runtimeModeResolvedAt": iso(r.process_started_at),
        "runnerProfileJson": {"adapterDispatch": {"adapterType": adapter_type}} if started else None,
        "runnerInstanceId": None, "nativeSessionId": None, "nativeIssueId": None,
        "driverKind": None, "driverVersion": None, "completionContractId": None,
        "completionContractSha256": None, "nextEventSeq": len(r.events) + 1, "nativePhase": None,
        "nativePhaseUpdatedAt": None, "sessionIdBefore": r.session_before,
        "sessionIdAfter": r.session_after, "logStore": "local_file" if r.log_started else None,
        "logRef": log_ref(r) if r.log_started else None, "logBytes": r.log_bytes_final,
        "logSha256": r.log_sha256, "logCompressed": False, "stdoutExcerpt": r.stdout_excerpt,
        "stderrExcerpt": r.stderr_excerpt, "errorCode": r.error_code, "externalRunId": None,
        "controllerBootId": r.controller_boot_id,
        # the controller lease and stage stay on the row after the run ends (LIVE)
        "controllerLeaseExpiresAt": iso((r.last_output_at or r.started_at) + 60) if started else None,
        "executionStage": "dispatching" if started else None,
        "processPid": r.process_pid, "processGroupId": r.process_pid,
        "processStartedAt": iso(r.process_started_at), "lastOutputAt": iso(r.last_output_at),
        "lastOutputSeq": r.flushed_seq, "lastOutputStream": r.last_output_stream,
        "lastOutputBytes": r.flushed_bytes, "retryOfRunId": None,
        "processLossRetryCount": 0, "scheduledRetryAt": None, "scheduledRetryAttempt": 0,
        "scheduledRetryReason": None, "issueCommentStatus": "not_applicable",
        "issueCommentSatisfiedByCommentId": None, "issueCommentRetryQueuedAt": None,
        **_liveness(r), "nextAction": None, "contextSnapshot": r.context,
        "createdAt": iso(r.created_at), "updatedAt": iso(r.updated_at or r.created_at),
    }


def run_full(r: Run, adapter_type: str, now: float) -> dict:
    """GET /heartbeat-runs/:id: the row plus the server's in-memory decorations."""
    row = run_row(r, adapter_type)
    row.update(_decorations(r))
    row["execution"] = execution(r, now)
    row["identityHistory"] = [] if r.identity_context_id is None else [{
        "id": r.identity_context_id, "companyId": r.company_id, "runId": r.id, "revision": 1,
        "responsibleUserId": BOARD_USER, "messageId": None, "parentContextId": None,
        "cause": _IDENTITY_CAUSES.get(r.invocation_source, "heartbeat_timer"),
        "correlationId": "dispatch", "status": "accepted",
        "acceptedAt": iso(r.identity_created_at), "github": None,
        "createdAt": iso(r.identity_created_at)}]
    row["retryExhaustedReason"] = None
    row["outputSilence"] = output_silence(r, now)
    return row


def live_row(r: Run, a: Agent, now: float) -> dict:
    """An element of GET /companies/:cid/live-runs."""
    row = {
        "id": r.id, "runtimeMode": "legacy", "companyId": r.company_id, "status": r.status,
        "invocationSource": r.invocation_source, "triggerDetail": r.trigger_detail,
        "contextCommentId": None, "contextWakeCommentId": None, "startedAt": iso(r.started_at),
        "finishedAt": iso(r.finished_at), "createdAt": iso(r.created_at), "agentId": r.agent_id,
        "agentName": a.name, "adapterType": a.adapter_type, "logBytes": r.log_bytes_final,
        **_liveness(r), "nextAction": None, "lastOutputAt": iso(r.last_output_at),
        "lastOutputSeq": r.flushed_seq, "lastOutputStream": r.last_output_stream,
        "lastOutputBytes": r.flushed_bytes,
        "processStartedAt": iso(r.process_started_at), "issueId": r.issue_id,
    }
    row.update(_decorations(r))
    row["execution"] = execution(r, now)
    row["outputSilence"] = output_silence(r, now)
    return row


def _decorations(r: Run) -> dict:
    running = r.status == "running"
    return {
        "currentStatusMessage": r.status_message if running else None,
        "currentStatusUpdatedAt": iso(r.status_updated_at) if running else None,
        "currentToolName": r.current_tool if running else None,
        "lastAssistantSnippet": r.assistant_snippet if running else None,
        "lastEventAt": iso(r.last_event_at) if running else None,
    }


def _liveness(r: Run) -> dict:
    """livenessState, livenessReason, continuationAttempt, lastUsefulActionAt."""
    state, reason, useful = None, None, None
    if r.status == "succeeded":
        state, useful = "advanced", iso(r.last_output_at)
        reason = f"Run produced concrete action evidence: {r.seq} output chunk(s)"
    elif r.status == "failed":
        state, reason = "failed", r.error
    return {"livenessState": state, "livenessReason": reason, "continuationAttempt": 0,
            "lastUsefulActionAt": useful}


def _delivery_id(r: Run) -> str | None:
    """Set once a cancel was delivered to the execution (cancel-running.json)."""
    if r.status != "cancelled":
        return None
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"delivery:{r.id}"))


_IDENTITY_CAUSES = {"on_demand": "manual_user_wake", "assignment": "issue_assigned",
                    "automation": "automation"}


_LIST_KEYS = (
    "id", "companyId", "agentId", "invocationSource", "triggerDetail", "status", "startedAt",
    "finishedAt", "error", "wakeupRequestId", "exitCode", "signal", "usageJson",
    "sessionIdBefore", "sessionIdAfter", "logStore", "logRef", "logBytes", "logSha256",
    "logCompressed", "stdoutExcerpt", "stderrExcerpt", "errorCode", "externalRunId",
    "processPid", "processGroupId", "processStartedAt", "lastOutputAt", "lastOutputSeq",
    "lastOutputStream", "lastOutputBytes", "retryOfRunId", "processLossRetryCount",
    "scheduledRetryAt", "scheduledRetryAttempt", "scheduledRetryReason", "livenessState",
    "livenessReason", "continuationAttempt", "lastUsefulActionAt", "nextAction", "createdAt",
    "updatedAt", "contextSnapshot", "resultJson")
_CONTEXT_SUMMARY = ("issueId", "taskId", "taskKey", "commentId", "wakeCommentId", "wakeReason",
                    "wakeSource", "wakeTriggerDetail")
_RESULT_SUMMARY = ("summary", "result", "message", "error", "total_cost_usd", "cost_usd", "costUsd")


def run_list_row(r: Run, adapter_type: str, summary: bool) -> dict:
    """An element of GET /companies/:cid/heartbeat-runs: a list projection of the row."""
    full = run_row(r, adapter_type)
    row = {k: full[k] for k in _LIST_KEYS}
    row["stdoutExcerpt"] = row["stderrExcerpt"] = None  # always null in the list
    row["contextSnapshot"] = {k: r.context[k] for k in _CONTEXT_SUMMARY if k in r.context}
    result = {k: r.result[k] for k in _RESULT_SUMMARY if k in (r.result or {})}
    row["resultJson"] = result or None
    if summary:
        for key in ("usageJson", "sessionIdBefore", "sessionIdAfter", "logStore", "resultJson"):
            row[key] = None
    return row
