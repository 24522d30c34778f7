"""Values from Paperclip, made safe to use: any field may be missing, of another type,
or hostile. A bad field degrades to None (shown as unknown) for its row alone; text
loses control characters and bidi overrides (U+202E can make `exe.txt` read
`txt.exe`), as log text already does; ids are used only when they are UUIDs, so an
id like `../runs/<other>` never reaches a URL or a button."""
from __future__ import annotations

import uuid

from opsweb.transcript import ansi


def obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def text(value) -> str | None:
    """A string or number as clean, single-paragraph text; anything else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return ansi.clean(str(value)) or None


def number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def uuid_or_none(value) -> str | None:
    """The id when it is a canonical (lower-case) UUID, else None."""
    if not isinstance(value, str):
        return None
    try:
        return value if str(uuid.UUID(value)) == value else None
    except ValueError:
        return None


def cleaned(value, depth: int = 0):
    """A JSON value with every string cleaned as `text` does (keys too); nesting
    deeper than a sane event ever has is cut off."""
    if isinstance(value, str):
        return ansi.clean(value)
    if depth >= 16:
        return None
    if isinstance(value, dict):
        return {ansi.clean(str(k)): cleaned(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [cleaned(v, depth + 1) for v in value]
    return value


def events(values: list) -> list[dict]:
    """A run's events as they may be shown: objects only, strings cleaned."""
    return [cleaned(e) for e in values if isinstance(e, dict)]
