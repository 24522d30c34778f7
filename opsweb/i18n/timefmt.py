"""How times read in the panel: short relative ages, exact UTC on hover.

The words come through `gettext` (the page's language; English when not given), so
this stays plain functions on plain data. Its msgids are extracted from the calls."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from opsweb.i18n import said

Gettext = Callable[[str], str]


def _english(msgid: str) -> str:
    return msgid


def parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        then = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    # without a zone the instant is unknown (and cannot be compared with an aware now)
    return then if then.tzinfo is not None else None


def duration(seconds: float | None, gettext: Gettext = _english) -> str:
    """`<1 m`, `3 m`, `1 h 05 m`, `2 d 4 h`: precise enough to judge (Paperclip flags
    silence at 1 h and 4 h), and stable enough that a refresh rarely changes it."""
    if seconds is None:
        return "—"
    s = int(seconds)
    if s < 60:
        return gettext("<1 m")
    if s < 3600:
        return gettext("%(m)d m") % {"m": s // 60}
    if s < 86400:
        return gettext("%(h)d h %(m)02d m") % {"h": s // 3600, "m": s % 3600 // 60}
    return gettext("%(d)d d %(h)d h") % {"d": s // 86400, "h": s % 86400 // 3600}


def ago(value: str | None, now: datetime | None = None, gettext: Gettext = _english) -> str:
    then = parse(value)
    if then is None:
        return "—"
    now = now or datetime.now(timezone.utc)
    elapsed = duration(max(0.0, (now - then).total_seconds()), gettext)
    return gettext("%(duration)s ago") % {"duration": elapsed}


class Ago(said.Said):
    """`ago` inside a sentence built in Python (a Said): English as a str, in the page's
    language where the sentence is shown."""

    def __new__(cls, value: str | None, now: datetime | None = None) -> "Ago":
        self = str.__new__(cls, ago(value, now))
        self.msgid, self.params, self.value, self.now = str(self), {}, value, now
        return self

    def translated(self) -> str:
        return ago(self.value, self.now, said.gettext)


class Duration(said.Said):
    """`duration` inside a sentence built in Python ("No output for 5 h 02 m: …")."""

    def __new__(cls, seconds: float | None) -> "Duration":
        self = str.__new__(cls, duration(seconds))
        self.msgid, self.params, self.seconds = str(self), {}, seconds
        return self

    def translated(self) -> str:
        return duration(self.seconds, said.gettext)


def exact_time(value: str | None, label: str = "", gettext: Gettext = _english) -> str:
    then = parse(value)
    if then is None:
        return gettext("%(label)s: never") % {"label": label} if label else ""
    text = then.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{label}: {text}" if label else text


def clock(value: str | None) -> str:
    then = parse(value)
    return then.astimezone(timezone.utc).strftime("%H:%M:%S") if then else "—"


def seconds(value: float | None, gettext: Gettext = _english) -> str:
    """A finished run's length or a timer interval: `1.3 s`, `45 s`, `3 m 05 s`, `2 h 10 m`."""
    if not isinstance(value, (int, float)):
        return "—"
    if value < 10:
        return gettext("%(s).1f s") % {"s": value}
    s = int(value)
    if s < 60:
        return gettext("%(s)d s") % {"s": s}
    if s < 3600:
        return gettext("%(m)d m %(s)02d s") % {"m": s // 60, "s": s % 60}
    return gettext("%(h)d h %(m)02d m") % {"h": s // 3600, "m": s % 3600 // 60}


def filters(gettext: Gettext = _english) -> dict[str, Callable]:
    """The Jinja filters, speaking the language of `gettext`."""
    return {"ow_duration": lambda seconds: duration(seconds, gettext),
            "ow_ago": lambda value: ago(value, gettext=gettext),
            "ow_exact_time": lambda value, label="": exact_time(value, label, gettext),
            "ow_seconds": lambda value: seconds(value, gettext),
            "ow_clock": clock}
