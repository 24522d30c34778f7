"""Reading a run's log from Paperclip a page at a time, by byte offset, and turning
it into transcript entries. No I/O of its own: the caller passes `fetch`.

Paperclip's /log answers `{content, nextOffset?}` where content is up to limitBytes
bytes of the NDJSON file decoded on their own, so a page can end (and, when the offset
is not ours, begin) in the middle of a record or of a UTF-8 character; each cut piece
of a character arrives as U+FFFD. nextOffset is absent at the end of the file.

The rules that keep byte offsets exact: a page is only ever requested at a character
boundary, and a page ending in U+FFFD gives that last character back to the next
request. The log is valid UTF-8 (Paperclip writes JSON text), so every other
character re-encodes to exactly the bytes it came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from opsweb.log_cursor import SKIP_PARTIAL, Cursor, parse_offset
from opsweb.transcript import Entry, TranscriptBuilder

MAX_FETCH = 1_048_576   # Paperclip clamps limitBytes to 1 MiB
CALL_BUDGET = 1_048_576  # bytes one read_log call fetches before handing back a cursor
_PROBE = 4096
_CUT = "\ufffd"

Fetch = Callable[[int, int], "tuple[str, int | None]"]


@dataclass(frozen=True)
class LogSlice:
    entries: tuple[Entry, ...]
    cursor: str | None          # pass back to read the output that follows (None for `before` reads)
    earlier: str | None         # pass as `before` to read the output that precedes; None at the start
    at_eof: bool                # the last fetch reached the end of the log (nextOffset absent)
    bytes_fetched: int
    started_at_offset: int


def _blen(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class _Pager:
    """Complete log lines with their byte offsets, from `start` onward. With `min_start`
    the text before the first newline is a partial line and is dropped, as are lines
    starting before min_start."""

    def __init__(self, fetch: Fetch, start: int, page: int, min_start: int | None = None) -> None:
        self.fetch, self.pos, self.page = fetch, start, page
        self.line_start = start
        self.carry = ""
        self.fetched = 0
        self.at_eof = False
        self.min_start = min_start or 0
        self.skipping = min_start is not None and start > 0
        self._first = True

    def _get(self, offset: int, limit: int) -> tuple[str, int | None]:
        content, nxt = self.fetch(offset, limit)
        self.fetched += (nxt - offset) if nxt is not None and nxt > offset else _blen(content)
        return content, nxt

    def next_page(self) -> list[tuple[int, str, int]]:
        content, nxt = self._get(self.pos, self.page)
        if self._first and self.skipping:
            # Starting inside someone else's line: back up (at most 3 bytes) to a
            # character boundary so that the offsets that follow are exact.
            for _ in range(3):
                if not content.startswith(_CUT) or self.pos == 0:
                    break
                self.pos -= 1
                self.line_start = self.pos
                content, nxt = self._get(self.pos, self.page)
        self._first = False
        if nxt is None or nxt <= self.pos:
            self.at_eof = True
            safe = content
        elif content.endswith(_CUT) and len(content) > 1:
            safe = content[:-1]  # perhaps a cut character: ask for it again next time
            nxt = self.pos + _blen(safe)
        else:
            safe = content
        self.pos = nxt if nxt is not None else self.pos + _blen(safe)
        parts = (self.carry + safe).split("\n")
        self.carry = parts.pop()
        out = []
        offset = self.line_start
        for line in parts:
            end = offset + _blen(line) + 1
            if self.skipping:
                self.skipping = False
            elif offset >= self.min_start:
                out.append((offset, line, end))
            offset = end
        self.line_start = offset
        return out

    def take_carry(self) -> tuple[int, str, int] | None:
        """The unfinished last line, once the log is known to end there."""
        if self.skipping or not self.carry or self.line_start < self.min_start:
            return None
        record = (self.line_start, self.carry, self.line_start + _blen(self.carry))
        self.line_start, self.carry = record[2], ""
        return record


def _pump(pager: _Pager, builder: TranscriptBuilder, budget: int, stop_at: int | None = None) -> None:
    """Feed pages to the builder until EOF, the budget, or a line starting at stop_at."""
    fed = False
    while True:
        for offset, line, end in pager.next_page():
            if stop_at is not None and offset >= stop_at:
                return
            builder.feed(offset, line, end)
            fed = True
        if pager.at_eof or (pager.fetched >= budget and fed):
            return
        if pager.fetched >= budget + 8 * MAX_FETCH:  # no line break for megabytes: not a log
            return


def _finish(builder: TranscriptBuilder, pager: _Pager, eof_flush: bool, floor: int) -> str:
    if pager.skipping:
        # Started inside a line and no line break came yet: resume here, still dropping
        # that partial line (it belongs to the earlier window).
        return str(Cursor(pager.line_start, 0, 0, builder.state() + SKIP_PARTIAL))
    if eof_flush and pager.at_eof:
        record = pager.take_carry()
        if record:
            builder.feed(*record)
        builder.flush()
    done = max(pager.line_start, floor)
    state = builder.state()
    if builder.pending:
        offset, consumed = builder.pending
        return str(Cursor(offset, consumed, done - offset, state))
    return str(Cursor(done, 0, 0, state))


def _probe_size(fetch: Fetch, start: int) -> tuple[int, int]:
    """(approximate log size, bytes fetched) using small requests: gallop, then bisect.
    A size known to be at most `start` is good enough (the tail is then the whole log)."""
    below, above, fetched, offset = 0, None, 0, max(start, _PROBE)
    while True:
        content, nxt = fetch(offset, _PROBE)
        fetched += _blen(content)
        if not content:
            above = offset
        elif nxt is None:
            return offset + _blen(content), fetched
        else:
            below = nxt
        if above is not None and above <= start:
            return above, fetched
        if above is None:
            offset *= 2
        elif above - below <= _PROBE:
            content, nxt = fetch(below, _PROBE)
            return below + _blen(content), fetched + _blen(content)
        else:
            offset = (below + above) // 2


def read_log(fetch: Fetch, adapter_type: str | None, cursor: str | None = None, *,
             tail_bytes: int = 262_144, max_page: int = MAX_FETCH, size_hint: int | None = None,
             eof_flush: bool = False, before: str | int | None = None) -> LogSlice:
    """Entries of a run log. Three ways in:

    * cursor=None: the tail, the records starting in the last `tail_bytes` of the log
      (size_hint: the log size if known, e.g. Paperclip's logBytes/lastOutputBytes);
    * cursor=<previous slice's cursor>: only what came after it;
    * before=<previous slice's earlier>: the `tail_bytes` of records preceding that point.

    eof_flush: the run is over, so an unfinished last line is shown rather than kept
    for later. Raises ValueError for a malformed cursor/before; fetch errors propagate.
    """
    if max_page < 4 or tail_bytes < 1:
        raise ValueError("max_page must be at least 4 bytes and tail_bytes at least 1")
    page = min(max_page, MAX_FETCH)
    if before is not None:
        return _read_before(fetch, adapter_type, parse_offset(before), tail_bytes, page)
    if cursor is not None:
        at = Cursor.parse(cursor)
        builder = TranscriptBuilder(adapter_type, at.state, shown_until=at.offset + at.shown,
                                    resume_at=(at.offset, at.consumed) if at.resumes_line else None)
        pager = _Pager(fetch, at.offset, page, at.offset if SKIP_PARTIAL in at.state else None)
        _pump(pager, builder, CALL_BUDGET)
        next_cursor = _finish(builder, pager, eof_flush, at.offset + at.shown)
        return LogSlice(tuple(builder.entries), next_cursor, None, pager.at_eof,
                        pager.fetched, at.offset)
    return _read_tail(fetch, adapter_type, tail_bytes, page, size_hint, eof_flush)


def _read_tail(fetch, adapter_type, tail_bytes, page, size_hint, eof_flush) -> LogSlice:
    probed = 0
    if size_hint is None or size_hint <= 0:
        size_hint, probed = _probe_size(fetch, tail_bytes)
    for attempt in range(2):
        start = max(0, size_hint - tail_bytes)
        builder = TranscriptBuilder(adapter_type)
        pager = _Pager(fetch, max(0, start - 1), page, min_start=start)
        _pump(pager, builder, tail_bytes + CALL_BUDGET)
        if start == 0 or attempt or pager.line_start > start or pager.carry:
            break
        # Nothing at all after the hinted start: the hint overshot the log; measure it.
        size_hint, extra = _probe_size(fetch, 1)
        probed += pager.fetched + extra
    next_cursor = _finish(builder, pager, eof_flush, start)
    return LogSlice(tuple(builder.entries), next_cursor, str(start) if start else None,
                    pager.at_eof, probed + pager.fetched, start)


def _read_before(fetch, adapter_type, end: int, tail_bytes: int, page: int) -> LogSlice:
    """Records starting in [end - tail_bytes, end), the last of them read to its end.
    A stdout line left open at the window's end is shown as a fragment: the next
    window (already on screen) starts with the rest."""
    start = max(0, end - tail_bytes)
    builder = TranscriptBuilder(adapter_type)
    pager = _Pager(fetch, max(0, start - 1), page, min_start=start)
    if end > start:
        _pump(pager, builder, tail_bytes + CALL_BUDGET, stop_at=end)
        if pager.at_eof and pager.line_start < end:
            record = pager.take_carry()
            if record:
                builder.feed(*record)
    builder.flush()
    return LogSlice(tuple(builder.entries), None, str(start) if start else None,
                    pager.at_eof, pager.fetched, start)
