"""The demo world's clock and the time/id formats Paperclip uses.

The world never calls time.time() itself: tests hand it a frozen clock and move it by
hand, benches and `opsweb demo` use real time, and both can jump ahead (to make a run
look silent for hours without waiting hours).
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timezone


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

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


def iso(t: float | None) -> str | None:
    """Epoch seconds -> `2026-11-24T15:09:19.595Z` (JavaScript's Date.toISOString)."""
    if t is None:
        return None
    ms = int(round(t * 1000))
    secs, millis = divmod(ms, 1000)
    stamp = datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{millis:03d}Z"


def ms_between(later: float, earlier: float) -> int:
    return int(round((later - earlier) * 1000))


# Postgres accepts a uuid with or without hyphens, in any case; anything else makes
# the real server's query throw, which it answers with a bare 500.
_UUID_RE = re.compile(
    r"^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$", re.I
)


def canonical_uuid(value: str) -> str | None:
    """The lower-case hyphenated form of a Postgres-acceptable uuid, else None."""
    if not _UUID_RE.match(value or ""):
        return None
    hexdigits = re.sub(r"[^0-9a-fA-F]", "", value).lower()
    return "-".join(
        (hexdigits[:8], hexdigits[8:12], hexdigits[12:16], hexdigits[16:20], hexdigits[20:])
    )
