"""URLs as they may be shown: in a page, a JSON twin, a log line, a terminal.

`--paperclip-url http://user:s3cret@host` must reach Paperclip with its credentials and
never reach anyone else, so every message names the URL without its user info, query
and fragment (where tokens also travel).
"""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(a malformed URL)"
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
