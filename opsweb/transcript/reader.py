"""Reading a run's log from Paperclip a page at a time, by byte offset, and turning
it into transcript entries. No I/O of its own: the caller passes `fetch`.

Paperclip's /log answers `{content, nextOffset?}` where content is up to limitBytes
bytes of the NDJSON file decoded on their own, so a page can end (and, when the offset
is not ours, begin) in the middle of a record or of a UTF-8 character; each cut piece
of a character arrives as U+FFFD. nextOffset is absent at the end of the file.

The rules that keep byte offsets exact: a page is only ever requested at a character
boundary, and a page ending in U+FFFD gives that last character back to the next
request. Paperclip writes JSON text, so every other character re-encodes to exactly
the bytes it came from; for invalid UTF-8 (each bad sequence arrives as one U+FFFD)
the page's real length says how many bytes those characters stood for.

Where the end is: while a run lives Paperclip's size hint (lastOutputBytes) lags by up
to a minute, or for ever once the run goes quiet, so it is only a lower bound: the
end is found from it with small requests; every read is bounded (paging.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

from opsweb import platform_errors as port
from opsweb.transcript.cursor import SKIP_PARTIAL, Cursor, parse_offset
from opsweb.transcript.builder import TranscriptBuilder
from opsweb.transcript.entry import Entry
from opsweb.transcript.paging import PROBE, READ_LIMITS, Fetch, Guard, Limits, blen, find_end

CALL_BUDGET = 1_048_576  # bytes one read_log call fetches before handing back a cursor
_CUT = "\ufffd"


@dataclass(frozen=True)
class LogSlice:
    entries: tuple[Entry, ...]
    cursor: str | None          # pass back to read the output that follows (None for `before` reads)
    earlier: str | None         # pass as `before` to read the output that precedes; None at the start
    at_eof: bool                # the last fetch reached the end of the log (nextOffset absent)
    bytes_fetched: int
    started_at_offset: int
    offsets: tuple[int, ...] = ()          # the byte offset of each entry's record
    skipped: tuple[int, int] | None = None  # (from, to): output jumped over to reach the end
    calls: int = field(default=0, compare=False)


def _spread(total: int, count: int) -> list[int]:
    """Bytes per U+FFFD when `count` of them stood for `total` bytes: a bad sequence
    is 1 to 3 bytes, a real U+FFFD 3. Exact whenever one answer is possible (one
    U+FFFD, all real, all single bad bytes); otherwise the earliest get the most."""
    total = min(max(total, count), 3 * count)
    widths = [1] * count
    extra = total - count
    for i in range(count):
        add = min(2, extra)
        widths[i] += add
        extra -= add
    return widths


class _Pager:
    """Complete log lines with their byte offsets, from `start` onward. With `min_start`
    the text before the first newline is a partial line and is dropped, as are lines
    starting before min_start."""

    def __init__(self, fetch: Fetch, start: int, page: int, min_start: int | None = None) -> None:
        self.fetch, self.pos, self.page = fetch, start, page
        self.line_start = start
        self.carry = ""
        self.carry_widths: list[int] = []  # bytes of each U+FFFD in carry
        self.fetched = 0
        self.at_eof = False
        self.min_start = min_start or 0
        self.skipping = min_start is not None and start > 0
        self._first = True

    def _get(self, offset: int, limit: int) -> tuple[str, int | None]:
        content, nxt = self.fetch(offset, limit)
        self.fetched += (nxt - offset) if nxt is not None and nxt > offset else blen(content)
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
            safe, end = content, None
        elif content.endswith(_CUT) and len(content) > 1 and _CUT not in content[:-1]:
            safe = content[:-1]  # perhaps a cut character: ask for it again next time
            end = self.pos + blen(safe)
        else:
            # A page holding other U+FFFDs keeps its last one: only nextOffset says
            # where the page really ends.
            safe, end = content, nxt
        widths: list[int] = []
        if _CUT in safe:
            if end is None:
                end = self._find_page_end(safe)
            count = safe.count(_CUT)
            widths = _spread(end - self.pos - (blen(safe) - 3 * count), count)
        elif end is None:
            end = self.pos + blen(safe)
        self.pos = end
        widths = self.carry_widths + widths
        parts = (self.carry + safe).split("\n")
        self.carry = parts.pop()
        out = []
        offset = self.line_start
        for line in parts:
            size, widths = self._size(line, widths)
            end = offset + size + 1
            if self.skipping:
                self.skipping = False
            elif offset >= self.min_start:
                out.append((offset, line, end))
            offset = end
        self.line_start = offset
        self.carry_widths = widths
        return out

    @staticmethod
    def _size(text: str, widths: list[int]) -> tuple[int, list[int]]:
        """Bytes of `text` whose U+FFFDs stood for widths[:n] bytes; the rest of widths."""
        if not widths:
            return blen(text), widths
        count = text.count(_CUT)
        return blen(text) - 3 * count + sum(widths[:count]), widths[count:]

    def _find_page_end(self, text: str) -> int:
        """Where the log ends, when the last page holds U+FFFDs of unknown width: the
        end lies within [all of them one byte, all three]; one-byte requests bisect it
        (at x: nextOffset present means more bytes follow x + 1; otherwise there are at
        most x + 1, even when Paperclip clamped x to a log that grew meanwhile). Where
        an answer leaves a byte in doubt, or the log grew past the page meanwhile, the
        lower end is taken: a cursor may re-read a byte, never skip one."""
        lo = floor = self.pos + blen(text) - 2 * text.count(_CUT)
        hi = ceiling = self.pos + blen(text)
        while lo < hi:
            x = (lo + hi) // 2
            content, nxt = self._get(x, 1)
            if nxt is not None:
                lo = x + 2
            elif content and x + 1 < hi:
                hi = x + 1
            elif content:  # x + 1 if the log still ends there: two bytes from x - 1 say so
                content, nxt = self._get(x - 1, 2)
                return x + 1 if nxt is None and len(content) == 2 else x
            else:
                hi = x
        return lo if lo <= ceiling else floor

    def take_carry(self) -> tuple[int, str, int] | None:
        """The unfinished last line, once the log is known to end there."""
        if self.skipping or not self.carry or self.line_start < self.min_start:
            return None
        size, _ = self._size(self.carry, self.carry_widths)
        record = (self.line_start, self.carry, self.line_start + size)
        self.line_start, self.carry, self.carry_widths = record[2], "", []
        return record


def _pump(pager: _Pager, builder: TranscriptBuilder, budget: int, stop_at: int | None = None,
          lines: list | None = None) -> None:
    """Feed pages to the builder until EOF, the budget, or a line starting at stop_at.
    `lines`: a page already fetched, fed first."""
    fed = False
    while True:
        for offset, line, end in pager.next_page() if lines is None else lines:
            if stop_at is not None and offset >= stop_at:
                return
            builder.feed(offset, line, end)
            fed = True
        lines = None
        if pager.at_eof or (pager.fetched >= budget and fed):
            return
        if pager.fetched >= budget + 8 * port.MAX_LOG_PAGE_BYTES:  # no line break for megabytes: not a log
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


def read_log(fetch: Fetch, adapter_type: str | None, cursor: str | None = None, *,
             tail_bytes: int = 262_144, max_page: int = port.MAX_LOG_PAGE_BYTES, size_hint: int | None = None,
             eof_flush: bool = False, before: str | int | None = None,
             since: str | int | None = None, jump: bool = False, budget: int = CALL_BUDGET,
             limits: Limits = READ_LIMITS, clock: Callable[[], float] = time.monotonic) -> LogSlice:
    """Entries of a run log. Three ways in:

    * cursor=None: the tail, the records starting in the last `tail_bytes` of the log
      (size_hint: a lower bound of the log's size, e.g. Paperclip's logBytes or
      lastOutputBytes; the end is found from there);
    * cursor=<previous slice's cursor>: only what came after it; with `jump`, a reader
      more than `tail_bytes` behind skips to the tail instead (`skipped` says what
      was jumped over);
    * before=<previous slice's earlier>: the `tail_bytes` of records preceding that
      point, none before `since` (the start of a skipped stretch).

    eof_flush: the run is over, so an unfinished last line is shown rather than kept
    for later; budget: the bytes a cursor read fetches before it stops. Raises
    ValueError for a malformed cursor/before; fetch errors propagate, and
    port.BadResponse when the read runs past `limits`.
    """
    if max_page < 4 or tail_bytes < 1:
        raise ValueError("max_page must be at least 4 bytes and tail_bytes at least 1")
    page = min(max_page, port.MAX_LOG_PAGE_BYTES)
    guard = Guard(fetch, replace(limits, calls=limits.calls + limits.bytes // page), clock)
    if before is not None:
        floor = parse_offset(since, "since") if since is not None else 0
        return _read_before(guard, adapter_type, parse_offset(before), tail_bytes, page, floor)
    if cursor is None:
        return _read_tail(guard, adapter_type, tail_bytes, page, size_hint or 0, eof_flush)
    at = Cursor.parse(cursor)
    builder = TranscriptBuilder(adapter_type, at.state, shown_until=at.offset + at.shown,
                                resume_at=(at.offset, at.consumed) if at.resumes_line else None)
    pager = _Pager(guard, at.offset, page, at.offset if SKIP_PARTIAL in at.state else None)
    first = None
    if jump:
        # One window's worth first: if the log goes on past it, the reader is more
        # than a window behind and jumps to the tail rather than stream the middle.
        pager.page = min(page, tail_bytes + at.shown)
        first = pager.next_page()
        pager.page = page
        if not pager.at_eof:
            return _read_tail(guard, adapter_type, tail_bytes, page, pager.pos, eof_flush,
                              skipped_from=at.offset)
    _pump(pager, builder, budget, lines=first)
    next_cursor = _finish(builder, pager, eof_flush, at.offset + at.shown)
    return _slice(builder, guard, next_cursor, None, pager.at_eof, at.offset)


def _slice(builder: TranscriptBuilder, guard: Guard, cursor: str | None, earlier: str | None,
           at_eof: bool, start: int, skipped: tuple[int, int] | None = None) -> LogSlice:
    return LogSlice(tuple(builder.entries), cursor, earlier, at_eof, guard.bytes, start,
                    tuple(builder.offsets), skipped, guard.calls)


def _read_tail(guard: Guard, adapter_type, tail_bytes: int, page: int, floor: int, eof_flush: bool,
               skipped_from: int | None = None) -> LogSlice:
    """The records starting in the last `tail_bytes`. The end is located only roughly
    (to half a window: fewer probes), so the lines from a window before it are read to
    the real end, and those that start in the last window are converted."""
    lo, _ = find_end(guard, floor, max(PROBE, tail_bytes // 2))
    read_from = max(0, lo - tail_bytes)
    pager = _Pager(guard, max(0, read_from - 1), page, min_start=read_from)
    lines: list[tuple[int, str, int]] = []
    while not pager.at_eof and pager.fetched < 2 * tail_bytes + CALL_BUDGET:
        lines += pager.next_page()
    start = max(read_from, pager.pos - tail_bytes)
    builder = TranscriptBuilder(adapter_type)
    for line in lines:
        if line[0] >= start:
            builder.feed(*line)
    next_cursor = _finish(builder, pager, eof_flush, start)
    skipped = (skipped_from, start) if skipped_from is not None and start > skipped_from else None
    return _slice(builder, guard, next_cursor, str(start) if start else None, pager.at_eof,
                  start, skipped)


def _read_before(guard: Guard, adapter_type, end: int, tail_bytes: int, page: int,
                 floor: int = 0) -> LogSlice:
    """Records starting in [end - tail_bytes, end) and not before `floor`, the last of
    them read to its end. A stdout line left open at the window's end is shown as a
    fragment: the next window (already on screen) starts with the rest."""
    start = min(end, max(floor, end - tail_bytes))
    builder = TranscriptBuilder(adapter_type)
    pager = _Pager(guard, max(0, start - 1), page, min_start=start)
    if end > start:
        _pump(pager, builder, tail_bytes + CALL_BUDGET, stop_at=end)
        if pager.at_eof and pager.line_start < end:
            record = pager.take_carry()
            if record:
                builder.feed(*record)
    builder.flush()
    return _slice(builder, guard, None, str(start) if start > floor else None, pager.at_eof, start)
