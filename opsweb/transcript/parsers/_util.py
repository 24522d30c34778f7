"""Small readers shared by the line parsers: tolerant field access in the style of
Paperclip's own parsers (a wrong type reads as empty, never as an error)."""
from __future__ import annotations

import json
import json.encoder
import json.scanner
import math

# orjson parses the agent's JSON lines several times faster than json
from orjson import loads as _fast_loads

from opsweb.transcript.entry import Entry, entry

# json's C scanner called directly: json.loads adds two Python layers and two regex
# calls per line, a fifth of the cost on short lines. Lines arrive stripped.
_scan_once = json.scanner.make_scanner(json.JSONDecoder())


def loads_object(line: str) -> dict | None:
    """The line as a JSON object, or None when it is not JSON or not an object.
    Raises ValueError for text that starts like an object but does not parse."""
    if line.startswith("{"):
        try:
            value = _fast_loads(line)
        except ValueError:
            pass  # orjson is stricter (NaN, lone surrogates): let json decide
        else:
            return value if type(value) is dict else None
    try:
        value, end = _scan_once(line, 0)
    except (ValueError, StopIteration):
        end = -1
    if end != len(line):
        if line.startswith("{"):
            raise ValueError(f"not valid JSON (at character {max(end, 0)})")
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


_dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
_quote = json.encoder.encode_basestring  # json's C string quoting, without ASCII escaping


def _json(value) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is int:
        return str(value)
    if value is None or kind is bool:
        return "null" if value is None else "true" if value else "false"
    return _dumps(value)


def pretty(value) -> str:
    """Tool input as JSON for people: one line when short, else one top-level key or
    item per line (nested values stay on one line). Built by hand because json's
    encoder costs microseconds to set up per call, and indent= switches it to pure
    Python; tool inputs are a good share of a transcript."""
    if value is None:
        return "{}"
    kind = type(value)
    if kind is dict:
        items = [f"{_quote(k if type(k) is str else str(k))}: {_json(v)}" for k, v in value.items()]
        opening, closing = "{", "}"
    elif kind is list:
        items = [_json(v) for v in value]
        opening, closing = "[", "]"
    else:
        return value if kind is str else _json(value)
    flat = opening + ", ".join(items) + closing
    if len(flat) <= 100 or not items:
        return flat
    return opening + "\n  " + ",\n  ".join(items) + "\n" + closing


def stdout(line: str, ts: str) -> list[Entry]:
    return [entry("stdout", ts, line)]


def unparsed(line: str, ts: str, why: str) -> list[Entry]:
    return [entry("unparsed", ts, line, is_error=True, errors=(why,))]


class StatelessParser:
    """A parser whose reading of a line never depends on earlier lines: nothing to
    carry in the log cursor."""

    def __init__(self, state: str = "") -> None:
        pass

    def state(self) -> str:
        return ""


class JsonLineParser(StatelessParser):
    """Agents that print one JSON object per line: plain text stays stdout, a line
    that starts like JSON but does not parse is shown as unparsed, and objects go to
    `parse_object`."""

    def parse(self, line: str, ts: str) -> list[Entry]:
        try:
            obj = loads_object(line)
        except ValueError as err:
            return unparsed(line, ts, f"invalid JSON: {err}")
        if obj is None:
            return stdout(line, ts)
        return self.parse_object(obj, line, ts)

    def parse_object(self, obj: dict, line: str, ts: str) -> list[Entry]:
        raise NotImplementedError
