"""How many runs were live, as opsweb saw them: a small ring of samples taken whenever
the fleet is read (the panel polls every 4 s while anyone watches; the rules loop
reads it too), one per minute, a day long. Paperclip keeps no such history, so the
overview's live-runs chart starts where this process started looking."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone

MINUTE = 60.0
DAY_OF_MINUTES = 24 * 60


@dataclass(frozen=True)
class Sample:
    at: float  # epoch seconds, the start of its minute
    running: int  # the most seen live in that minute
    queued: int
    complete: bool  # every company answered in each read of that minute

    def to_json(self) -> dict:
        return {"at": _iso(self.at), "running": self.running, "queued": self.queued,
                "complete": self.complete}


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).isoformat().replace("+00:00", "Z")


class LiveSamples:
    def __init__(self, keep: int = DAY_OF_MINUTES):
        self._ring: deque[Sample] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self.first: float | None = None  # when this process first looked

    def note(self, at: float, running: int, queued: int, complete: bool) -> None:
        minute = at - at % MINUTE
        with self._lock:
            if self.first is None:
                self.first = at
            last = self._ring[-1] if self._ring else None
            if last is not None and last.at == minute:
                self._ring[-1] = Sample(minute, max(last.running, running),
                                        max(last.queued, queued), last.complete and complete)
            elif last is None or minute > last.at:
                self._ring.append(Sample(minute, running, queued, complete))

    def since(self, start: float) -> list[Sample]:
        with self._lock:
            return [s for s in self._ring if s.at >= start - MINUTE]
