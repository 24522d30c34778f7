"""The searchable text of finished runs, kept so that searching a run again (a refined
query, the next 200 matches, a regular expression, the agent card's search) neither reads
its log from Paperclip nor converts it: converting is nearly all of a first search's time.

A finished run's log no longer changes: what a search of it converted is kept, read by
read, as long as each read follows the last one kept (a search from the start, or from a
cursor where the kept text ends); once the end of the log is reached the reads become one
Segment. Kept with the log's size, checked on every search: a log that changed is read
again. A live run is never kept. Bounded in bytes: the run searched longest ago goes
first, and a run whose text alone passes the bound is not kept.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from collections import OrderedDict
from typing import Callable, Iterator

from opsweb.fleet.search_text import Segment


class _Kept:
    def __init__(self, size: int):
        self.size = size              # the log's size when it was read
        self.segments: list[Segment] = []
        self.bytes = 0
        self.end = "0"                # the cursor after the last read kept
        self.complete = False

    def view(self, cursor: str) -> list[Segment] | None:
        """The kept text from a read that began at `cursor` on ([] when the kept text ends
        there), or None when no kept read begins there."""
        if cursor == self.end and not self.complete:
            return []
        for n, seg in enumerate(self.segments):
            for index, (_, start) in enumerate(seg.reads):
                if start == cursor:
                    return [seg.from_read(index)] + self.segments[n + 1:]
        return None


class SearchStore:
    def __init__(self, budget_bytes: int):
        self.budget = budget_bytes
        self._runs: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        with self._lock:
            return sum(k.bytes for k in self._runs.values())

    def segments(self, run_id: str, finished: bool, size: int, cursor: str,
                 reads_from: Callable[[str], Iterator]) -> Iterator[Segment]:
        """The run's transcript from `cursor` on as Segments: what is kept, then what
        `reads_from(cursor)` reads and converts (kept as it goes, when it may be)."""
        kept = self._kept(run_id, size, cursor) if finished and self.budget else None
        if kept is not None:
            with self._lock:
                view = kept.view(cursor)
            if view is None:
                kept = None
            else:
                yield from view
                if kept.complete:
                    return
                cursor = kept.end
        for read in reads_from(cursor):
            seg = Segment.of(read)
            if kept is not None:
                kept = self._add(run_id, kept, seg)
            yield seg
        if kept is not None:   # read to the end of the log (the last read may hold nothing)
            self._add(run_id, kept, None)

    def _kept(self, run_id: str, size: int, cursor: str) -> _Kept | None:
        with self._lock:
            kept = self._runs.get(run_id)
            if kept is not None and kept.size != size:
                del self._runs[run_id]
                kept = None
            if kept is None and cursor == "0":
                kept = self._runs[run_id] = _Kept(size)
            if kept is not None:
                self._runs.move_to_end(run_id)
            return kept

    def _add(self, run_id: str, kept: _Kept, seg: Segment | None) -> _Kept | None:
        """Keep seg after what is kept of the run (None: the log ended); None once the
        run is no longer kept (dropped for room, or passed over by another search)."""
        with self._lock:
            if self._runs.get(run_id) is not kept or kept.complete \
                    or (seg is not None and seg.start != kept.end):
                return None
            if seg is not None:
                kept.segments.append(seg)
                kept.bytes += seg.size
                kept.end = seg.end
            if (seg is None or seg.at_eof) and kept.segments:
                kept.segments = [replace(Segment.join(kept.segments), at_eof=True)]
                kept.complete = True
            total = sum(k.bytes for k in self._runs.values())
            while total > self.budget and self._runs:
                oldest_id, oldest = next(iter(self._runs.items()))
                if oldest is kept and len(self._runs) > 1:
                    self._runs.move_to_end(run_id)
                    continue
                del self._runs[oldest_id]
                total -= oldest.bytes
            return kept if self._runs.get(run_id) is kept else None
