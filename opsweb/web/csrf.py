"""CSRF protection for the two state-changing requests (Stop, Reset).

Browser POSTs carry a per-session token in the `X-CSRF-Token` header (htmx sends it
from `hx-headers` on the panel root) and must come from this origin. JSON-twin POSTs
for curl must say `Content-Type: application/json`: a cross-site page cannot send
that without a CORS preflight, which opsweb never grants. A request signed with an
operator's bearer token (curl) is exempt: a browser never attaches one by itself.
The sign-in and sign-out forms send the same token as a hidden `csrf_token` field.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import g, request, session

from opsweb.i18n.said import Said

HEADER = "X-CSRF-Token"
_KEY = "opsweb_csrf"


def csrf_token() -> str:
    token = session.get(_KEY)
    if not token:
        token = session[_KEY] = secrets.token_urlsafe(32)
    return token


def _same_origin(url: str) -> bool:
    try:
        theirs, ours = urlsplit(url), urlsplit(request.host_url)
    except ValueError:  # "http://[::1" and the like: no origin of ours
        return False
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def refusal(json_twin: bool, allow_form: bool = False) -> str | None:
    """Why this POST must be refused, or None when it may proceed."""
    if g.get("opsweb_via") == "bearer":
        return None
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and origin != "null" and not _same_origin(origin):
        return Said("Cross-origin request refused")
    if origin == "null":
        return Said("Cross-origin request refused")
    sent = request.headers.get(HEADER, "")
    if not sent and allow_form:
        sent = request.form.get("csrf_token", "")
    expected = session.get(_KEY, "")
    if sent and expected and hmac.compare_digest(sent, expected):
        return None
    if json_twin and request.mimetype == "application/json":
        return None
    if json_twin:
        return Said("POST needs Content-Type: application/json (or the panel's CSRF token)")
    return Said("Missing or stale CSRF token: reload the page")
