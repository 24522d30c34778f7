"""The log cursor: where the next poll of a run's log resumes, as a short string the
browser keeps and sends back (the server keeps no per-viewer state).

    <offset>[.<consumed>.<shown>][-<state>]

offset    byte offset of the first log record not fully shown yet; always a line start
consumed  characters of that record's stdout chunk already shown (an unfinished stdout
          line starts after them)
shown     bytes after offset whose records were already returned (re-read only to
          rebuild the unfinished line, their entries are not returned again)
state     a few letters of converter state (an open streamed block, Pi's "already
          streamed" flags), so that the next poll converts exactly as one pass would;
          "s" when offset is inside a line whose start belongs to an earlier window
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from opsweb.transcript.builder import STATE_ALPHABET

SKIP_PARTIAL = "s"  # offset is inside a line: drop text up to the first line break
_ALPHABET = STATE_ALPHABET + SKIP_PARTIAL
# [0-9], not \d: \d also matches "１" and "١"
_CURSOR = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,15})\.([0-9]{1,15}))?(?:-([a-z]{1,8}))?")
_OFFSET = re.compile(r"[0-9]{1,15}")


@dataclass(frozen=True)
class Cursor:
    offset: int
    consumed: int = 0
    shown: int = 0
    state: str = ""

    def __str__(self) -> str:
        text = str(self.offset)
        if self.consumed or self.shown:
            text += f".{self.consumed}.{self.shown}"
        return f"{text}-{self.state}" if self.state else text

    @property
    def resumes_line(self) -> bool:
        return bool(self.consumed or self.shown)

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        match = _CURSOR.fullmatch(text) if isinstance(text, str) else None
        state = (match.group(4) or "") if match else ""
        if not match or any(c not in _ALPHABET for c in state) or len(set(state)) != len(state):
            raise ValueError(
                f"invalid log cursor {text!r}: expected the cursor returned by the previous read "
                "(OFFSET, OFFSET.CONSUMED.SHOWN, optionally followed by -STATE)")
        return cls(int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0), state)


def parse_offset(value: str | int, what: str = "before") -> int:
    """A byte offset given by the browser (the `earlier` value of a previous read)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _OFFSET.fullmatch(value):
        return int(value)
    raise ValueError(f"invalid {what} offset {value!r}: expected a byte offset (a whole number >= 0)")
