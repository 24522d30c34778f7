"""Bounded paging of a run log: `Guard` bounds one read by calls, bytes and time and
stops a server whose pages do not advance (one that ignores `offset` would otherwise
be read for ever); `find_end` finds where the log ends from a lagging size hint with
small requests. No I/O of its own: the caller passes `fetch`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from opsweb import platform_errors as port

PROBE = 4096
_GALLOP = 65_536         # the first step forward from a lagging size hint; doubles each time
_MAX_OFFSET = 1 << 50    # no run log is a petabyte: an end not found by then never comes

Fetch = Callable[[int, int], "tuple[str, int | None]"]


@dataclass(frozen=True)
class Limits:
    """The most one read may cost upstream. A dialog's read needs a few dozen small
    probes and a handful of pages; these bounds only bite when Paperclip misbehaves.
    `calls` counts the requests beyond one per page of the byte budget."""
    calls: int = 128
    bytes: int = 24 * port.MAX_LOG_PAGE_BYTES
    seconds: float = 30.0


READ_LIMITS = Limits()


class Guard:
    """`fetch`, bounded: raises BadResponse (a 502) once a read has made too many
    calls, fetched too many bytes or taken too long, and as soon as an answer's
    nextOffset does not move forward within what was asked for."""

    def __init__(self, fetch: Fetch, limits: Limits = READ_LIMITS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch, self.limits, self._clock = fetch, limits, clock
        self._deadline = clock() + limits.seconds
        self.calls = self.bytes = 0

    def __call__(self, offset: int, limit: int) -> tuple[str, int | None]:
        lim = self.limits
        if self.calls >= lim.calls or self.bytes >= lim.bytes or self._clock() > self._deadline:
            raise port.BadResponse(
                f"Stopped reading the run log after {self.calls} requests and {self.bytes:,} bytes"
                f" (limits: {lim.calls} requests, {lim.bytes:,} bytes, {lim.seconds:g} s): Paperclip's"
                " log pages did not lead to its end (does the server ignore offset?)")
        if offset > _MAX_OFFSET:
            raise port.BadResponse("Paperclip's log did not end before offset 2^50: its pages do not"
                                   " advance as they should, so reading stopped")
        content, nxt = self._fetch(offset, limit)
        self.calls += 1
        self.bytes += blen(content)
        if nxt is not None and not (type(nxt) is int and offset < nxt <= offset + limit):
            raise port.BadResponse(
                f"Paperclip's log answer for offset {offset} gave nextOffset {str(nxt)[:40]}: its"
                " pages do not advance, so reading stopped")
        return content, nxt


def blen(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))



def find_end(fetch: Fetch, floor: int, precision: int = PROBE) -> tuple[int, int]:
    """(lo, hi): the log's size in bytes lies in [lo, hi], hi - lo <= precision.
    `floor` is a lower bound (Paperclip's lagging lastOutputBytes, or 0): gallop forward
    from it with small requests until one passes the end, then bisect. A floor past the
    end (a log truncated or replaced) bisects back down. An exact floor costs one request."""
    below, above = 0, None  # a byte exists at `below` (or below is 0); none at `above`
    offset, gallop = max(floor - 2, 0), max(_GALLOP, precision)  # two bytes: see below
    while True:
        content, nxt = fetch(offset, PROBE)
        if nxt is not None:
            below = nxt
        elif len(content) > 1 or offset <= below:  # the end is in this answer (or the log is empty)
            size = offset + blen(content)
            return size, size
        else:
            # Paperclip clamps an offset past the end to the size it saw, and reads one
            # byte there if the log grew meanwhile: one byte says only "no further".
            above = offset + len(content)
        if above is None:
            offset, gallop = below + gallop, gallop * 4
        elif above - below <= precision:
            return below, above
        else:
            offset = (below + above) // 2
