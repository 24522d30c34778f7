"""How times read in the panel: short relative ages, exact UTC on hover."""
from __future__ import annotations

from datetime import datetime, timezone


def parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def duration(seconds: float | None) -> str:
    """`<1 m`, `3 m`, `1 h 05 m`, `2 d 4 h`: precise enough to judge (Paperclip flags
    silence at 1 h and 4 h), and stable enough that a refresh rarely changes it."""
    if seconds is None:
        return "—"
    s = int(seconds)
    if s < 60:
        return "<1 m"
    if s < 3600:
        return f"{s // 60} m"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} m"
    return f"{s // 86400} d {s % 86400 // 3600} h"


def ago(value: str | None, now: datetime | None = None) -> str:
    then = parse(value)
    if then is None:
        return "—"
    now = now or datetime.now(timezone.utc)
    return f"{duration(max(0.0, (now - then).total_seconds()))} ago"


def exact_time(value: str | None, label: str = "") -> str:
    then = parse(value)
    if then is None:
        return f"{label}: never" if label else ""
    text = then.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{label}: {text}" if label else text


def clock(value: str | None) -> str:
    then = parse(value)
    return then.astimezone(timezone.utc).strftime("%H:%M:%S") if then else "—"


def seconds(value: float | None) -> str:
    """A finished run's length or a timer interval: `1.3 s`, `45 s`, `3 m 05 s`, `2 h 10 m`."""
    if not isinstance(value, (int, float)):
        return "—"
    if value < 10:
        return f"{value:.1f} s"
    s = int(value)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} m {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} m"


FILTERS = {"ow_seconds": seconds, "ow_duration": duration, "ow_ago": ago, "ow_exact_time": exact_time,
           "ow_clock": clock}
