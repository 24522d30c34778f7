"""The demo world's clock and the time/id formats Paperclip uses.

The world never calls time.time() itself: it reads opsweb's own `Clock` (re-exported
here), frozen in tests and real in benches and `opsweb demo`.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from opsweb.runtime.clock import Clock

__all__ = ["Clock", "iso", "ms_between", "canonical_uuid"]


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
