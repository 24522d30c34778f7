"""claude_local: Claude Code `--output-format stream-json` lines, mapped as Paperclip's
parseClaudeStdoutLine does (docs/paperclip-notes.md, "Run logs")."""
from __future__ import annotations

from opsweb.transcript.parsers._util import (
    JsonLineParser,
    as_dict, as_num, as_str, errors_of, pretty, stdout,
)
from opsweb.transcript.entry import Entry, entry


def _blocks(message: dict) -> list[tuple]:
    """(type, block) for each content block of a stream-json message."""
    content = message.get("content")
    if type(content) is not list:
        return []
    return [(block.get("type"), block) for block in content if type(block) is dict]


def _assistant(message: dict, ts: str) -> list[Entry]:
    out = []
    for kind, block in _blocks(message):
        if kind == "text":
            text = as_str(block.get("text"))
            if text:
                out.append(entry("assistant", ts, text))
        elif kind == "thinking":
            text = as_str(block.get("thinking"))
            if text:
                out.append(entry("thinking", ts, text))
        elif kind == "tool_use":
            tool_id = block.get("id")
            if type(tool_id) is not str:
                tool_id = block.get("tool_use_id") if type(block.get("tool_use_id")) is str else None
            out.append(entry("tool_call", ts, name=as_str(block.get("name"), "unknown"),
                             tool_use_id=tool_id, input=pretty(block.get("input"))))
    return out


def _tool_result_text(content) -> str:
    if type(content) is str:
        return content
    if type(content) is list:
        return "\n".join(p["text"] for p in content if type(p) is dict and type(p.get("text")) is str)
    return ""


def _user(message: dict, ts: str) -> list[Entry]:
    out = []
    for kind, block in _blocks(message):
        if kind == "text":
            text = as_str(block.get("text"))
            if text:
                out.append(entry("user", ts, text))
        elif kind == "tool_result":
            out.append(entry("tool_result", ts, _tool_result_text(block.get("content")),
                             tool_use_id=as_str(block.get("tool_use_id")),
                             is_error=block.get("is_error") is True))
    return out


def _result(obj: dict, ts: str) -> Entry:
    usage = as_dict(obj.get("usage"))
    return entry(
        "result", ts, as_str(obj.get("result")),
        input_tokens=as_num(usage.get("input_tokens")),
        output_tokens=as_num(usage.get("output_tokens")),
        cached_tokens=as_num(usage.get("cache_read_input_tokens")),
        cost_usd=as_num(obj.get("total_cost_usd")),
        subtype=as_str(obj.get("subtype")),
        is_error=obj.get("is_error") is True,
        errors=errors_of(obj.get("errors")),
    )


class ClaudeParser(JsonLineParser):
    def parse_object(self, obj: dict, line: str, ts: str) -> list[Entry]:
        kind = obj.get("type")
        if kind == "assistant":
            return _assistant(as_dict(obj.get("message")), ts) or stdout(line, ts)
        if kind == "user":
            return _user(as_dict(obj.get("message")), ts) or stdout(line, ts)
        if kind == "result":
            return [_result(obj, ts)]
        if kind == "system" and obj.get("subtype") == "init":
            return [entry("init", ts, model=as_str(obj.get("model"), "unknown"),
                          session_id=as_str(obj.get("session_id")))]
        return stdout(line, ts)
