"""Paperclip 2026.916.1's JSON shapes, built from the demo's records.

Key sets and order are copied from the captured answers in
tests/fixtures/paperclip-2026.916.1/ (a contract test compares them), values are the
demo's own. Pure functions: no locking, no I/O.
"""

from __future__ import annotations

from .clock import iso, ms_between
from .model import Agent, Company, Issue, Run

BOARD_USER = "local-board"
SUSPICION_MS = 3_600_000  # 1 h of silence (server/src/services/recovery/service.ts)
CRITICAL_MS = 14_400_000  # 4 h
_EXECUTION_LABELS = {"queued": "Queued", "working": "Working", "completed": "Completed",
                     "failed": "Failed", "recovery_needed": "Recovery needed"}


def company(c: Company) -> dict:
    return {
        "id": c.id, "name": c.name, "description": c.description, "status": "active",
        "issuePrefix": c.issue_prefix, "issueCounter": c.issue_counter,
        "budgetMonthlyCents": c.budget_monthly_cents, "spentMonthlyCents": c.spent_monthly_cents,
        "defaultResponsibleUserId": BOARD_USER, "requireBoardApprovalForNewAgents": False,
        "interactionResolverGovernance": {}, "feedbackDataSharingEnabled": False,
        "feedbackDataSharingConsentAt": None, "feedbackDataSharingConsentByUserId": None,
        "feedbackDataSharingTermsVersion": None, "logoAssetId": None,
        "createdAt": iso(c.created_at), "updatedAt": iso(c.created_at), "logoUrl": None,
    }


def agent(a: Agent, status: str) -> dict:
    return {
        "id": a.id, "companyId": a.company_id, "name": a.name, "urlKey": a.url_key,
        "role": a.role, "title": a.title, "icon": a.icon, "status": status, "reportsTo": None,
        "capabilities": None, "adapterType": a.adapter_type, "adapterConfig": a.adapter_config,
        "runtimeConfig": {"heartbeat": {"enabled": a.heartbeat_enabled,
                                        "intervalSec": a.interval_sec,
                                        "maxConcurrentRuns": a.max_concurrent_runs}},
        "defaultEnvironmentId": None, "budgetMonthlyCents": 0, "spentMonthlyCents": 0,
        "pauseReason": None, "pausedAt": None, "errorReason": None,
        "permissions": {"canCreateAgents": False}, "lastHeartbeatAt": iso(a.last_heartbeat_at),
        "metadata": {}, "orgChainHealth": {"status": "ok", "issues": []},
        "createdAt": iso(a.created_at), "updatedAt": iso(a.updated_at or a.created_at),
    }


def runtime_state(a: Agent) -> dict:
    return {
        "agentId": a.id, "companyId": a.company_id, "adapterType": a.adapter_type,
        "sessionId": a.session_id, "stateJson": a.state_json, "lastRunId": a.last_run_id,
        "lastRunStatus": a.last_run_status, "totalInputTokens": a.total_input_tokens,
        "totalOutputTokens": a.total_output_tokens,
        "totalCachedInputTokens": a.total_cached_input_tokens,
        "totalCostCents": a.total_cost_cents, "lastError": None, "createdAt": iso(a.created_at),
        "updatedAt": iso(a.runtime_updated_at or a.created_at),
        "sessionDisplayId": a.session_id[:8] if a.session_id else None,
        "sessionParamsJson": {"sessionId": a.session_id, "cwd": "/srv/work"} if a.session_id else None,
    }


def issue(i: Issue) -> dict:
    return {
        "id": i.id, "companyId": i.company_id, "projectId": None, "goalId": None, "parentId": None,
        "title": i.title, "description": i.description, "status": i.status,
        "priority": i.priority, "assigneeAgentId": i.assignee_agent_id, "assigneeUserId": None,
        "checkoutRunId": None, "executionRunId": None, "executionAgentNameKey": None,
        "executionLockedAt": None, "createdByAgentId": None, "createdByUserId": BOARD_USER,
        "issueNumber": i.number, "identifier": i.identifier, "requestDepth": 0,
        "billingCode": None, "startedAt": None, "completedAt": None, "cancelledAt": None,
        "hiddenAt": None, "createdAt": iso(i.created_at), "updatedAt": iso(i.created_at),
    }


def run_issue(i: Issue) -> dict:
    """An element of GET /heartbeat-runs/:id/issues (services/activity.ts issuesForRun)."""
    return {"issueId": i.id, "identifier": i.identifier, "title": i.title, "status": i.status,
            "priority": i.priority}


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
        "lastOutputAt": iso(r.last_output_at), "lastOutputSeq": r.seq,
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
    label = "Cancelled" if r.status == "cancelled" else _EXECUTION_LABELS[phase]
    actions = ["inspect_run", "inspect_recovery"] if phase == "recovery_needed" else ["inspect_run"]
    return {
        "phase": phase, "label": label, "cause": None,
        "lastConfirmedActivityAt": iso(r.last_output_at), "retryAt": None, "attempt": 1,
        "maxAttempts": 3, "recoveryOwner": None, "nextAction": None,
        "permittedActions": actions, "predecessorRunId": None, "successorRunId": None,
    }


def run_row(r: Run, adapter_type: str) -> dict:
    """The heartbeat_runs row as cancel and wakeup return it (no decorations)."""
    started = r.started_at is not None
    running = r.status == "running"
    return {
        "id": r.id, "companyId": r.company_id, "agentId": r.agent_id,
        "invocationSource": r.invocation_source, "triggerDetail": r.trigger_detail,
        "status": r.status, "responsibleUserId": BOARD_USER,
        "activeIdentityContextId": r.identity_context_id, "startedAt": iso(r.started_at),
        "finishedAt": iso(r.finished_at), "executionControlDeadlineAt": None,
        "executionStatusDeliveryId": None if running or r.status == "queued" else r.wakeup_request_id,
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
        "controllerLeaseExpiresAt": iso(r.updated_at + 120) if running and r.updated_at else None,
        "executionStage": "dispatching" if running else None,
        "processPid": r.process_pid, "processGroupId": r.process_pid,
        "processStartedAt": iso(r.process_started_at), "lastOutputAt": iso(r.last_output_at),
        "lastOutputSeq": r.seq, "lastOutputStream": r.last_output_stream,
        "lastOutputBytes": len(r.log) if r.log_started else None, "retryOfRunId": None,
        "processLossRetryCount": 0, "scheduledRetryAt": None, "scheduledRetryAttempt": 0,
        "scheduledRetryReason": None, "issueCommentStatus": "not_applicable",
        "issueCommentSatisfiedByCommentId": None, "issueCommentRetryQueuedAt": None,
        "livenessState": _liveness(r), "livenessReason": None, "continuationAttempt": 0,
        "lastUsefulActionAt": None, "nextAction": None, "contextSnapshot": r.context,
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
        "cause": "manual_user_wake" if r.invocation_source == "on_demand" else "heartbeat_timer",
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
        "livenessState": _liveness(r), "livenessReason": None, "continuationAttempt": 0,
        "lastUsefulActionAt": None, "nextAction": None, "lastOutputAt": iso(r.last_output_at),
        "lastOutputSeq": r.seq, "lastOutputStream": r.last_output_stream,
        "lastOutputBytes": len(r.log) if r.log_started else None,
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


def _liveness(r: Run) -> str | None:
    return {"succeeded": "completed", "failed": "failed"}.get(r.status)
