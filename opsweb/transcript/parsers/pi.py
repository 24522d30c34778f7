"""The Pi agent's JSON events, as the `process` adapter's UI parser reads them
(docs/paperclip-notes.md, "Run logs": a process agent's JSON objects go through
the Pi parser).

Pi streams a message three times over: deltas, then a block `*_end`, then `message_end`
with the full message. Text is shown once: from the deltas when they came, otherwise
from the end events. The two "already streamed" flags are this parser's only state and
travel in the log cursor, so a message split across two polls is not shown twice.
"""
from __future__ import annotations

import json

from opsweb.transcript.parsers._util import as_dict, as_num, as_str, pretty, stdout
from opsweb.transcript.entry import Entry, entry

_SILENT = frozenset({
    "agent_start", "agent_end", "turn_start", "tool_execution_update", "response",
    "extension_ui_request", "extension_ui_response", "extension_error",
})


def _blocks(content) -> tuple[str, str]:
    """(text, thinking) of a Pi message content (a string or a list of blocks)."""
    if type(content) is str:
        return content, ""
    text, thinking = [], []
    for block in content if type(content) is list else ():
        if type(block) is dict:
            if block.get("type") == "text" and type(block.get("text")) is str:
                text.append(block["text"])
            elif block.get("type") == "thinking" and type(block.get("thinking")) is str:
                thinking.append(block["thinking"])
    return "".join(text), "".join(thinking)


def _result_text(result) -> str:
    if type(result) is str:
        return result
    content = result.get("content") if type(result) is dict else result
    if type(content) is list:
        text, _ = _blocks(content)
        if text:
            return text
    return "" if result is None else json.dumps(result, ensure_ascii=False, default=str)


class PiParser:
    def __init__(self, state: str = "") -> None:
        self.text_streamed = "t" in state
        self.thinking_streamed = "k" in state

    def state(self) -> str:
        return ("t" if self.text_streamed else "") + ("k" if self.thinking_streamed else "")

    def parse(self, line: str, ts: str) -> list[Entry]:
        if line[:1] != "{":  # only an object is an event: plain output skips a failing decode
            return stdout(line, ts)
        try:
            obj = json.loads(line)
        except ValueError:
            return stdout(line, ts)
        if type(obj) is not dict:
            return stdout(line, ts)
        return self.event(obj, line, ts)

    def event(self, obj: dict, line: str, ts: str) -> list[Entry]:
        kind = obj.get("type")
        if kind in _SILENT:
            return []
        if kind == "message_start":
            self.text_streamed = self.thinking_streamed = False
            return []
        if kind == "message_update":
            return self._update(as_dict(obj.get("assistantMessageEvent")), ts)
        if kind == "message_end":
            return self._message_end(as_dict(obj.get("message")), ts)
        if kind == "turn_end":
            return [self._turn_result(as_dict(obj.get("message")), ts)]
        if kind == "session":
            return [entry("init", ts, model="pi", session_id=as_str(obj.get("id")))]
        if kind == "tool_execution_start":
            return [entry("tool_call", ts, name=as_str(obj.get("toolName"), "tool"),
                          tool_use_id=as_str(obj.get("toolCallId")) or None,
                          input=pretty(obj.get("args")))]
        if kind == "tool_execution_end":
            return [entry("tool_result", ts, _result_text(obj.get("result")),
                          name=as_str(obj.get("toolName"), "tool"),
                          tool_use_id=as_str(obj.get("toolCallId")) or None,
                          is_error=obj.get("isError") is True)]
        if kind == "error":
            return [entry("stderr", ts, as_str(obj.get("message")).strip() or line)]
        return stdout(line, ts)

    def _update(self, event: dict, ts: str) -> list[Entry]:
        kind = event.get("type")
        if kind == "text_delta" and as_str(event.get("delta")):
            self.text_streamed = True
            return [entry("assistant", ts, event["delta"], delta=True)]
        if kind == "thinking_delta" and as_str(event.get("delta")):
            self.thinking_streamed = True
            return [entry("thinking", ts, event["delta"], delta=True)]
        if kind == "text_end" and not self.text_streamed and as_str(event.get("content")):
            self.text_streamed = True
            return [entry("assistant", ts, event["content"])]
        if kind == "thinking_end" and not self.thinking_streamed and as_str(event.get("content")):
            self.thinking_streamed = True
            return [entry("thinking", ts, event["content"])]
        return []

    def _message_end(self, message: dict, ts: str) -> list[Entry]:
        role = message.get("role")
        text, thinking = _blocks(message.get("content"))
        out = []
        if role == "assistant":
            if thinking.strip() and not self.thinking_streamed:
                out.append(entry("thinking", ts, thinking))
            if text.strip() and not self.text_streamed:
                out.append(entry("assistant", ts, text))
        elif role == "user" and text.strip():
            out.append(entry("user", ts, text))
        self.text_streamed = self.thinking_streamed = False
        return out

    def _turn_result(self, message: dict, ts: str) -> Entry:
        usage = as_dict(message.get("usage"))
        stop = as_str(message.get("stopReason"))
        error = as_str(message.get("errorMessage"))
        return entry(
            "result", ts, "",
            input_tokens=as_num(usage.get("input")),
            output_tokens=as_num(usage.get("output")),
            cached_tokens=as_num(usage.get("cacheRead")),
            cost_usd=as_num(as_dict(usage.get("cost")).get("total")),
            subtype=stop,
            is_error=stop in ("error", "aborted"),
            errors=(error,) if error else (),
        )
