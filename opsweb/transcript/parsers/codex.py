"""codex_local: `codex exec --json` events, mapped as Paperclip's parseCodexStdoutLine
does (docs/paperclip-notes.md, "Run logs")."""
from __future__ import annotations

import json

from opsweb.transcript.parsers._util import (
    JsonLineParser,
    as_dict, as_num, as_str, coalesce, error_text, errors_of, pretty, stdout,
)
from opsweb.transcript.entry import Entry, entry

_FAILED = frozenset({"failed", "errored", "error", "cancelled"})


def _any_text(value) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _command(item: dict, ts: str, started: bool) -> Entry:
    item_id, command = as_str(item.get("id")), as_str(item.get("command"))
    tool_id = item_id or command or "command_execution"
    if started:
        return entry("tool_call", ts, name="command_execution", tool_use_id=tool_id,
                     input=pretty({"id": item_id, "command": command}))
    status = as_str(item.get("status"))
    code = item.get("exit_code")
    code = code if type(code) is int else None
    lines = [f"command: {command}"] if command else []
    if status:
        lines.append(f"status: {status}")
    if code is not None:
        lines.append(f"exit_code: {code}")
    output = as_str(item.get("aggregated_output")).rstrip()
    if output:
        lines.extend(["", output] if lines else [output])
    return entry("tool_result", ts, "\n".join(lines).strip() or "command completed",
                 tool_use_id=tool_id, is_error=(code not in (None, 0)) or status in _FAILED)


def _file_change(item: dict, ts: str) -> Entry:
    changes = item.get("changes")
    changes = [c for c in changes if type(c) is dict] if type(changes) is list else []
    names = [f"{as_str(c.get('kind'), 'update')} {as_str(c.get('path'), 'unknown')}" for c in changes]
    if not names:
        return entry("system", ts, "file changes applied")
    more = f" (+{len(names) - 6} more)" if len(names) > 6 else ""
    return entry("system", ts, f"file changes: {', '.join(names[:6])}{more}")


def _tool_use(item: dict, ts: str, started: bool) -> Entry:
    name = as_str(item.get("name"), "unknown")
    tool_id = as_str(item.get("id"), name or "tool_use")
    if started:
        return entry("tool_call", ts, name=name, tool_use_id=tool_id, input=pretty(item.get("input")))
    status = as_str(item.get("status"))
    failed = item.get("is_error") is True or status in _FAILED
    raw = coalesce(*(item.get(k) for k in ("content", "output", "result", "error", "message")))
    text = as_str(raw) or error_text(raw) or _any_text(raw) or f"{name} {'failed' if failed else 'completed'}"
    return entry("tool_result", ts, text, tool_use_id=tool_id, is_error=failed)


def _item(item: dict, ts: str, started: bool) -> list[Entry]:
    kind = as_str(item.get("type"))
    phase = "started" if started else "completed"
    if kind == "agent_message":
        text = as_str(item.get("text"))
        return [entry("assistant", ts, text)] if text else []
    if kind == "reasoning":
        text = as_str(item.get("text"))
        return [entry("thinking", ts, text) if text else entry("system", ts, f"reasoning {phase}")]
    if kind == "command_execution":
        return [_command(item, ts, started)]
    if kind == "file_change" and not started:
        return [_file_change(item, ts)]
    if kind == "tool_use":
        return [_tool_use(item, ts, started)]
    if kind == "tool_result" and not started:
        raw = coalesce(item.get("content"), item.get("output"), item.get("result"))
        text = next((item[k] for k in ("content", "output", "result") if type(item.get(k)) is str and item[k]),
                    None) or _any_text(raw)
        return [entry("tool_result", ts, text,
                      tool_use_id=as_str(item.get("tool_use_id"), as_str(item.get("id"))),
                      is_error=item.get("is_error") is True or item.get("status") == "error")]
    if kind == "error" and not started:
        raw = coalesce(item.get("message"), item.get("error"), item)
        return [entry("stderr", ts, error_text(raw) or "error")]
    meta = " ".join(x for x in (f"id={item['id']}" if as_str(item.get("id")) else "",
                                f"status={item['status']}" if as_str(item.get("status")) else "") if x)
    return [entry("system", ts, f"item {phase}: {kind or 'unknown'}{f' ({meta})' if meta else ''}")]


def _turn_result(obj: dict, ts: str, failed: bool) -> Entry:
    usage = as_dict(obj.get("usage"))
    if failed:
        message = error_text(coalesce(obj.get("error"), obj.get("message")))
        errors = (message,) if message else ()
    else:
        errors = errors_of(obj.get("errors"))
    return entry(
        "result", ts, as_str(obj.get("result")),
        input_tokens=as_num(usage.get("input_tokens")),
        output_tokens=as_num(usage.get("output_tokens")),
        cached_tokens=as_num(usage.get("cached_input_tokens"), as_num(usage.get("cache_read_input_tokens"))),
        cost_usd=as_num(obj.get("total_cost_usd")),
        subtype=as_str(obj.get("subtype"), "turn.failed" if failed else ""),
        is_error=failed or obj.get("is_error") is True,
        errors=errors,
    )


class CodexParser(JsonLineParser):
    def parse_object(self, obj: dict, line: str, ts: str) -> list[Entry]:
        kind = as_str(obj.get("type"))
        if kind == "thread.started":
            return [entry("init", ts, model=as_str(obj.get("model"), "codex"),
                          session_id=as_str(obj.get("thread_id")))]
        if kind == "turn.started":
            return [entry("system", ts, "turn started")]
        if kind in ("item.started", "item.completed"):
            item = obj.get("item")
            if type(item) is not dict:
                return [entry("system", ts, kind.replace(".", " ", 1))]
            return _item(item, ts, kind == "item.started")
        if kind in ("turn.completed", "turn.failed"):
            return [_turn_result(obj, ts, kind == "turn.failed")]
        if kind == "error":
            return [entry("stderr", ts, error_text(coalesce(obj.get("message"), obj.get("error"), obj)) or line)]
        return stdout(line, ts)
