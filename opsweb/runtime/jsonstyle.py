"""opsweb's JSON is camelCase throughout, as Paperclip's own is; Python fields are
snake_case. One conversion, used by every `to_json` built from a dataclass."""
from __future__ import annotations

import dataclasses
from functools import cache


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@cache
def _fields(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, camel(f.name)) for f in dataclasses.fields(cls))


def camel_fields(record) -> dict:
    """A flat dataclass (plain values only) as camelCase JSON. Not `asdict`: its deep
    copy was most of the twin's time for a 2,000-run fleet."""
    return {key: getattr(record, name) for name, key in _fields(type(record))}
