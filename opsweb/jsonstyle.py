"""opsweb's JSON is camelCase throughout, as Paperclip's own is; Python fields are
snake_case. One conversion, used by every `to_json` built from a dataclass."""
from __future__ import annotations


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(fields: dict) -> dict:
    return {camel(key): value for key, value in fields.items()}
