"""Small readers shared by the line parsers: tolerant field access in the style of
Paperclip's own parsers (a wrong type reads as empty, never as an error)."""
from __future__ import annotations

import json
import math

from opsweb.transcript_entry import Entry

_loads = json.loads


def loads_object(line: str) -> dict | None:
    """The line as a JSON object, or None when it is not JSON or not an object.
    Raises ValueError for text that starts like an object but does not parse."""
    try:
        value = _loads(line)
    except ValueError:
        if line.startswith("{"):
            raise
        return None
    return value if type(value) is dict else None


def as_dict(value) -> dict:
    return value if type(value) is dict else {}


def as_str(value, fallback: str = "") -> str:
    return value if type(value) is str else fallback


def as_num(value, fallback=0):
    if type(value) in (int, float) and math.isfinite(value):
        return value
    return fallback


def coalesce(*values):
    """The first value that is not None (JavaScript's `??` chain)."""
    return next((v for v in values if v is not None), None)


def error_text(value) -> str:
    if type(value) is str:
        return value
    if type(value) is not dict:
        return ""
    for key in ("message", "error", "code"):
        if type(value.get(key)) is str and value[key]:
            return value[key]
    return json.dumps(value, ensure_ascii=False)


def errors_of(value) -> tuple[str, ...]:
    if type(value) is not list:
        return ()
    return tuple(t for t in map(error_text, value) if t)


def pretty(value) -> str:
    """Pretty JSON for people. Small values (most tool inputs) take the C encoder's
    one-line form when they fit, which is far cheaper than indent=2."""
    if value is None:
        return "{}"
    if type(value) is str:
        return value
    flat = json.dumps(value, ensure_ascii=False, default=str)
    if len(flat) <= 100:
        return flat
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def stdout(line: str, ts: str) -> list[Entry]:
    return [Entry("stdout", ts, line)]


def unparsed(line: str, ts: str, why: str) -> list[Entry]:
    return [Entry("unparsed", ts, line, is_error=True, errors=(why,))]
