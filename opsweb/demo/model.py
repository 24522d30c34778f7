"""Plain records of the demo world: companies, agents, issues, runs.

Times are epoch seconds; shapes.py turns them into Paperclip's JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LIVE_STATUSES = ("queued", "running")
CANCELLABLE_STATUSES = ("queued", "running", "scheduled_retry")
TERMINAL_STATUSES = ("succeeded", "interrupted", "failed", "cancelled", "timed_out")


@dataclass
class Company:
    id: str
    name: str
    issue_prefix: str
    created_at: float
    description: str | None = None
    issue_counter: int = 0
    budget_monthly_cents: int = 0
    spent_monthly_cents: int = 0


@dataclass
class Agent:
    id: str
    company_id: str
    name: str
    url_key: str
    role: str
    title: str | None
    icon: str | None
    adapter_type: str
    adapter_config: dict
    script: str  # which scripts.py script its runs play
    max_concurrent_runs: int
    heartbeat_enabled: bool
    interval_sec: int
    created_at: float
    # how many live runs (running + queued) a timer wake may leave behind
    wake_cap: int = 1
    next_wake_at: float | None = None
    last_heartbeat_at: float | None = None
    updated_at: float | None = None
    # agent_runtime_state + agent_task_sessions, as reset-session sees them
    session_id: str | None = None
    state_json: dict = field(default_factory=dict)
    task_keys: list[str] = field(default_factory=list)
    last_run_id: str | None = None
    last_run_status: str | None = None
    total_input_tokens: int = 0
    total_output_tokens: int = 0
    total_cached_input_tokens: int = 0
    total_cost_cents: int = 0
    runtime_updated_at: float | None = None
    # pause (POST /agents/:id/pause) and error state, as GET /agents shows them
    paused_at: float | None = None
    pause_reason: str | None = None
    error_reason: str | None = None
    budget_monthly_cents: int = 0
    spent_monthly_cents: int = 0


@dataclass
class Issue:
    id: str
    company_id: str
    number: int
    identifier: str
    title: str
    status: str
    priority: str
    assignee_agent_id: str | None
    created_at: float
    description: str | None = None


@dataclass
class Step:
    """One chunk a run's child process writes, `delay` seconds after the previous one."""

    delay: float
    stream: str
    chunk: str
    tool: str | None = None  # currentToolName while this step is the latest
    snippet: str | None = None  # lastAssistantSnippet


@dataclass
class Script:
    steps: list[Step]
    outcome: str  # succeeded | failed | hang (stops printing and never exits)
    exit_code: int
    usage: dict | None
    result: dict | None
    session_id: str | None


@dataclass
class Run:
    id: str
    company_id: str
    agent_id: str
    status: str
    invocation_source: str
    trigger_detail: str | None
    created_at: float
    context: dict
    wakeup_request_id: str
    issue_id: str | None = None
    started_at: float | None = None
    process_started_at: float | None = None
    finished_at: float | None = None
    updated_at: float | None = None
    process_pid: int | None = None
    identity_context_id: str | None = None
    identity_created_at: float | None = None
    controller_boot_id: str | None = None
    error: str | None = None
    error_code: str | None = None
    exit_code: int | None = None
    usage: dict | None = None
    result: dict | None = None
    session_before: str | None = None
    session_after: str | None = None
    stdout_excerpt: str | None = None
    stderr_excerpt: str | None = None
    log_started: bool = False
    log: bytearray = field(default_factory=bytearray)
    log_bytes_final: int | None = None
    log_sha256: str | None = None
    seq: int = 0
    # lastOutputBytes/lastOutputSeq as Paperclip's run row holds them: written at most
    # once a minute and only when output arrives (heartbeat.ts flushOutputProgress)
    flushed_bytes: int | None = None
    flushed_seq: int = 0
    flushed_at: float | None = None
    last_output_at: float | None = None
    last_output_stream: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    # in-memory decorations the real server keeps per process
    status_message: str | None = None
    status_updated_at: float | None = None
    current_tool: str | None = None
    assistant_snippet: str | None = None
    last_event_at: float | None = None
    snoozed_until: float | None = None
    # simulation
    script: Script | None = None
    step_index: int = 0
    next_step_at: float | None = None
    autoplay: bool = False
    stdout_tail: str = ""
    stderr_tail: str = ""

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES
