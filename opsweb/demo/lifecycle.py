"""What happens to one run: start, print, finish or be cancelled.

Functions on a single Run record (the World holds the lock and picks the times). The
log is an in-memory bytearray holding exactly what Paperclip's run-log store writes:
one `{"ts","stream","chunk","seq"}` JSON object per line, UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable

from .clock import iso
from .model import Agent, Run

MAX_CHUNK_CHARS = 64 * 1024  # MAX_PERSISTED_LOG_CHUNK_CHARS in heartbeat.ts
TAIL_CHARS = 2000
NextId = Callable[[], int]
PRESENTATION_DECISION = {
    "schema": "paperclip.run_presentation_decision.v1", "commentId": None,
    "reasonCodes": ["no_user_facing_response"], "chosenSource": "none", "commentAction": "none",
    "sourceEventId": None, "resolverVersion": "1", "activityDisposition": "collapse"}


def envelope(t: float, stream: str, chunk: str, seq: int) -> bytes:
    # Node's JSON.stringify: no spaces, non-ASCII as-is, control characters as \u001b.
    return (json.dumps({"ts": iso(t), "stream": stream, "chunk": chunk, "seq": seq},
                       ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def compact_chunk(chunk: str) -> str:
    """Paperclip keeps the first 60% and the last 25% of an oversized chunk."""
    if len(chunk) <= MAX_CHUNK_CHARS:
        return chunk
    head, tail = int(MAX_CHUNK_CHARS * 0.6), int(MAX_CHUNK_CHARS * 0.25)
    omitted = len(chunk) - head - tail
    return (chunk[:head] + f"\n[paperclip truncated run log chunk: omitted {omitted} chars]\n"
            + chunk[-tail:])


def add_event(run: Run, next_id: NextId, t: float, event_type: str, message: str,
              level: str = "info", payload: dict | None = None) -> None:
    run.events.append({
        "id": next_id(), "companyId": run.company_id, "runId": run.id, "agentId": run.agent_id,
        "seq": len(run.events) + 1, "eventType": event_type, "stream": "system",
        "level": level, "color": None, "message": message, "payload": payload,
        "sourceInstanceId": None, "sourceEventId": None, "sourceSeq": None,
        "sourcePayloadSha256": None, "protocolSchemaVersion": None, "createdAt": iso(t),
    })
    run.last_event_at = t


def start(run: Run, agent: Agent, t: float, new_id: Callable[[], str], pid: int,
          next_id: NextId) -> None:
    run.status = "running"
    run.started_at, run.process_started_at, run.updated_at = t, t + 0.4, t
    run.process_pid = pid
    run.identity_context_id, run.identity_created_at = new_id(), t + 0.02
    run.controller_boot_id = new_id()
    run.log_started = True
    run.session_before = agent.session_id
    run.status_message, run.status_updated_at = "Starting adapter", t
    cwd = agent.adapter_config.get("cwd", "/srv/work")
    scratch = _scratch(run)["dir"]
    run.context.update({
        "paperclipWake": {"connectorSkillInstructions": ""},
        "paperclipScratch": {"dir": scratch, "type": "heartbeat_run",
                             "marker": ".paperclip-run-scratch.json",
                             "cleanupPolicy": "terminal_run",
                             "tempKeysApplied": ["TMPDIR", "TEMP", "TMP"]},
        "paperclipWorkspace": {"cwd": cwd, "mode": "shared_workspace", "source": "agent_home",
                               "strategy": "project_primary", "agentHome": cwd},
        "paperclipWorkspaces": [],
        "paperclipEnvironment": {"id": "85e01905-4e86-41a1-b98e-bfbd405a4c95", "name": "Local",
                                 "driver": "local", "sandboxLeaseAcquisition": None},
        "executionContinuation": None, "executionIdentityRunId": run.id,
        "githubAuthenticationMode": "host"})
    add_event(run, next_id, t + 0.4, "lifecycle", "run started")
    add_event(run, next_id, t + 0.45, "adapter.invoke", "adapter invocation", payload={
        "cwd": cwd, "env": {"HOME": "/home/paperclip", "TMPDIR": scratch,
                            "PAPERCLIP_RUN_ID": run.id, "PAPERCLIP_AGENT_ID": agent.id,
                            "PAPERCLIP_COMPANY_ID": agent.company_id,
                            "PAPERCLIP_API_KEY": "***REDACTED***",
                            "PAPERCLIP_API_URL": "http://127.0.0.1:3100"},
        "command": agent.adapter_config.get("command", agent.adapter_type.split("_")[0]),
        "adapterType": agent.adapter_type,
        "commandArgs": agent.adapter_config.get("args", [])})


OUTPUT_PROGRESS_FLUSH_SECONDS = 60.0  # ACTIVE_RUN_OUTPUT_PROGRESS_FLUSH_INTERVAL_MS


def flush_progress(run: Run, t: float, force: bool = False) -> None:
    """Output arrived at t: the run row learns the log's size and seq only if a
    minute has passed since it last did (or when the run ends), so while a run lives
    lastOutputBytes is a lagging lower bound, stale for ever once the run goes quiet."""
    if force or run.flushed_at is None or t - run.flushed_at >= OUTPUT_PROGRESS_FLUSH_SECONDS:
        if run.log_started:
            run.flushed_bytes, run.flushed_seq, run.flushed_at = len(run.log), run.seq, t


def emit(run: Run, t: float, stream: str, chunk: str, tool: str | None = None,
         snippet: str | None = None) -> None:
    chunk = compact_chunk(chunk)
    run.seq += 1
    run.log += envelope(t, stream, chunk, run.seq)
    run.last_output_at, run.last_output_stream, run.updated_at = t, stream, t
    flush_progress(run, t)
    run.status_message, run.status_updated_at, run.last_event_at = "Receiving agent output", t, t
    run.current_tool = tool
    if snippet:
        run.assistant_snippet = snippet[:200]
    if stream == "stderr":
        run.stderr_tail = (run.stderr_tail + chunk)[-TAIL_CHARS:]
    else:
        run.stdout_tail = (run.stdout_tail + chunk)[-TAIL_CHARS:]


def finish(run: Run, agent: Agent, t: float, status: str, exit_code: int | None,
           next_id: NextId) -> None:
    """succeeded / failed / timed_out / interrupted, as the process exits."""
    script = run.script
    run.status, run.finished_at, run.updated_at = status, t, t
    run.exit_code = exit_code
    run.current_tool = None
    run.stdout_excerpt = run.stdout_tail or None
    run.stderr_excerpt = run.stderr_tail or None
    run.session_after = script.session_id if script and script.session_id else run.session_before
    run.usage = script.usage if script else None
    result = dict(script.result) if script and script.result else {}
    if agent.adapter_type == "process":
        result.update({"stdout": run.stdout_tail[-500:], "stderr": run.stderr_tail[-500:]})
    result.setdefault("stopReason", "completed")
    result.update({"timeoutFired": False, "timeoutSource": "config", "timeoutConfigured": True,
                   "effectiveTimeoutSec": 3600, "presentationDecision": PRESENTATION_DECISION})
    run.result = result
    if status == "failed":
        run.error, run.error_code = f"Process exited with code {exit_code}", "adapter_failed"
    elif status == "timed_out":
        run.error, run.error_code = "Run timed out", "timeout"
    elif status == "interrupted":
        run.error, run.error_code = "Process lost: the server restarted mid-run", "process_lost"
    flush_progress(run, t, force=True)
    # the store finalizes the log (size + sha) only on a normal exit
    run.log_bytes_final = len(run.log)
    run.log_sha256 = hashlib.sha256(run.log).hexdigest()
    level = "info" if status == "succeeded" else "error"
    add_event(run, next_id, t, "lifecycle", f"run {status}", level,
              {"status": status, "exitCode": exit_code})
    add_event(run, next_id, t + 0.01, "run.presentation.resolved", "run presentation resolved",
              payload={"presentationDecision": PRESENTATION_DECISION})
    add_event(run, next_id, t + 0.02, "lifecycle", "run scratch cleaned", payload=_scratch(run))
    _account(agent, run, t)


def cancel(run: Run, agent: Agent, t: float, next_id: NextId, by_pause: bool = False) -> None:
    """A board operator's Stop; fields as in the captured cancel-queued.json. A pause
    cancels with its own error and code (heartbeat-runs-summary.json)."""
    was_running = run.status == "running"
    run.status, run.finished_at, run.updated_at = "cancelled", t, t
    run.error, run.error_code = (("Cancelled due to agent pause", "agent_paused") if by_pause
                                 else ("Cancelled by a board operator", "cancelled"))
    run.current_tool = None
    result = {"stopReason": "cancelled", "timeoutFired": False, "timeoutSource": "config",
              "cancelledByUserId": "local-board", "timeoutConfigured": True,
              "effectiveTimeoutSec": 900, "cancelledByActorType": "user"}
    if was_running:  # excerpts stay null: the log was never finalized
        result["executionRecovery"] = {"kind": "legacy_process", "providerWorkStarted": True}
        result["executionCancellation"] = {"state": "acknowledged", "acknowledgedAt": iso(t)}
    else:
        result["executionRecovery"] = {"kind": "bootstrap", "providerWorkStarted": False}
        result["startupCancellation"] = {"requestedAt": iso(t), "beforeNativeSelection": False}
    run.result = result
    flush_progress(run, t, force=True)
    # a cancelled run keeps logBytes null even though its log stays readable (LIVE)
    add_event(run, next_id, t, "lifecycle", "run cancelled", "warn")
    if was_running:
        add_event(run, next_id, t + 0.02, "lifecycle", "run scratch cleaned", payload=_scratch(run))
    _account(agent, run, t)


def _scratch(run: Run) -> dict:
    return {"dir": f"/tmp/paperclip-run-unassigned-{run.id[:12]}-demo00", "removed": True}


def _account(agent: Agent, run: Run, t: float) -> None:
    agent.last_run_id, agent.last_run_status, agent.runtime_updated_at = run.id, run.status, t
    agent.last_heartbeat_at = t
    if run.session_after:
        agent.session_id = run.session_after
    usage = run.usage or {}
    agent.total_input_tokens += usage.get("inputTokens", 0)
    agent.total_output_tokens += usage.get("outputTokens", 0)
    agent.total_cached_input_tokens += usage.get("cachedInputTokens", 0)
    agent.total_cost_cents += int(round(usage.get("costUsd", 0) * 100))
    agent.spent_monthly_cents += int(round(usage.get("costUsd", 0) * 100))


# Synthetic log lines for the bulk-append bench, per script; @N@ becomes a counter.
_BULK = {
    "claude": [("stdout", '{"type":"assistant","message":{"content":[{"type":"text","text":'
                          '"Step @N@: checked the module and moved on."}]}}\n'),
               ("stdout", '{"type":"assistant","message":{"content":[{"type":"tool_use",'
                          '"id":"toolu_@N@","name":"Bash","input":{"command":"ls -la"}}]}}\n'),
               ("stdout", '{"type":"user","message":{"content":[{"type":"tool_result",'
                          '"tool_use_id":"toolu_@N@","content":"total 8\\nsrc\\ntests",'
                          '"is_error":false}]}}\n')],
    "codex": [("stdout", '{"type":"item.completed","item":{"id":"item_@N@","type":'
                         '"command_execution","command":"ls","aggregated_output":"src\\n",'
                         '"exit_code":0,"status":"completed"}}\n'),
              ("stdout", '{"type":"item.completed","item":{"id":"item_@N@b","type":'
                         '"agent_message","text":"Checked step @N@."}}\n')],
    "process": [("stdout", "tick @N@ <script>alert(1)</script> שלום\n"),
                ("stderr", "\x1b[31mwarn @N@\x1b[0m\n"),
                ("stdout", "line a @N@\nline b @N@\n")],
}


def bulk_lines(script: str, nbytes: int, first_seq: int, t_end: float) -> tuple[bytes, int]:
    """At least `nbytes` of valid envelopes, fast (string templates, one encode)."""
    templates = [(s, json.dumps(c, ensure_ascii=False)) for s, c in _BULK.get(script, _BULK["process"])]
    parts: list[bytes] = []
    size, seq, n = 0, first_seq, 0
    ts = iso(t_end)
    while size < nbytes:
        n += 1
        for stream, chunk_json in templates:
            seq += 1
            line = (f'{{"ts":"{ts}","stream":"{stream}","chunk":'
                    f'{chunk_json.replace("@N@", str(n))},"seq":{seq}}}\n').encode("utf-8")
            parts.append(line)
            size += len(line)
    return b"".join(parts), seq - first_seq
