"""Paperclip 2026.916.1's JSON shapes for everything but runs: health, companies,
agents, runtime state, issues.

Key sets and order follow the real answers in tests/fixtures/paperclip-2026.916.1/ and
tests/fixtures/paperclip-2026.916.1-extra/; the values are the demo's. Pure functions.
"""

from __future__ import annotations

from .clock import iso
from .model import Agent, Company, Issue

BOARD_USER = "local-board"


def health(version: str, authenticated: bool, started_at: float) -> dict:
    return {
        "status": "ok", "version": version, "serverVersion": version, "commit": None,
        "deploymentMode": "authenticated" if authenticated else "local_trusted",
        "deploymentExposure": "private", "localAiLoginSupported": True, "authReady": True,
        "bootstrapStatus": "ready", "bootstrapInviteActive": False,
        "features": {"companyDeletionEnabled": True},
        "serverInfo": {"processStartedAt": iso(started_at),
                       "git": {"available": False, "unavailableReason": "git_unavailable"}},
        "startupRecovery": {"phase": "ready", "updatedAt": iso(started_at + 4)},
        "nativeRecovery": {},
    }


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


def agent(a: Agent, status: str, detail: bool = False) -> dict:
    """An Agent; `detail` adds what only GET /agents/:id returns (chain of command, access)."""
    row = {
        "id": a.id, "companyId": a.company_id, "name": a.name, "role": a.role, "title": a.title,
        "icon": a.icon, "status": status, "reportsTo": None, "capabilities": None,
        "adapterType": a.adapter_type, "adapterConfig": a.adapter_config,
        "runtimeConfig": {"heartbeat": {"enabled": a.heartbeat_enabled,
                                        "maxConcurrentRuns": a.max_concurrent_runs}},
        "defaultEnvironmentId": None, "budgetMonthlyCents": a.budget_monthly_cents,
        "spentMonthlyCents": a.spent_monthly_cents,
        "pauseReason": a.pause_reason, "pausedAt": iso(a.paused_at), "errorReason": a.error_reason,
        "permissions": {"canCreateAgents": False, "canCreateSkills": True},
        "lastHeartbeatAt": iso(a.last_heartbeat_at), "metadata": None,
        "createdAt": iso(a.created_at), "updatedAt": iso(a.updated_at or a.created_at),
        "urlKey": a.url_key,
        "orgChainHealth": {
            "status": "healthy", "reason": "healthy",
            "fullChain": [{"id": a.id, "companyId": a.company_id, "name": a.name, "status": status,
                           "reportsTo": None, "depth": 0, "relation": "self"}],
            "firstInvalidAncestor": None, "invalidAncestors": [], "repairGuidance": None,
            "pausedAncestors": [], "escalationWarning": None},
    }
    if detail:
        created = iso(a.created_at)
        row["chainOfCommand"] = []
        row["access"] = {
            "canAssignTasks": True, "taskAssignSource": "agent_creator",
            "membership": {"id": _derived_id(a.id, "1"), "companyId": a.company_id,
                           "principalType": "agent", "principalId": a.id, "status": "active",
                           "membershipRole": "member", "createdAt": created, "updatedAt": created},
            "grants": [{"id": _derived_id(a.id, "2"), "companyId": a.company_id,
                        "principalType": "agent", "principalId": a.id,
                        "permissionKey": "tasks:assign", "scope": None,
                        "grantedByUserId": BOARD_USER, "createdAt": created, "updatedAt": created}],
        }
    return row


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
        "sessionParamsJson": {"sessionId": a.session_id, "cwd": a.adapter_config.get("cwd")}
        if a.session_id else None,
    }


# fields of an Issue the demo has no opinion about, with the values a plain issue has
_ISSUE_DEFAULTS = {
    "conversationAgentId": None, "conversationUserId": None, "conversationState": None,
    "conversationSessionGeneration": 0, "conversationBoundaryCommentId": None,
    "projectId": None, "projectWorkspaceId": None, "goalId": None, "parentId": None,
}
_ISSUE_TAIL = {
    "labels": [], "labelIds": [], "watchdog": None, "ancestors": [],
    "blockerAttention": {"state": "none", "reason": None, "unresolvedBlockerCount": 0,
                         "coveredBlockerCount": 0, "stalledBlockerCount": 0,
                         "attentionBlockerCount": 0, "pendingFinalizeBlockerIssueIds": [],
                         "sampleBlockerIdentifier": None, "sampleStalledBlockerIdentifier": None,
                         "blockingTreeLive": False, "directBlockerIssueId": None,
                         "terminalBlockerIssueId": None, "terminalBlocker": None},
    "reviewAttention": {"state": "none", "paths": [], "reason": None},
    "successfulRunHandoff": None, "executionBlocker": None, "scheduledRetry": None,
    "activeRecoveryAction": None, "blockedBy": [], "blocks": [],
    "relatedWork": {"outbound": [], "inbound": []}, "referencedIssueIdentifiers": [],
    "planDocument": None, "documentSummaries": [], "legacyPlanDocument": None, "project": None,
    "goal": None, "mentionedProjects": [], "currentExecutionWorkspace": None,
    "workProducts": [], "linkedCases": [], "externalChannelBinding": None,
}


def issue(i: Issue, execution_run_id: str | None) -> dict:
    created = iso(i.created_at)
    started = created if i.status != "todo" else None
    row = {"id": i.id, "companyId": i.company_id, **_ISSUE_DEFAULTS}
    row.update({
        "title": i.title, "description": i.description, "status": i.status, "statusVersion": 1,
        "lastStatusDecisionId": None, "workMode": "standard", "harnessKind": None,
        "priority": i.priority, "reviewPolicy": None, "assigneeAgentId": i.assignee_agent_id,
        "assigneeUserId": None, "checkoutRunId": execution_run_id,
        "executionRunId": execution_run_id, "executionAgentNameKey": None,
        "executionLockedAt": None, "createdByAgentId": None, "createdByUserId": BOARD_USER,
        "responsibleUserId": BOARD_USER, "issueNumber": i.number, "identifier": i.identifier,
        "originKind": "manual", "originId": None, "originRunId": None,
        "originIdentityContextId": None, "continuationIdentityContextId": None,
        "originFingerprint": "default", "requestDepth": 0, "billingCode": None,
        "assigneeAdapterOverrides": None, "executionPolicy": None, "executionState": None,
        "monitorNextCheckAt": None, "monitorWakeRequestedAt": None,
        "monitorLastTriggeredAt": None, "monitorAttemptCount": 0, "monitorNotes": None,
        "monitorScheduledBy": None, "executionWorkspaceId": None,
        "executionWorkspacePreference": None, "executionWorkspaceSettings": None,
        "sourceTrust": None, "unblockDescriptor": None, "blockedTransitionAt": None,
        "blockedOwnerNotifiedAt": None, "startedAt": started, "completedAt": None,
        "cancelledAt": None, "hiddenAt": None, "createdAt": created, "updatedAt": created,
    })
    row.update(_ISSUE_TAIL)
    return row


def run_issue(i: Issue) -> dict:
    """An element of GET /heartbeat-runs/:id/issues (services/activity.ts issuesForRun)."""
    return {"issueId": i.id, "identifier": i.identifier, "title": i.title, "status": i.status,
            "priority": i.priority}


def _derived_id(base: str, digit: str) -> str:
    """A stable uuid next to `base` (membership and grant rows of a seeded agent)."""
    return base[:-1] + digit
