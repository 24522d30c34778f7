"""One stdout line parser per agent output format, chosen by the run's adapterType.

A parser turns one trimmed stdout line into entries. It may keep a little state
between lines (state() -> a few letters, restored by the constructor) because the log
cursor carries it from one poll to the next.
"""
from __future__ import annotations

from typing import Protocol

from opsweb.transcript.parsers.claude import ClaudeParser
from opsweb.transcript.parsers.codex import CodexParser
from opsweb.transcript.parsers.generic import GenericParser
from opsweb.transcript.parsers.pi import PiParser
from opsweb.transcript.entry import Entry


class LineParser(Protocol):
    def parse(self, line: str, ts: str) -> list[Entry]: ...
    def state(self) -> str: ...


_PARSERS = {
    "claude_local": ClaudeParser,
    "codex_local": CodexParser,
    # Paperclip's process UI parser hands JSON objects to the Pi parser (§8.5), and
    # Pi's own adapter emits the same events.
    "process": PiParser,
    "pi_local": PiParser,
}

STATE_LETTERS = "tk"  # every letter a parser may put in its state()


def parser_for(adapter_type: str | None, state: str = "") -> LineParser:
    return _PARSERS.get(adapter_type or "", GenericParser)(state)
