"""Time, passed in: the panel reads the clock only through one of these.

`now()` is wall time in epoch seconds (how old a run is, when a sign-in expires);
`monotonic()` is for windows that must not jump with the wall clock (how long an
upstream answer is shared). Tests hand in a frozen clock and move it with
`advance()` instead of sleeping; the demo Paperclip's world runs on one too, and
`opsweb demo` can jump it ahead to make a run look silent for hours.
"""
from __future__ import annotations

import threading
import time


class Clock:
    """Real time plus an offset; frozen at `frozen_at` (epoch seconds) when given."""

    def __init__(self, frozen_at: float | None = None):
        self._lock = threading.Lock()
        self._frozen_at = frozen_at
        self._offset = 0.0

    def now(self) -> float:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.time()
            return base + self._offset

    def monotonic(self) -> float:
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.monotonic()
            return base + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
